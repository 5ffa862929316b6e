"""KerasTuner's chief/worker mode, and everything here that uses KerasTuner's private API.

PRIVATE API: `watch_workers` and `trial_from_state` import `keras_tuner.src.engine.trial`,
and `watch_workers` reads and changes the oracle's `tuner_ids` and `ongoing_trials` and
wraps its methods; `check_outcome` reads `trials` and `start_order`. None of this is
documented KerasTuner API, so it is kept in this one file. Tested with keras-tuner 1.4.8
(the test suite, chief and workers included); 1.4.7's `engine/trial.py`, `oracle.py`,
`base_tuner.py` and `distribute/oracle_client.py` differ from 1.4.8's only in export
names. pyproject.toml bounds keras-tuner to `>=1.4.7,<1.5` for this reason: check this
file before widening it.

Distributed search is driven by three environment variables: `KERASTUNER_ORACLE_IP` and
`KERASTUNER_ORACLE_PORT` (where the chief listens) and `KERASTUNER_TUNER_ID` ("chief" for
the one process that decides the trials, any other unique name for each worker). The
chief only serves trials; workers train them. Two things are added to KerasTuner here:

- A search whose trials all failed, or most of them, is an error naming the first
  failure (`check_outcome`). (KerasTuner itself returns normally with a "best" model,
  e.g. when every trial failed importing TensorBoard's hparams plugin.)
- A worker that dies would leave the chief waiting for it forever. Workers send a
  heartbeat (a cheap `get_trial` call) every few seconds while training
  (`start_heartbeat`); when a worker is silent for `worker_timeout` seconds, the chief
  forgets it and records its trial, if it had one, as failed with a message saying so
  (`watch_workers`); the other workers finish the search.
"""

from __future__ import annotations

import os
import threading
import time

from kerasreports.tuning.errors import TuningFailedError

HEARTBEAT_SECONDS = 2.0


def role() -> str:
    """`single`, `chief` or `worker`, from KerasTuner's environment variables."""
    if not os.environ.get("KERASTUNER_ORACLE_IP"):
        return "single"
    return "chief" if "chief" in os.environ.get("KERASTUNER_TUNER_ID", "") else "worker"


def start_heartbeat(oracle, trial_id: str) -> threading.Event | None:
    """On a worker: ask the chief for `trial_id` every few seconds until the event is set.

    A thread, not a training callback, so that model building, the first step's tracing,
    validation and checkpointing (minutes, for big models) do not look like silence.
    """
    if role() != "worker":
        return None
    stop = threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                oracle.get_trial(trial_id)
            except Exception:  # the chief busy or gone: the search itself will say so
                pass

    threading.Thread(target=beat, name="kerasreports-heartbeat", daemon=True).start()
    return stop


def watch_workers(oracle, timeout: float) -> threading.Event:
    """On the chief: forget a worker silent for `timeout` s, failing its trial if it had one.

    KerasTuner's chief ends only when no trial is ongoing and no worker is registered, so
    one dead worker would keep it waiting forever. Every call a worker makes (trials,
    heartbeats) counts as a sign of life. Returns an event; set it to stop watching.
    """
    import keras_tuner
    from keras_tuner.src.engine import trial as trial_module

    last_seen: dict[str, float] = {}  # worker id -> last call
    owner: dict[str, str] = {}  # trial id -> worker id

    def stamp(name, args, result):
        if name == "create_trial":
            tuner_id = args[0]
            owner[result.trial_id] = tuner_id
        else:
            trial_id = args[0].trial_id if name == "end_trial" else args[0]
            tuner_id = owner.get(trial_id)
        if tuner_id is not None:
            last_seen[tuner_id] = time.monotonic()

    for name in ("create_trial", "get_trial", "update_trial", "end_trial"):
        original = getattr(oracle, name)

        def stamped(*args, _original=original, _name=name, **kwargs):
            result = _original(*args, **kwargs)
            stamp(_name, args, result)
            return result

        setattr(oracle, name, stamped)

    @keras_tuner.synchronized  # the oracle's own lock: no trial may end meanwhile
    def forget_if_silent(oracle, tuner_id: str):
        try:
            silent = time.monotonic() - last_seen.setdefault(tuner_id, time.monotonic())
            if silent < timeout or tuner_id not in oracle.tuner_ids:
                return
            trial = oracle.ongoing_trials.get(tuner_id)
            what = f"during trial {trial.trial_id}" if trial else "between trials"
            message = (f"worker {tuner_id!r} stopped responding {what} (silent for "
                       f"{silent:.0f} s, limit {timeout:g} s)")
            if trial is not None:
                message += "; its trial is recorded as failed so that the search can finish"
                oracle.end_trial(trial_module.Trial(
                    trial.hyperparameters, trial_id=trial.trial_id,
                    status=trial_module.TrialStatus.FAILED, message=message))
            oracle.tuner_ids.discard(tuner_id)
            print(f"[chief] {message}", flush=True)
        except Exception as error:  # never leave the oracle's lock held by an exception
            print(f"[chief] could not retire worker {tuner_id!r}: {error}", flush=True)

    stop = threading.Event()

    def watch():
        while not stop.wait(1.0):
            for tuner_id in list(oracle.tuner_ids):
                forget_if_silent(oracle, tuner_id)

    threading.Thread(target=watch, name="kerasreports-worker-watch", daemon=True).start()
    return stop


def check_outcome(oracle) -> None:
    """Raise `TuningFailedError` if no trial completed or more failed than completed."""
    trials = [oracle.trials[t] for t in oracle.start_order if t in oracle.trials]
    completed = [t for t in trials if t.status == "COMPLETED"]
    failed = [t for t in trials if t.status in ("FAILED", "INVALID")]
    if trials and not completed and not failed:
        raise TuningFailedError(f"none of {len(trials)} trials completed")
    if failed and (not completed or len(failed) > len(completed)):
        first = failed[0]
        detail = "\n".join((first.message or "no message").strip().splitlines()[-6:])
        raise TuningFailedError(
            f"{len(failed)} of {len(trials)} trials failed, {len(completed)} completed: no "
            f"result to trust. The first failure (trial {first.trial_id}):\n{detail}")


def trial_from_state(state: dict):
    """A saved `trial.json` read back as KerasTuner's reload does (`Trial.from_state`);
    raises whatever KerasTuner raises for a missing key or a wrong type. (Not
    distributed, but private API: `kerasreports.tuning.state` checks saved state with it.)"""
    from keras_tuner.src.engine import trial as trial_module

    return trial_module.Trial.from_state(state)
