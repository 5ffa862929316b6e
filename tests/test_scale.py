"""Regeneration at scale: seeds, parallel jobs, the cache, compare, and Dask.

The end-to-end tests use tiny fake notebooks (a parameters cell with a seed, one cell that
writes a report whose numbers depend on the seed); the worker processes of `--jobs` see the
fake catalogue through tests/fake_site/sitecustomize.py. One test runs a real report's
smoke profile with two seeds in two jobs.
"""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kerasreports import cache, catalog, cli, compare, jobs, run, seeds
from fake_reports import fake_report, write_notebook

REPO = Path(__file__).resolve().parent.parent

# Writes a report whose metric depends on the seed, and a claim that holds for even seeds.
WRITES_A_SEEDED_REPORT = (
    "import json, os\n"
    "open(os.path.join(output_dir, 'summary.md'), 'w').write('seed %d' % seed)\n"
    "json.dump({'report': 'works', 'title': 'works', 'source': '-', 'profile': profile,\n"
    "           'seed': seed, 'date': '2026-01-01T00:00:00', 'wall_time_s': 1.0,\n"
    "           'parameters': {'seed': seed, 'profile': profile}, 'environment': {},\n"
    "           'metrics': {'accuracy': 0.5 + seed / 10, 'params': 100},\n"
    "           'claims': [{'claim': 'seed is even', 'holds': seed % 2 == 0,\n"
    "                       'source_holds': True}]},\n"
    "          open(os.path.join(output_dir, 'metrics.json'), 'w'))\n"
)


def seeded_notebook(path: Path, body: str) -> Path:
    return write_notebook(path, body, parameters="seed = 0\n")


@pytest.fixture
def fakes(tmp_path, monkeypatch):
    """A catalogue of `works` and `breaks` here and in every worker process."""
    notebooks = {"works": seeded_notebook(tmp_path / "works.ipynb", WRITES_A_SEEDED_REPORT),
                 "breaks": seeded_notebook(tmp_path / "breaks.ipynb", "raise ValueError('no')")}
    monkeypatch.setattr(catalog, "REPORTS", {n: fake_report(n, p) for n, p in notebooks.items()})
    monkeypatch.setenv("KERASREPORTS_TEST_FAKES",
                       ",".join(f"{n}={p}" for n, p in notebooks.items()))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(REPO / "tests" / "fake_site"), os.environ.get("PYTHONPATH", "")]))
    return notebooks


# ---------------------------------------------------------------- seeds


@pytest.mark.parametrize("text, expected", [("0,1,2", [0, 1, 2]), ("3", [3]),
                                            ("0-3", [0, 1, 2, 3]), ("2,0,2", [2, 0])])
def test_seed_lists(text, expected):
    assert seeds.parse(text) == expected


@pytest.mark.parametrize("text, message", [
    ("", "has an empty item"), ("0,,1", "has an empty item"), ("-1", "is not a seed"),
    ("a", "'a' is not a seed"), ("4294967296", "4294967296 is not a seed")])
def test_bad_seed_lists_are_usage_errors(text, message, capsys):
    assert cli.main(["run", "mnist_dae", "--seeds", text]) == cli.EXIT_USAGE
    assert message in capsys.readouterr().err


def test_seeds_and_a_seed_parameter_together_are_refused(capsys):
    assert cli.main(["run", "mnist_dae", "--seeds", "0,1", "-p", "seed", "3"]) == cli.EXIT_USAGE
    assert "either with --seeds or with -p seed" in capsys.readouterr().err


def test_the_aggregate_is_mean_sd_and_n_and_counts_claims():
    records = {s: {"report": "mnist_dae", "title": "t", "source": "s", "profile": "smoke",
                   "wall_time_s": 2.0, "environment": {"backend": "jax"},
                   "parameters": {"seed": s},
                   "metrics": {"probe_codes_test_accuracy": value, "note": "text",
                               **({"only_some": 1.0} if s == 0 else {})},
                   "claims": [{"claim": "c", "holds": s != 2, "source_holds": True}]}
               for s, value in ((0, 0.80), (1, 0.84), (2, 0.88))}
    record = seeds.aggregate(records, failed={3: "boom"})
    assert record["metrics"]["probe_codes_test_accuracy"] == pytest.approx(0.84)
    assert record["metrics_sd"]["probe_codes_test_accuracy"] == pytest.approx(
        statistics.stdev([0.80, 0.84, 0.88]))
    assert record["metrics_n"] == {"probe_codes_test_accuracy": 3, "only_some": 1}
    assert record["metrics_sd"]["only_some"] is None and "note" not in record["metrics"]
    assert record["per_seed"]["1"]["note"] == "text"
    assert record["claims"] == [{"claim": "c", "holds_in": 2, "seeds": 3, "source_holds": True}]
    assert record["failed_seeds"] == {"3": "boom"} and record["wall_time_s"] == 6.0
    row = next(r for r in record["source_vs_regenerated"]
               if r["quantity"] == "probe test accuracy on codes")
    assert row["regenerated (mean)"] == pytest.approx(0.84) and row["n"] == 3
    text = seeds.summary(record)
    assert "0.84 ± 0.04 (n=3)" in text and "| c | 2 of 3 seeds | yes |" in text
    assert "seed 3: boom" in text and "[seed-2/summary.md](seed-2/summary.md)" in text


# ---------------------------------------------------------------- jobs


def test_each_job_slot_gets_a_gpu_and_sharing_turns_preallocation_off():
    assert jobs.slot_environments(2, 1, []) == [{}, {}]
    assert jobs.slot_environments(2, 1, ["3", "5"]) == [{"CUDA_VISIBLE_DEVICES": "3"},
                                                        {"CUDA_VISIBLE_DEVICES": "5"}]
    shared = jobs.slot_environments(3, 2, ["0", "1"])
    assert [e["CUDA_VISIBLE_DEVICES"] for e in shared] == ["0", "0", "1"]
    assert all(e["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false" for e in shared)
    with pytest.raises(ValueError, match="--jobs 3 needs 3 GPUs at --jobs-per-gpu 1"):
        jobs.slot_environments(3, 1, ["0", "1"])


def test_visible_gpus_follow_cuda_visible_devices(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,7")
    assert jobs.visible_gpus() == ["2", "7"]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert jobs.visible_gpus() == []


def test_jobs_zero_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:  # argparse's own exit, status 2
        cli.main(["run", "mnist_dae", "--jobs", "0"])
    assert stop.value.code == cli.EXIT_USAGE
    assert "--jobs: must be at least 1, not 0" in capsys.readouterr().err


@pytest.mark.notebook
def test_two_jobs_run_the_seeds_a_failure_stops_nothing_and_the_cache_skips(
        tmp_path, fakes, capsys):
    out = tmp_path / "reports"
    argv = ["run", "works", "breaks", "--seeds", "0,1,2", "--jobs", "2", "--output", str(out)]
    assert cli.main(argv) == cli.EXIT_FAILED
    printed = capsys.readouterr().out
    assert "[works seed 1] " in printed and "[jobs] running: " in printed
    record = json.loads((out / "works" / "metrics.json").read_text())
    assert record["seeds"] == [0, 1, 2]
    assert record["metrics"]["accuracy"] == pytest.approx(0.6)
    assert record["metrics_sd"]["accuracy"] == pytest.approx(0.1)
    assert record["per_seed"]["2"]["accuracy"] == pytest.approx(0.7)
    assert record["claims"][0]["holds_in"] == 2
    assert (out / "works" / "seed-1" / "works.html").is_file()
    # Every seed of `breaks` failed: no aggregate, one partial notebook kept.
    assert (out / "breaks" / "failed.ipynb").is_file()
    assert not (out / "breaks" / "metrics.json").exists()
    assert "| 0, 1, 2 |" in (out / "README.md").read_text()  # the index's seeds column
    assert "| accuracy | 0.6 ± 0.1 (n=3) | 0.5 | 0.6 | 0.7 |" in (
        out / "works" / "summary.md").read_text()

    stamp = (out / "works" / "seed-0" / "metrics.json").stat().st_mtime_ns
    started = time.time()
    assert cli.main(["run", "works", "--seeds", "0,1,2", "--jobs", "2", "--output",
                     str(out)]) == 0
    assert time.time() - started < 10  # no kernel started
    printed = capsys.readouterr().out
    assert printed.count("cached") >= 3 and "unchanged since its report was made" in printed
    assert (out / "works" / "seed-0" / "metrics.json").stat().st_mtime_ns == stamp

    assert cli.main(["run", "works", "--seeds", "0,1,2,3", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"works seed 3 +ok", printed) and re.search(r"works seed 0 +cached",
                                                                   printed)
    assert json.loads((out / "works" / "metrics.json").read_text())["seeds"] == [0, 1, 2, 3]
    assert (out / "works" / "seed-0" / "metrics.json").stat().st_mtime_ns == stamp

    assert cli.main(["run", "works", "--seeds", "0,1,2", "--force", "--output",
                     str(out)]) == 0
    assert (out / "works" / "seed-0" / "metrics.json").stat().st_mtime_ns != stamp


# Says it started (one file per seed, beside the output folder: output_dir is a work folder
# in it), then waits up to a minute.
WAITS_A_MINUTE = (
    "import pathlib, time\n"
    "here = pathlib.Path(output_dir).parent.parent\n"
    "(here / f'started-{seed}').write_text('')\n"
    "time.sleep(60)\n"
)


@pytest.mark.notebook
def test_ctrl_c_stops_every_job_keeps_a_partial_notebook_and_leaves_no_staging(
        tmp_path, fakes, monkeypatch):
    waits = seeded_notebook(tmp_path / "waits.ipynb", WAITS_A_MINUTE)
    monkeypatch.setenv("KERASREPORTS_TEST_FAKES", f"waits={waits}")
    out = tmp_path / "reports"
    runner = subprocess.Popen(
        [sys.executable, "-m", "kerasreports.cli", "run", "waits", "--seeds", "0,1",
         "--jobs", "2", "--output", str(out)], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not all(
            (tmp_path / f"started-{s}").exists() for s in (0, 1)):
        time.sleep(0.2)
    assert all((tmp_path / f"started-{s}").exists() for s in (0, 1)), "no job started"
    started = time.time()
    runner.send_signal(signal.SIGINT)
    printed, _ = runner.communicate(timeout=90)
    assert runner.returncode == 130, printed[-3000:]
    assert time.time() - started < 45  # stopped, not waited out
    assert (out / "waits" / "failed.ipynb").is_file()
    assert not list(out.glob(".waits-work-*")), list(out.iterdir())


def test_the_cache_key_follows_every_input(tmp_path, fakes, monkeypatch):
    report = catalog.get("works")
    parts = cache.key_parts(report, {"seed": 0, "profile": "quick"})
    assert cache.key(parts) == cache.key(cache.key_parts(report, {"seed": 0,
                                                                  "profile": "quick"}))
    assert cache.key(parts) != cache.key(cache.key_parts(report, {"seed": 1,
                                                                  "profile": "quick"}))
    monkeypatch.setenv("KERAS_BACKEND", "jax" if parts["backend"] != "jax" else "tensorflow")
    assert cache.key_parts(report, {"seed": 0, "profile": "quick"})["backend"] != parts["backend"]
    fakes["works"].write_text(fakes["works"].read_text().replace("0.5 +", "0.25 +"))
    assert cache.key_parts(report, {"seed": 0, "profile": "quick"})["notebook"] != \
        parts["notebook"]
    # A data set's fingerprint changes with the file, and generated data has none.
    folder = tmp_path / "data" / "names"
    folder.mkdir(parents=True)
    (folder / "names.txt").write_text("emma\n")
    before = cache.data_fingerprint("names", str(tmp_path / "data"))
    (folder / "names.txt").write_text("olivia\n")
    os.utime(folder / "names.txt", ns=(1, 1))
    assert cache.data_fingerprint("names", str(tmp_path / "data")) != before
    names = fake_report("uses_names", fakes["works"])
    object.__setattr__(names, "datasets", ("names",))
    assert cache.key_parts(names, {"generated_data": True})["data"] == {"names": "generated"}


# ---------------------------------------------------------------- compare


def _write(folder: Path, name: str, metrics: dict, **more) -> Path:
    (folder / name).mkdir(parents=True, exist_ok=True)
    (folder / name / "metrics.json").write_text(json.dumps({"metrics": metrics, **more}))
    return folder


def test_compare_lists_differences_and_fails_on_a_headline_regression(tmp_path, capsys):
    a = _write(tmp_path / "a", "mnist_dae", {"probe_codes_test_accuracy": 0.87,
                                             "dae_final_val_loss": 0.0065, "n": 5,
                                             "nested": {"x": 1.0}})
    b = _write(tmp_path / "b", "mnist_dae", {"probe_codes_test_accuracy": 0.85,
                                             "dae_final_val_loss": 0.0065, "n": 5,
                                             "nested": {"x": 2.0}})
    out = tmp_path / "cmp"
    assert cli.main(["compare", str(a), str(b), "--output", str(out)]) == 0
    text = (out / "compare.md").read_text()
    assert "| mnist_dae | probe_codes_test_accuracy | 0.87 | 0.85 | -0.02 |" in text
    assert "nested.x" in text and "dae_final_val_loss" not in text
    assert cli.main(["compare", str(a), str(b), "--output", str(out), "--all"]) == 0
    assert "dae_final_val_loss" in (out / "compare.md").read_text()
    capsys.readouterr()
    assert cli.main(["compare", str(a), str(b), "--output", str(out),
                     "--fail-on-regression", "0.01"]) == 1
    assert "probe_codes_test_accuracy worse by 0.02" in capsys.readouterr().out
    assert cli.main(["compare", str(a), str(b), "--output", str(out),
                     "--fail-on-regression", "3%"]) == 0
    assert json.loads((out / "compare.json").read_text())["regressions"] == []
    # Lower is better for the page model's RMSE: a rise is the regression.
    c = _write(tmp_path / "c", "dirty_documents", {"page_val_rmse": 0.020})
    d = _write(tmp_path / "d", "dirty_documents", {"page_val_rmse": 0.025})
    assert cli.main(["compare", str(c), str(d), "--output", str(out),
                     "--fail-on-regression", "0.001"]) == 1
    assert cli.main(["compare", str(d), str(c), "--output", str(out),
                     "--fail-on-regression", "0.001"]) == 0


def test_compare_says_whether_a_difference_exceeds_the_seed_spread():
    a = {"r": {"metrics": {"m": 0.80, "k": 0.5}, "metrics_sd": {"m": 0.01, "k": 0.2},
               "metrics_n": {"m": 3, "k": 3}}}
    b = {"r": {"metrics": {"m": 0.85, "k": 0.6}, "metrics_sd": {"m": 0.01, "k": 0.2},
               "metrics_n": {"m": 3, "k": 3}}}
    found = {row["metric"]: row["beyond seed spread"] for row in compare.rows(a, b)}
    assert found == {"m": True, "k": False}
    assert compare.rows({"r": {"metrics": {"m": 1}}}, b)[0]["beyond seed spread"] is None


def test_compare_errors_are_clear(tmp_path, capsys):
    good = _write(tmp_path / "good", "mnist_dae", {"probe_codes_test_accuracy": 0.87})
    other = _write(tmp_path / "other", "translation", {"bleu": 1.0})
    out = ["--output", str(tmp_path / "cmp")]
    assert cli.main(["compare", str(good), str(other), *out]) == cli.EXIT_USAGE
    assert "no numeric metric in common" in capsys.readouterr().err
    (tmp_path / "bad" / "mnist_dae").mkdir(parents=True)
    (tmp_path / "bad" / "mnist_dae" / "metrics.json").write_text('{"metrics": {')
    assert cli.main(["compare", str(good), str(tmp_path / "bad"), *out]) == cli.EXIT_USAGE
    assert "metrics.json is not valid JSON" in capsys.readouterr().err
    assert cli.main(["compare", str(good), "no-such-revision", *out]) == cli.EXIT_USAGE
    assert "neither a folder nor a git revision" in capsys.readouterr().err
    assert cli.main(["compare", str(good), str(good), *out, "--fail-on-regression",
                     "x"]) == cli.EXIT_USAGE
    assert "is not a number or a percentage" in capsys.readouterr().err


def test_compare_reads_a_revision_s_committed_reports(tmp_path):
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    found = compare.load("HEAD")
    assert "mnist_dae" in found and "probe_codes_test_accuracy" in found["mnist_dae"]["metrics"]
    assert cli.main(["compare", "HEAD", str(REPO / "reports"), "--output",
                     str(tmp_path / "cmp")]) in (0, 1)
    assert (tmp_path / "cmp" / "compare.json").is_file()


# ---------------------------------------------------------------- real notebooks


@pytest.mark.notebook
def test_a_real_report_over_two_seeds_in_two_jobs(tmp_path):
    out = tmp_path / "reports"
    command = [sys.executable, "-m", "kerasreports.cli", "run", "mnist_dae", "--seeds", "0,1",
               "--jobs", "2", "--output", str(out), "--tensorboard", str(tmp_path / "tb")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    record = json.loads((out / "mnist_dae" / "metrics.json").read_text())
    per_seed = [json.loads((out / "mnist_dae" / f"seed-{s}" / "metrics.json").read_text())
                for s in (0, 1)]
    assert [r["seed"] for r in per_seed] == [0, 1]
    values = [r["metrics"]["probe_codes_test_accuracy"] for r in per_seed]
    assert values[0] != values[1]  # the seed reaches the training
    assert record["metrics"]["probe_codes_test_accuracy"] == pytest.approx(
        statistics.mean(values))
    assert record["claims"][0]["seeds"] == 2
    # --tensorboard: a run folder per fit and seed (the DAE, then two probes)
    for seed in (0, 1):
        runs = sorted(p.name for p in (tmp_path / "tb" / f"mnist_dae-seed{seed}").iterdir())
        assert runs[0] == "fit-001-dae" and [r[:8] for r in runs[1:]] == [
            "fit-002-", "fit-003-"], runs
        assert list((tmp_path / "tb" / f"mnist_dae-seed{seed}" / "fit-001-dae").rglob(
            "events.out.tfevents.*"))
    again = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and again.stdout.count("cached") == 2, again.stdout[-2000:]


@pytest.mark.notebook
def test_dask_runs_the_same_jobs(tmp_path, fakes):
    distributed = pytest.importorskip("distributed")
    # In-process workers (threads) see this test's catalogue; a cluster's worker processes
    # run the same `jobs.run_job`.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        outcomes = run.run(["works", "breaks"], seeds=[0, 1], output_root=tmp_path / "r",
                           dask=cluster.scheduler_address)
    states = {o.name: o.ok for o in outcomes}
    assert states["works seed 0"] and states["works seed 1"]
    assert not states["breaks seed 0"] and not states["breaks seed 1"]
    record = json.loads((tmp_path / "r" / "works" / "metrics.json").read_text())
    assert record["metrics"]["accuracy"] == pytest.approx(0.55)
