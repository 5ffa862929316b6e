"""Fits that resume (`kerasreports.resume`): checkpoints at epoch ends, batches fixed by
(seed, epoch), and a real run killed with SIGKILL and continued by the same command."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from kerasreports import resume, training

ROOT = Path(__file__).resolve().parent.parent


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 8)).astype("float32")
    return x, (x @ rng.normal(size=(8, 1))).astype("float32")


def _model(name="m"):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dropout(0.2), keras.layers.Dense(1)], name=name)
    model.compile(keras.optimizers.Adam(0.01), "mse")
    return model


class _Crash(keras.callbacks.Callback):
    """Fails the fit at the end of epoch `after` (1-based), as a lost machine would."""

    def __init__(self, after):
        super().__init__()
        self.after = after

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.after:
            raise RuntimeError("machine lost")


def _begin(folder: Path | None, monkeypatch, **environment):
    if folder is None:
        monkeypatch.delenv(resume.ENV_FOLDER, raising=False)
    else:
        monkeypatch.setenv(resume.ENV_FOLDER, str(folder))
    return resume.begin("mnist_dae", {"seed": 0}, {"git_revision": "abc", "backend": "x",
                                                  **environment}, seed=0)


def test_a_continued_fit_has_the_losses_of_an_uninterrupted_one(tmp_path, monkeypatch):
    x, y = _data()
    _begin(None, monkeypatch)
    timer = training.EpochTimer()
    whole = resume.fit(_model(), x, y, batch_size=16, epochs=5, validation_data=(x, y),
                       verbose=0, callbacks=[timer]).history

    run = _begin(tmp_path, monkeypatch)
    with pytest.raises(RuntimeError, match="machine lost"):
        resume.fit(_model(), x, y, batch_size=16, epochs=5, validation_data=(x, y),
                   verbose=0, callbacks=[training.EpochTimer(), _Crash(after=3)])
    saved = sorted(p.name for p in run.folder.iterdir())
    assert saved == ["fit-001.npz", "run.json"]  # epochs 1-2 saved; the crash came in 3

    run = _begin(tmp_path, monkeypatch)  # the rerun: a fresh model, the same run key
    timer = training.EpochTimer()
    continued = resume.fit(_model(), x, y, batch_size=16, epochs=5, validation_data=(x, y),
                           verbose=0, callbacks=[timer]).history
    assert run.resumed == [{"fit": 1, "model": "m", "from_epoch": 2, "epochs": 5,
                            "finished": False}]
    assert len(timer.seconds) == 5 and timer.seconds == sorted(timer.seconds)
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(continued[key], whole[key], rtol=1e-6)

    # A rerun after the fit finished restores it without training (and so without
    # calling fit's callbacks), with the whole history and the trained weights.
    run = _begin(tmp_path, monkeypatch)
    trained = _model()
    restored = resume.fit(trained, x, y, batch_size=16, epochs=5, verbose=0,
                          callbacks=[_Crash(after=1)]).history
    np.testing.assert_allclose(restored["loss"], whole["loss"], rtol=1e-6)
    np.testing.assert_allclose(trained.evaluate(x, y, verbose=0), whole["val_loss"][-1],
                               rtol=1e-5)
    resume.finish(run)
    assert not run.folder.exists()


def test_the_run_key_names_every_input_and_restart_discards(tmp_path, monkeypatch):
    base = resume.run_key("r", {"seed": 0}, "abc", "tensorflow")
    assert base == resume.run_key("r", {"seed": 0}, "abc", "tensorflow")
    assert len({base, resume.run_key("r", {"seed": 1}, "abc", "tensorflow"),
                resume.run_key("r", {"seed": 0}, "abd", "tensorflow"),
                resume.run_key("r", {"seed": 0}, "abc", "jax"),
                resume.run_key("q", {"seed": 0}, "abc", "tensorflow")}) == 5
    run = _begin(tmp_path, monkeypatch)
    (run.folder / "fit-001.npz").write_bytes(b"old")
    monkeypatch.setenv(resume.ENV_RESTART, "1")
    again = _begin(tmp_path, monkeypatch)
    assert again.folder == run.folder and not any(run.folder.iterdir())


def test_a_checkpoint_of_another_model_is_refused_by_name(tmp_path, monkeypatch):
    x, y = _data()
    _begin(tmp_path, monkeypatch)
    resume.fit(_model("first"), x, y, batch_size=16, epochs=1, verbose=0)
    _begin(tmp_path, monkeypatch)
    with pytest.raises(RuntimeError, match="holds model 'first'.*--restart"):
        resume.fit(_model("second"), x, y, batch_size=16, epochs=1, verbose=0)


def test_an_own_loop_checkpoint_keeps_arrays_and_state(tmp_path, monkeypatch):
    _begin(None, monkeypatch)
    idle = resume.loop("scratch")  # not checkpointed: nothing is written or restored
    idle.save({"p0": np.ones(2)}, epoch=1, epochs=2)
    assert idle.restore() is None

    _begin(tmp_path, monkeypatch)
    first = resume.loop("scratch, lr 4")
    rng = np.random.default_rng(0)
    rng.permutation(10)
    first.save({"p0": np.arange(3.0)}, epoch=1, epochs=4, rng=rng.bit_generator.state,
               history={"loss": [0.5]})
    run = _begin(tmp_path, monkeypatch)
    saved = resume.loop("scratch, lr 4").restore()
    assert saved["epoch"] == 1 and not saved["finished"] and saved["history"] == {"loss": [0.5]}
    np.testing.assert_array_equal(saved["arrays"]["p0"], np.arange(3.0))
    again = np.random.default_rng(99)
    again.bit_generator.state = saved["rng"]
    assert again.permutation(10).tolist() == rng.permutation(10).tolist()
    assert run.resumed == [{"fit": 1, "model": "scratch, lr 4", "from_epoch": 1, "epochs": 4,
                            "finished": False}]
    _begin(tmp_path, monkeypatch)
    with pytest.raises(RuntimeError, match="belongs to 'scratch, lr 4'"):
        resume.loop("scratch, lr 8").restore()


def test_validation_split_is_keras_last_fraction():
    x, y = np.arange(10)[:, None], np.arange(10)
    (train_x, train_y), (val_x, val_y) = resume._split(x, y, 0.2)
    assert train_y.tolist() == list(range(8)) and val_y.tolist() == [8, 9]
    with pytest.raises(ValueError, match="leaves no"):
        resume._split(x, y, 0.95)


def _run_command(output: Path, checkpoints: Path) -> list[str]:
    return [sys.executable, "-m", "kerasreports.cli", "run", "mnist_dae", "--profile",
            "smoke", "-p", "dae_epochs", "6", "--output", str(output),
            "--checkpoints", str(checkpoints)]


def _saved_epoch(checkpoint: Path) -> int:
    try:
        with np.load(checkpoint) as data:
            return json.loads(str(data["meta"]))["epoch"]
    except (OSError, ValueError, KeyError):
        return 0  # not written yet


@pytest.mark.notebook
def test_a_run_killed_by_sigkill_resumes_with_the_same_numbers(tmp_path):
    """The smoke run of mnist_dae, its DAE killed after its 2nd of 6 epochs, rerun."""
    environment = {**os.environ, "KERASREPORTS_DATA": str(tmp_path / "no-data")}
    checkpoints = tmp_path / "checkpoints"
    whole = subprocess.run(_run_command(tmp_path / "whole", tmp_path / "unused"),
                           cwd=tmp_path, env=environment, capture_output=True, text=True)
    assert whole.returncode == 0, whole.stdout[-3000:] + whole.stderr[-3000:]

    killed = subprocess.Popen(_run_command(tmp_path / "killed", checkpoints), cwd=tmp_path,
                              env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and killed.poll() is None:
        found = list(checkpoints.glob("*/fit-001.npz"))
        if found and _saved_epoch(found[0]) >= 2:
            break
        time.sleep(0.05)
    os.killpg(killed.pid, signal.SIGKILL)  # the runner and its kernel, at once
    killed.wait()
    saved = _saved_epoch(next(checkpoints.glob("*/fit-001.npz")))
    assert 2 <= saved < 6, f"the kill came after epoch {saved} of the DAE's 6"

    again = subprocess.run(_run_command(tmp_path / "killed", checkpoints), cwd=tmp_path,
                           env=environment, capture_output=True, text=True)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    first = json.loads((tmp_path / "whole/mnist_dae/metrics.json").read_text())
    resumed = json.loads((tmp_path / "killed/mnist_dae/metrics.json").read_text())
    assert resumed["resumed"] == [{"fit": 1, "model": "dae", "from_epoch": saved,
                                   "epochs": 6, "finished": False}]
    assert first["resumed"] == []
    numbers = {k for k, v in first["metrics"].items() if isinstance(v, float)}
    assert {"dae_final_train_loss", "dae_final_val_loss"} <= numbers
    for key in numbers:
        assert resumed["metrics"][key] == pytest.approx(first["metrics"][key], rel=1e-5), key
    summary = (tmp_path / "killed/mnist_dae/summary.md").read_text()
    assert f"dae (continued after epoch {saved} of 6)" in summary
    assert not any(checkpoints.iterdir())  # the finished run removed its checkpoints
