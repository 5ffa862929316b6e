"""`kerasreports tune` touches only what is its own: the summary folder, one run per search,
saved state it can reload, and a seed NumPy accepts."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kerasreports import cli, outputs, tuning
from kerasreports.tuning import runner, summary
from kerasreports.tuning import state as search_state

SMOKE = dict(profile="smoke", epochs=1, seed=0)
PROJECT = "mnist_dae-dae-smoke-random"  # tuning.tune's default project for these options


def someones_folder(path: Path) -> Path:
    """A folder the tool did not write: a report, a README and a thesis."""
    path.mkdir(parents=True, exist_ok=True)
    for name, text in (("report.md", "# my report\n"), ("README.md", "mine\n"),
                       ("thesis.tex", "\\documentclass{book}\n")):
        (path / name).write_text(text)
    return path


def contents(path: Path) -> dict:
    return {p.name: p.read_text() for p in sorted(path.iterdir())}


# ------------------------------------------------------------------ --output

@pytest.mark.parametrize("how", ["folder", "dot", "home"])
def test_an_output_holding_other_files_is_refused_before_anything_trains(
        tmp_path, monkeypatch, capsys, how):
    mine = someones_folder(tmp_path / "mine")
    before = contents(mine)
    output = {"folder": mine, "dot": ".", "home": "~"}[how]
    monkeypatch.chdir(mine)
    monkeypatch.setenv("HOME", str(mine))
    state = tmp_path / "state"
    with pytest.raises(outputs.OutputFolderError,
                       match=r"(?s)already holds files that kerasreports did not write.*"
                             r"nothing was touched") as error:
        tuning.tune("mnist_dae", max_trials=1, directory=state, output=output, **SMOKE)
    assert str(mine) in str(error.value) and "\n" not in str(error.value)
    assert contents(mine) == before  # no marker, nothing removed
    assert not list((state / PROJECT).glob("trial_*"))  # refused before any trial
    # Through the command line too: a usage error in one paragraph, the folder intact.
    assert cli.main(["tune", "mnist_dae", "--profile", "smoke", "--max-trials", "1",
                     "--epochs", "1", "--directory", str(state),
                     "--output", str(output)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("kerasreports: error: --output") and "Traceback" not in err
    assert contents(mine) == before


def test_an_output_overlapping_the_search_state_is_refused(tmp_path):
    state = tmp_path / "state"
    for output in (state, state / PROJECT, state / PROJECT / "summary"):
        with pytest.raises(outputs.OutputFolderError, match="overlaps the search state"):
            tuning.tune("mnist_dae", max_trials=1, directory=state, output=output, **SMOKE)
    assert not state.exists() or not list(state.rglob("trial_*"))


@pytest.mark.search
def test_a_summary_replaces_only_an_earlier_summary_and_whole(tmp_path):
    out = tmp_path / "out"
    common = dict(directory=tmp_path / "state", output=out, **SMOKE)
    tuning.tune("mnist_dae", max_trials=1, **common)
    assert {p.name for p in out.iterdir()} == set(summary.SUMMARY_ENTRIES)
    assert "kerasreports tune" in (out / outputs.MARKER).read_text()
    first = json.loads((out / "results.json").read_text())
    # The next run swaps in a new summary folder, marked too; no work folder is left.
    tuning.tune("mnist_dae", max_trials=2, **common)
    assert len(json.loads((out / "results.json").read_text())["trials"]) == 2
    assert (out / outputs.MARKER).is_file() and first["trials"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "state"]
    # A marked folder holding more than a summary (here a user's notes) is not replaced.
    (out / "notes.txt").write_text("keep me\n")
    with pytest.raises(outputs.OutputFolderError, match=r"notes\.txt.*nothing was touched"):
        tuning.tune("mnist_dae", max_trials=3, **common)
    assert (out / "notes.txt").read_text() == "keep me\n"
    assert len(json.loads((out / "results.json").read_text())["trials"]) == 2
    assert not (tmp_path / "state" / PROJECT / "trial_2").exists()  # refused before training
    # With --overwrite too, the refusal comes before the earlier search is discarded.
    with pytest.raises(outputs.OutputFolderError, match=r"notes\.txt"):
        tuning.tune("mnist_dae", max_trials=3, overwrite=True, **common)
    assert (tmp_path / "state" / PROJECT / "trial_1" / "trial.json").is_file()


def test_an_empty_output_is_claimed_and_a_failed_search_leaves_none(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setitem(sys.modules, "tensorboard.plugins.hparams", None)  # trials fail
    with pytest.raises(tuning.TuningFailedError):
        tuning.tune("mnist_dae", max_trials=1, directory=tmp_path / "state",
                   output=tmp_path / "new", **SMOKE)
    assert not (tmp_path / "new").exists()  # created, then removed again: no summary
    with pytest.raises(tuning.TuningFailedError):
        tuning.tune("mnist_dae", max_trials=1, directory=tmp_path / "state", overwrite=True,
                   output=empty, **SMOKE)
    assert empty.is_dir()  # the user's folder stays (now marked as ours)


# ------------------------------------------------------------------ --seed

@pytest.mark.parametrize("seed", [-5, 2**32, 1.5, True, "3"])
def test_a_seed_numpy_cannot_take_is_a_usage_error(tmp_path, seed):
    with pytest.raises(tuning.SearchUsageError, match=r"--seed must be a whole number "
                                                      r"from 0 to 4294967295"):
        tuning.tune("mnist_dae", max_trials=1, directory=tmp_path, output=tmp_path / "out",
                   profile="smoke", epochs=1, seed=seed)
    assert isinstance(tuning.SearchUsageError("x"), ValueError)
    assert not (tmp_path / "out").exists()
    assert runner.check_seed(0) == 0 and runner.check_seed(2**32 - 1) == 2**32 - 1


@pytest.mark.parametrize("seed", ["-5", "4294967296"])
def test_a_bad_seed_on_the_command_line_is_a_usage_error(tmp_path, capsys, seed):
    with pytest.raises(SystemExit) as stop:
        cli.main(["tune", "mnist_dae", "--profile", "smoke", "--seed", seed,
                  "--directory", str(tmp_path), "--output", str(tmp_path / "out")])
    assert stop.value.code == cli.EXIT_USAGE
    assert "--seed" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------ damaged state

@pytest.fixture(scope="module")
def finished_search(tmp_path_factory):
    """A one-trial search's saved state, copied afresh for every test that damages it."""
    root = tmp_path_factory.mktemp("finished")
    tuning.tune("mnist_dae", max_trials=1, directory=root / "state", output=root / "out",
               **SMOKE)
    return root / "state"


@pytest.mark.search
@pytest.mark.parametrize("damaged, how", [
    ("oracle.json", "truncated"),
    ("oracle.json", "not the oracle's"),
    ("trial_0/trial.json", "truncated"),
    ("trial_0/trial.json", "not a trial"),
    ("tuner0.json", "garbage"),
    (search_state.SETTINGS_FILE, "truncated"),
    ("oracle.json", "missing"),
])
def test_damaged_search_state_names_the_file_and_overwrite(tmp_path, finished_search, capsys,
                                                            damaged, how):
    state = tmp_path / "state"
    shutil.copytree(finished_search, state)
    path = state / PROJECT / damaged
    text = path.read_text()
    if how == "truncated":
        path.write_text(text[: len(text) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x00\xff not json")
    elif how == "missing":
        path.unlink()
    else:
        path.write_text(json.dumps({"trial_id": "0"} if "trial" in damaged else {}))
    out = tmp_path / "out"
    with pytest.raises(tuning.SearchStateError) as error:
        tuning.tune("mnist_dae", max_trials=2, directory=state, output=out, **SMOKE)
    message = str(error.value)
    assert str(path) in message and "--overwrite" in message and "\n" not in message
    assert isinstance(error.value, ValueError)
    assert not out.exists()
    assert cli.main(["tune", "mnist_dae", "--profile", "smoke", "--max-trials", "2",
                     "--epochs", "1", "--directory", str(state),
                     "--output", str(out)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("kerasreports: error: the search in") and "Traceback" not in err
    # --overwrite starts afresh.
    done = tuning.tune("mnist_dae", max_trials=1, directory=state, output=out,
                      overwrite=True, **SMOKE)
    assert len(json.loads((done / "results.json").read_text())["trials"]) == 1


# ------------------------------------------------------------------ one run per search

def tune(tmp_path, name, *extra, env=None):
    log = open(tmp_path / f"{name}.log", "w")
    return subprocess.Popen(
        [sys.executable, "-m", "kerasreports.cli", "tune", "mnist_dae", "--profile", "smoke",
         "--epochs", "1", "--directory", str(tmp_path / "state"),
         "--output", str(tmp_path / f"out-{name}"), *extra],
        cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "KERASREPORTS_OFFLINE": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
             **(env or {})})


def wait_for(tmp_path, name, text, process, limit=180):
    deadline = time.monotonic() + limit
    while text not in (tmp_path / f"{name}.log").read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{name} never said {text!r}: "
                        f"{(tmp_path / f'{name}.log').read_text()[-2000:]}")
        time.sleep(0.2)


@pytest.mark.search
def test_a_second_tune_of_one_search_refuses_naming_the_first(tmp_path):
    first = tune(tmp_path, "first", "--max-trials", "50")
    try:
        wait_for(tmp_path, "first", " started: ", first)
        second = tune(tmp_path, "second", "--max-trials", "50")
        try:
            code = second.wait(timeout=180)
        except subprocess.TimeoutExpired:
            second.kill()
            pytest.fail("the second run waited instead of refusing")
        log = (tmp_path / "second.log").read_text()
        assert code == cli.EXIT_USAGE, log[-2000:]
        assert "kerasreports: error: another kerasreports tune is running the search" in log
        assert "Traceback" not in log
        assert f"pid {first.pid}" in log and str(tmp_path / "state" / PROJECT) in log
        assert " started: " not in log  # it trained nothing
        assert not (tmp_path / "out-second").exists()
        assert first.poll() is None  # the first one goes on
    finally:
        first.kill()
        first.wait(timeout=60)
    # The kernel released the killed run's lock: the search can be resumed.
    with search_state.search_lock(tmp_path / "state" / PROJECT):
        pass


HOLD = ("import sys, time; from pathlib import Path; from kerasreports import outputs\n"
        "with outputs.lock(Path(sys.argv[1]), what='search'):\n"
        "    print('locked', flush=True); time.sleep(120)\n")


def test_workers_share_the_chiefs_search_and_a_second_chief_is_refused(tmp_path,
                                                                       monkeypatch):
    project = tmp_path / "state" / PROJECT
    project.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(project)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        monkeypatch.setenv("KERASTUNER_ORACLE_IP", "127.0.0.1")
        monkeypatch.setenv("KERASTUNER_TUNER_ID", "tuner1")
        assert tuning.role() == "worker"
        with search_state.search_lock(project):  # not blocked
            pass
        monkeypatch.setenv("KERASTUNER_TUNER_ID", "chief")
        with pytest.raises(outputs.FolderBusyError, match=f"pid {holder.pid}"):
            with search_state.search_lock(project):
                pass
        monkeypatch.delenv("KERASTUNER_ORACLE_IP")
        with pytest.raises(outputs.FolderBusyError, match="another kerasreports tune"):
            tuning.tune("mnist_dae", max_trials=1, directory=tmp_path / "state",
                       output=tmp_path / "out", **SMOKE)
        assert not (tmp_path / "out").exists()
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_overwrite_keeps_the_lock_it_holds(tmp_path):
    project = tmp_path / PROJECT
    (project / "trial_0").mkdir(parents=True)
    (project / "oracle.json").write_text("{}")
    with search_state.search_lock(project):
        search_state.clear_search(project)
        assert [p.name for p in project.iterdir()] == [outputs.LOCK]
