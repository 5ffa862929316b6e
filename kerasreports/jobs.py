"""Running report notebooks as independent jobs: one after another, in N worker
processes (`kerasreports run --jobs N`), or on a Dask cluster (`--dask ADDRESS`).

A job is one notebook execution (a report, or one seed of it), described by a plain,
JSON-serialisable dict (`spec`), and `run_job(spec)` is the one function that executes
it, wherever it runs:

- `--jobs 1` (the default) calls it in the `kerasreports` process, one job after another;
- `--jobs N` starts each job as `python -m kerasreports.jobs` (a fresh process reading
  its spec on stdin), at most N at a time. On a machine with GPUs each worker slot owns
  one GPU (`CUDA_VISIBLE_DEVICES`), or shares one with `--jobs-per-gpu K` (then
  `XLA_PYTHON_CLIENT_PREALLOCATE=false` and `TF_FORCE_GPU_ALLOW_GROWTH=true`, so JAX and
  TensorFlow take memory as they need it rather than most of the GPU at start). Each
  output line is prefixed with its job's name, and a progress line says what runs and
  how many are done, failed and left;
- `--dask ADDRESS` submits the same `run_job` to a Dask distributed scheduler
  (`dask-scheduler` / `dask-worker`, or dask-jobqueue / dask-kubernetes for a cluster):
  the fan-out beyond one machine is Dask's, not a scheduler of ours. The workers need
  the package, the data and the output folder at the same paths (a shared file system),
  and one thread each (`dask worker ADDRESS --nthreads 1`): two notebooks executed by
  papermill in threads of one process interfere (nbclient's event loops).
  Dask rather than Ray: the jobs are independent and coarse (minutes to hours, no shared
  state), which Dask's futures cover with a pure-Python, pip-installable package that
  also runs on SLURM/PBS through dask-jobqueue; Ray's actor model and object store are
  more than this needs and much heavier to install.

A failed job never stops the others: it keeps its failed.ipynb and its outcome says why.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from kerasreports.errors import InvalidValueError

log = logging.getLogger("kerasreports")


def spec(report: str, parameters: dict, output_root: Path, final_dir: Path, *,
         label: str, checkpoints, restart: bool, key_parts: dict | None,
         tensorboard=None) -> dict:
    return {"report": report, "parameters": parameters, "output_root": str(output_root),
            "final_dir": str(final_dir), "label": label,
            "checkpoints": None if checkpoints is None else str(checkpoints),
            "restart": restart, "key_parts": key_parts,
            "tensorboard": None if tensorboard is None else str(tensorboard)}


def run_job(job: dict, signals=None) -> dict:
    """Execute one job; returns its outcome as a dict (`run.Outcome`'s fields)."""
    from dataclasses import asdict

    from kerasreports import catalog, run

    outcome = run.run_report(
        catalog.get(job["report"]), job["parameters"], Path(job["output_root"]), signals,
        final_dir=Path(job["final_dir"]), checkpoints=job["checkpoints"],
        restart=job["restart"], key_parts=job["key_parts"], label=job["label"],
        tensorboard=job.get("tensorboard"))
    return {**asdict(outcome), "report_dir": str(outcome.report_dir)}


# ---------------------------------------------------------------- GPUs


def visible_gpus() -> list[str]:
    """The GPUs jobs may use: CUDA_VISIBLE_DEVICES when set, else what nvidia-smi lists."""
    listed = os.environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        return [g.strip() for g in listed.split(",") if g.strip() and g.strip() != "-1"]
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        found = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True,
                               timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [str(i) for i, line in enumerate(found.splitlines()) if line.startswith("GPU ")]


def slot_environments(jobs: int, jobs_per_gpu: int, gpus: list[str]) -> list[dict]:
    """The environment variables of each of `jobs` worker slots."""
    if jobs < 1:
        raise InvalidValueError(f"--jobs must be at least 1, not {jobs}")
    if jobs_per_gpu < 1:
        raise InvalidValueError(f"--jobs-per-gpu must be at least 1, not {jobs_per_gpu}")
    if not gpus:
        return [{} for _ in range(jobs)]
    if jobs > len(gpus) * jobs_per_gpu:
        raise InvalidValueError(
            f"--jobs {jobs} needs {-(-jobs // jobs_per_gpu)} GPUs at --jobs-per-gpu "
            f"{jobs_per_gpu}, and {len(gpus)} are visible ({', '.join(gpus)}): lower "
            f"--jobs, or let jobs share GPUs with --jobs-per-gpu")
    slots = []
    for slot in range(jobs):
        env = {"CUDA_VISIBLE_DEVICES": gpus[slot // jobs_per_gpu]}
        if jobs_per_gpu > 1:  # several processes on one GPU: take memory as needed
            env.update(XLA_PYTHON_CLIENT_PREALLOCATE="false", TF_FORCE_GPU_ALLOW_GROWTH="true")
        slots.append(env)
    return slots


# ---------------------------------------------------------------- worker processes


class _Worker:
    """One job running as `python -m kerasreports.jobs`, its output prefixed."""

    def __init__(self, job: dict, env: dict, slot: int):
        self.job, self.slot, self.env = job, slot, env
        self.folder = Path(tempfile.mkdtemp(prefix="kerasreports-job-"))
        self.outcome_file = self.folder / "outcome.json"
        self.started = time.time()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kerasreports.jobs", str(self.outcome_file)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env={**os.environ, **env}, start_new_session=True)
        self.process.stdin.write(json.dumps(job))
        self.process.stdin.close()
        self.reader = threading.Thread(target=self._relay, daemon=True)
        self.reader.start()

    def _relay(self):
        for line in self.process.stdout:
            sys.stdout.write(f"[{self.job['label']}] {line}")
            sys.stdout.flush()

    def outcome(self) -> dict:
        self.reader.join(timeout=10)
        try:
            found = json.loads(self.outcome_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found = {"name": self.job["label"], "ok": False,
                     "seconds": time.time() - self.started,
                     "report_dir": self.job["final_dir"],
                     "error": f"the job's process ended with status "
                              f"{self.process.returncode} before reporting an outcome"}
        shutil.rmtree(self.folder, ignore_errors=True)
        return found

    def stop(self):
        """SIGTERM: the job stops its kernel and keeps its partial notebook itself."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except OSError:
                pass


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _progress(running, done, failed, left, started) -> None:
    names = ", ".join(w.job["label"] for w in running) or "none"
    log.info("[jobs] running: %s | done %d, failed %d, left %d | %s elapsed",
             names, done, failed, left, _elapsed(time.time() - started))


def run_in_processes(specs: list[dict], jobs: int, jobs_per_gpu: int = 1,
                     gpus: list[str] | None = None) -> list[dict]:
    """Run every job, at most `jobs` at a time, each in its own process; returns the
    outcomes in the order of `specs`. On SIGINT/SIGTERM (`run.Interrupted` from the
    caller's signal handler) every running job is stopped, and the interruption raised."""
    environments = slot_environments(jobs, jobs_per_gpu,
                                     visible_gpus() if gpus is None else gpus)
    waiting = list(enumerate(specs))
    running: dict[int, tuple[int, _Worker]] = {}  # slot -> (job index, worker)
    outcomes: dict[int, dict] = {}
    started = time.time()
    try:
        while waiting or running:
            for slot in range(jobs):
                if slot not in running and waiting:
                    index, job = waiting.pop(0)
                    running[slot] = (index, _Worker(job, environments[slot], slot))
                    gpu = environments[slot].get("CUDA_VISIBLE_DEVICES")
                    log.info("[jobs] started %s%s", job["label"],
                             f" on GPU {gpu}" if gpu is not None else "")
                    _progress([w for _, w in running.values()], len(outcomes),
                              sum(not o["ok"] for o in outcomes.values()), len(waiting),
                              started)
            time.sleep(0.2)
            for slot, (index, worker) in list(running.items()):
                if worker.process.poll() is not None:
                    del running[slot]
                    outcomes[index] = worker.outcome()
                    state = "done" if outcomes[index]["ok"] else "FAILED"
                    log.info("[jobs] %s %s in %s", worker.job["label"], state,
                             _elapsed(outcomes[index]["seconds"]))
                    _progress([w for _, w in running.values()], len(outcomes),
                              sum(not o["ok"] for o in outcomes.values()), len(waiting),
                              started)
    except BaseException:
        for _, worker in running.values():
            worker.stop()
        for _, worker in running.values():
            try:
                worker.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(worker.process.pid, signal.SIGKILL)
        raise
    return [outcomes[i] for i in range(len(specs))]


def run_on_dask(specs: list[dict], address: str) -> list[dict]:
    """Submit every job to the Dask scheduler at `address`; returns the outcomes in the
    order of `specs`. A job whose worker died is a failed outcome, not an exception."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise InvalidValueError("--dask needs Dask distributed: pip install -e '.[dask]'"
                                ) from None
    started = time.time()
    with Client(address) as client:
        futures = client.map(run_job, specs, pure=False, key=[
            f"kerasreports-{s['label'].replace(' ', '-')}-{i}" for i, s in enumerate(specs)])
        index = {future.key: i for i, future in enumerate(futures)}
        outcomes: dict[int, dict] = {}
        for future in as_completed(futures):
            i = index[future.key]
            try:
                outcomes[i] = future.result()
            except Exception as error:  # the worker died, or the job raised outside papermill
                outcomes[i] = {"name": specs[i]["label"], "ok": False, "seconds": 0.0,
                               "report_dir": specs[i]["final_dir"],
                               "error": f"{type(error).__name__}: {error}"}
            log.info("[dask] %s %s | done %d of %d | %s elapsed", specs[i]["label"],
                     "done" if outcomes[i]["ok"] else "FAILED", len(outcomes), len(specs),
                     _elapsed(time.time() - started))
    return [outcomes[i] for i in range(len(specs))]


def _main(outcome_file: str) -> int:
    """A worker process: one job from stdin, its outcome into `outcome_file`."""
    from kerasreports import outputs, run

    run._configure_logging()
    job = json.loads(sys.stdin.read())
    try:
        with run._Signals() as signals:
            outcome = run_job(job, signals)
    except run.Interrupted as stop:
        outcome = {"name": job["label"], "ok": False, "seconds": 0.0,
                   "report_dir": job["final_dir"], "error": str(stop)}
        outputs.write_file(Path(outcome_file), json.dumps(outcome))
        return stop.exit_status
    outputs.write_file(Path(outcome_file), json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1]))
