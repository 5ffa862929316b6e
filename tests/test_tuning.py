"""KerasTuner searches: the search spaces, resume/overwrite, failures, chief and workers."""

import dataclasses
import json
import os
import socket
import subprocess
import sys
import time

import keras
import keras_tuner
import numpy as np
import pytest

from kerasreports import cli, record, tuning
from kerasreports.models import language
from kerasreports.tuning import distributed, spaces

SMOKE = dict(profile="smoke", epochs=1, seed=0)


def default_model(hypermodel):
    return hypermodel.build(keras_tuner.HyperParameters())


def test_default_hyperparameters_are_the_reports_own_models():
    # Defaults reproduce the report's builder, so a search starts from the source's model.
    assert default_model(spaces.DenseDAEHyperModel()).count_params() == 1_438_676
    assert default_model(spaces.StackedRNNHyperModel(steps=21, vocab=345)).count_params() \
        == 72_345  # the source's stacked LSTM
    assert default_model(spaces.BidirectionalHyperModel(
        steps=21, src_vocab=200, tgt_vocab=345)).count_params() == 206_297
    source = default_model(spaces.SourceAutoencoderHyperModel())
    assert sum(int(np.prod(w.shape)) for w in source.trainable_weights) == 818_115
    page = default_model(spaces.PageDenoiserHyperModel())
    assert page.output_shape == (None, None, None, 1)
    addsub = dict(chars=13, query_length=5, answer_length=3)
    assert default_model(spaces.Text2TextHyperModel(**addsub)).count_params() == 1_330_445
    dense = default_model(spaces.Text2ImageHyperModel(**addsub))
    assert dense.count_params() == 276_480 + 525_312 + 32_896 + 101_136
    conv = default_model(spaces.Text2ImageConvHyperModel(**addsub))
    assert conv.count_params() == 4_251_648 + 2_731_907
    lenet = default_model(spaces.SuperLeNetHyperModel(classes=10, input_shape=(32, 32, 3)))
    assert sum(int(np.prod(w.shape)) for w in lenet.trainable_weights) == 62_458
    assert lenet.get_layer("conv2_dropout").rate == 0.2  # the source's SuperLeNet
    sentiment = default_model(spaces.SentimentHyperModel(vocab=1001))
    assert language.pytorch_parameter_count(sentiment) == 920_385  # the source's listing
    names_cell = default_model(spaces.NamesHyperModel(alphabet=59))
    assert names_cell.count_params() == 46_248  # the source's cell
    denoiser = default_model(spaces.SourceDenoiserHyperModel())
    assert denoiser.count_params() == 85_731  # the report's scratch model, width 96
    assert float(keras.ops.convert_to_numpy(denoiser.optimizer.learning_rate)) == 4.0
    assert default_model(spaces.Noise2NoiseUNetHyperModel()).count_params() == 93_411


@pytest.mark.search
@pytest.mark.parametrize("builder", list(tuning.TASKS["image_classification"]))
def test_image_classification_searches_score_the_best_model_on_the_test_split(
        tmp_path, builder):
    out = tmp_path / "summary"
    assert cli.main(["tune", "image_classification", "--builder", builder, "--profile",
                     "smoke", "--directory", str(tmp_path), "--output", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    assert len(results["trials"]) == 2
    scores = results["best_model_scores"]
    assert list(scores) == [f"cifar10_{builder}_test_accuracy"]
    assert 0 <= scores[f"cifar10_{builder}_test_accuracy"] <= 1


@pytest.mark.search
@pytest.mark.parametrize("builder, score", [
    ("sentiment", "imdb_search_official_test_accuracy"),
    ("names", "names_search_heldout_nll")])
def test_rnn_language_searches_score_the_best_model_on_held_out_data(tmp_path, builder,
                                                                     score):
    out = tmp_path / "summary"
    assert cli.main(["tune", "rnn_language", "--builder", builder, "--profile", "smoke",
                     "--directory", str(tmp_path), "--output", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    assert len(results["trials"]) == 2
    assert list(results["best_model_scores"]) == [score]
    value = results["best_model_scores"][score]
    assert (0 <= value <= 1) if builder == "sentiment" else (0 < value < 10)


def test_every_report_has_a_search_and_unknown_names_are_explained():
    assert set(tuning.TASKS) == {"mnist_dae", "translation", "dirty_documents", "arithmetic",
                                 "image_classification", "rnn_language", "scratch_framework"}
    assert tuning.task("translation").builder == "stacked"
    with pytest.raises(KeyError, match="tunable: mnist_dae"):
        tuning.task("nope")
    with pytest.raises(KeyError, match="choose one of: page, source"):
        tuning.task("dirty_documents", "nope")
    assert cli.main(["tune", "nope", "--profile", "smoke"]) == cli.EXIT_USAGE


@pytest.mark.search
@pytest.mark.parametrize("builder", list(tuning.TASKS["scratch_framework"]))
def test_scratch_framework_searches_score_the_best_model_on_images_trials_never_saw(
        tmp_path, builder):
    out = tmp_path / "summary"
    assert cli.main(["tune", "scratch_framework", "--builder", builder, "--profile", "smoke",
                     "--directory", str(tmp_path), "--output", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    assert len(results["trials"]) == 2
    scores = results["best_model_scores"]
    assert list(scores) == [f"{builder}_search_heldout_psnr", "noisy_input_heldout_psnr"]
    assert all(0 < value < 60 for value in scores.values()), scores
    data = tuning.task("scratch_framework", builder).load("smoke", 0, None)
    validation, scored = data.validation[1], data.evaluation["clean"]
    assert len(validation) == len(scored) and not np.array_equal(validation, scored)


@pytest.mark.search
@pytest.mark.parametrize("builder", list(tuning.TASKS["arithmetic"]))
def test_every_arithmetic_builder_has_a_search_scored_on_test_queries(tmp_path, builder):
    out = tmp_path / "summary"
    assert cli.main(["tune", "arithmetic", "--builder", builder, "--profile", "smoke",
                     "--max-trials", "1", "--epochs", "1", "--directory", str(tmp_path),
                     "--output", str(out), "--tensorboard", str(tmp_path / "tb")]) == 0
    scores = json.loads((out / "results.json").read_text())["best_model_scores"]
    assert scores and all(np.isfinite(v) for v in scores.values())
    # --tensorboard: KerasTuner logs each trial into a run folder of its own
    assert list((tmp_path / "tb").rglob("events.out.tfevents.*"))


def trials_of(out):
    return json.loads((out / "results.json").read_text())["trials"]


@pytest.mark.search
def test_search_writes_a_summary_resumes_and_overwrites(tmp_path):
    common = dict(directory=tmp_path / "state", output=tmp_path / "out", **SMOKE)
    out = tuning.tune("mnist_dae", max_trials=2, **common)
    rows = trials_of(out)
    assert len(rows) == 2 and all(r["status"] == "COMPLETED" for r in rows)
    losses = [r["val_loss"] for r in rows]
    assert losses == sorted(losses)  # best first
    summary = (out / "summary.md").read_text()
    assert "## Best model beside the source" in summary and "0.00831" in summary
    assert (out / "figures" / "objective.png").stat().st_size > 1000
    result = json.loads((out / "results.json").read_text())
    assert set(result["best_hyperparameters"]) == {"dropout_rate", "learning_rate",
                                                   "batch_size"}
    assert result["best_model_scores"]["test_loss_mean_p0.1"] > 0
    # What a report notebook's last cell shows: the summary and the figure, or how to make one.
    assert record.search_summary("mnist_dae", out).filename.endswith("objective.png")
    assert "kerasreports tune mnist_dae" in record.search_summary("mnist_dae",
                                                                  tmp_path / "none").data

    # The same command again: KerasTuner reloads the finished search, runs nothing new.
    assert trials_of(tuning.tune("mnist_dae", max_trials=2, **common)) == rows
    # A larger budget continues it with the earlier trials kept.
    assert len(trials_of(tuning.tune("mnist_dae", max_trials=3, **common))) == 3
    # --overwrite starts again from nothing.
    assert len(trials_of(tuning.tune("mnist_dae", max_trials=1, overwrite=True,
                                    **common))) == 1


@pytest.mark.search
@pytest.mark.parametrize("kind", ["bayesian", "hyperband"])
def test_every_tuner_runs_a_search(tmp_path, kind):
    out = tuning.tune("dirty_documents", kind=kind, max_trials=2, directory=tmp_path,
                     output=tmp_path / "out", **SMOKE)
    rows = trials_of(out)
    assert rows and all(r["status"] == "COMPLETED" for r in rows)
    assert json.loads((out / "results.json").read_text())["tuner"] == kind


@pytest.mark.search
def test_trials_per_process_resumes_the_search_in_fresh_processes(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "kerasreports.cli", "tune", "mnist_dae", "--profile", "smoke",
         "--epochs", "1", "--max-trials", "3", "--trials-per-process", "2",
         "--directory", str(tmp_path / "state"), "--output", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "KERASREPORTS_OFFLINE": "1"})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "process 1 of 2: trials up to 2" in done.stdout
    assert "process 2 of 2: trials up to 3" in done.stdout
    rows = trials_of(tmp_path / "out")
    assert sorted(r["trial"] for r in rows) == ["0", "1", "2"]
    assert all(r["status"] == "COMPLETED" for r in rows)


@pytest.mark.search
def test_resuming_with_other_settings_is_refused(tmp_path):
    common = dict(directory=tmp_path, output=tmp_path / "out", max_trials=1, profile="smoke")
    tuning.tune("mnist_dae", epochs=1, seed=0, **common)
    with pytest.raises(tuning.SettingsMismatchError, match=r"seed 0 then, 1 now"):
        tuning.tune("mnist_dae", epochs=1, seed=1, **common)
    assert cli.main(["tune", "mnist_dae", "--profile", "smoke", "--max-trials", "1",
                     "--epochs", "2", "--directory", str(tmp_path)]) == cli.EXIT_USAGE
    # --overwrite starts a new search with the new settings.
    tuning.tune("mnist_dae", epochs=1, seed=1, overwrite=True, **common)


def test_a_search_whose_trials_all_fail_is_an_error_naming_the_failure(tmp_path, monkeypatch,
                                                                       capsys):
    # What a missing tensorboard does: KerasTuner imports its hparams plugin every trial.
    monkeypatch.setitem(sys.modules, "tensorboard.plugins.hparams", None)
    with pytest.raises(tuning.TuningFailedError, match=r"2 of 2 trials failed") as error:
        tuning.tune("mnist_dae", max_trials=2, directory=tmp_path, output=tmp_path / "out",
                   **SMOKE)
    assert "hparams" in str(error.value)
    assert not (tmp_path / "out").exists()  # no "best" result written
    code = cli.main(["tune", "mnist_dae", "--profile", "smoke", "--max-trials", "2",
                     "--epochs", "1", "--directory", str(tmp_path), "--overwrite",
                     "--output", str(tmp_path / "out")])
    assert code == cli.EXIT_FAILED and "search failed" in capsys.readouterr().err


def test_tune_data_dir_reaches_the_loader(tmp_path, monkeypatch, capsys):
    # Cheap: the loader stops the search before anything is built or trained.
    received = []

    def load(profile, seed, data_dir):
        received.append((profile, seed, data_dir))
        raise tuning.SearchUsageError("stopped by the test's loader")

    task = tuning.task("mnist_dae")
    monkeypatch.setitem(tuning.TASKS["mnist_dae"], task.builder,
                        dataclasses.replace(task, load=load))
    data = tmp_path / "data"
    data.mkdir()
    argv = ["tune", "mnist_dae", "--profile", "smoke", "--max-trials", "1", "--epochs", "1",
            "--directory", str(tmp_path / "state"), "--output", str(tmp_path / "out"),
            "--data-dir", str(data)]
    assert cli.main(argv) == cli.EXIT_USAGE
    assert received == [("smoke", 0, data)]
    assert "stopped by the test's loader" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    # --trials-per-process hands it on to every child process.
    args = cli._parser().parse_args(argv)
    child = cli._child_argv(args, True)
    assert child[child.index("--data-dir") + 1] == str(data)
    # A --data-dir that is not a folder is a usage error before any search starts.
    assert cli.main(argv[:-1] + [str(tmp_path / "nowhere")]) == cli.EXIT_USAGE
    assert len(received) == 1


def test_check_outcome_tolerates_a_minority_of_failures():
    class Trial:
        def __init__(self, trial_id, status, message=None):
            self.trial_id, self.status, self.message = trial_id, status, message

    class Oracle:
        def __init__(self, statuses):
            self.trials = {str(i): Trial(str(i), s, f"boom {i}") for i, s in
                           enumerate(statuses)}
            self.start_order = list(self.trials)

    distributed.check_outcome(Oracle(["COMPLETED", "FAILED", "COMPLETED"]))
    with pytest.raises(tuning.TuningFailedError, match="(?s)trial 1.*boom 1"):
        distributed.check_outcome(Oracle(["COMPLETED", "FAILED", "INVALID"]))


# ------------------------------------------------------------------ distributed

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tuner_id, port, tmp_path, *extra):
    env = {**os.environ, "KERASTUNER_TUNER_ID": tuner_id,
           "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": str(port),
           "KERASREPORTS_OFFLINE": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    log = open(tmp_path / f"{tuner_id}.log", "w")
    return subprocess.Popen(
        [sys.executable, "-m", "kerasreports.cli", "tune", "mnist_dae", "--profile", "smoke",
         "--max-trials", "4", "--directory", str(tmp_path / "state"),
         "--output", str(tmp_path / "out"), *extra],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)


def finish(processes, tmp_path, limit=240):
    """Wait for every process, at most `limit` s in all; kill them all if it runs over."""
    deadline = time.monotonic() + limit
    try:
        return {name: p.wait(timeout=max(1, deadline - time.monotonic()))
                for name, p in processes.items()}
    except subprocess.TimeoutExpired:
        for p in processes.values():
            p.kill()
        logs = {n: (tmp_path / f"{n}.log").read_text()[-2000:] for n in processes}
        pytest.fail(f"distributed search did not finish in {limit} s: {logs}")


def log_of(tmp_path, name):
    return (tmp_path / f"{name}.log").read_text()


@pytest.mark.distributed
def test_chief_and_two_workers_complete_every_trial(tmp_path):
    port = free_port()
    started = time.monotonic()
    processes = {"chief": start("chief", port, tmp_path)}
    processes.update({w: start(w, port, tmp_path) for w in ("tuner1", "tuner2")})
    codes = finish(processes, tmp_path)
    print(f"chief + 2 workers, 4 trials: {time.monotonic() - started:.1f} s")
    assert codes == {"chief": 0, "tuner1": 0, "tuner2": 0}, \
        {n: log_of(tmp_path, n)[-1500:] for n in processes}
    rows = trials_of(tmp_path / "out")
    assert len(rows) == 4 and all(r["status"] == "COMPLETED" for r in rows)
    ran = {w: log_of(tmp_path, w).count("ended: COMPLETED") for w in ("tuner1", "tuner2")}
    assert sum(ran.values()) == 4
    assert "worker done" in log_of(tmp_path, "tuner1")


@pytest.mark.distributed
def test_a_worker_killed_mid_trial_does_not_stop_the_search(tmp_path):
    port = free_port()
    # Three epochs per trial, so that the kill lands inside a trial.
    extra = ("--epochs", "3", "--worker-timeout", "8")
    processes = {"chief": start("chief", port, tmp_path, *extra)}
    processes.update({w: start(w, port, tmp_path, *extra) for w in ("tuner1", "tuner2")})
    deadline = time.monotonic() + 120
    while "started" not in log_of(tmp_path, "tuner1"):
        assert time.monotonic() < deadline, log_of(tmp_path, "tuner1")
        time.sleep(0.2)
    processes["tuner1"].kill()
    started = time.monotonic()
    codes = finish(processes, tmp_path)
    print(f"after killing tuner1: the search finished in {time.monotonic() - started:.1f} s")
    assert codes["chief"] == 0 and codes["tuner2"] == 0, \
        {n: log_of(tmp_path, n)[-1500:] for n in processes}
    rows = trials_of(tmp_path / "out")
    assert len(rows) == 4
    failed = [r for r in rows if r["status"] != "COMPLETED"]
    assert len(failed) == 1  # the killed worker's trial, and only it
    assert "'tuner1' stopped responding" in log_of(tmp_path, "chief")
