"""Execute report notebooks with papermill and write `reports/<name>/`.

A run:

1. checks every parameter against the notebook's parameters cell (papermill only warns
   about unknown names) before anything starts: unknown names, wrong types and values
   outside the rule written in the parameter's comment are errors
   (`kerasreports.parameters` describes the rules);
2. claims the output folder (`outputs.claim`: it must be new, empty or marked as
   kerasreports'; anything else is refused untouched) and locks it for the run (a second
   run into it refuses, naming this one), then removes what killed runs left there;
3. executes each notebook into a hidden work folder beside the report's, streaming each
   cell's output (Keras' per-epoch lines) to the terminal;
4. on success, exports HTML, moves the previous report's `tuning/` (written by
   `kerasreports tune`) into the new folder and swaps it into `reports/<name>/` in one
   step; on failure, leaves the previous report as it was, keeps the partial notebook as
   `reports/<name>/failed.ipynb`, and says which cell failed with which error;
5. rebuilds `reports/index.html` and `reports/README.md` from every report's metrics.json
   (one that cannot be read is a row saying so, not an error).

SIGINT (Ctrl-C) or SIGTERM stops the kernel, keeps the partial notebook as failed.ipynb,
removes the work folder and raises `Interrupted` (exit status 130 or 143); a SIGKILLed
run's leftovers are removed by the next run into the same folder.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import signal
import sys
import threading
import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kerasreports import catalog, outputs
from kerasreports.parameters import resolve as resolve_parameters

log = logging.getLogger("kerasreports")

# The kernel must not capture C-level stdout/stderr: TensorFlow's C++ log lines would
# otherwise land in the executed notebook. They go to the terminal instead.
KERNEL_ARGUMENTS = ["--IPKernelApp.capture_fd_output=False"]

# What a finished report notebook must have written into its output_dir.
REPORT_FILES = ("metrics.json", "summary.md")


@dataclass
class Outcome:
    name: str
    ok: bool
    seconds: float
    report_dir: Path
    error: str = ""
    cached: bool = False  # skipped: its report was made from the same inputs (cache.py)


# ---------------------------------------------------------------- execution


class _PlainFormatter(logging.Formatter):
    """The message alone, without the newline papermill leaves on each cell output."""

    def format(self, record):
        return record.getMessage().rstrip("\n")


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever `sys.stdout` is when a record comes (Jupyter, pytest and
    `contextlib.redirect_stdout` all replace it), never to a stream closed since."""

    def emit(self, record):
        self.stream = sys.stdout
        super().emit(record)


def _configure_logging() -> None:
    # papermill logs each cell's output at INFO through its own logger: show it plainly,
    # without its cell banners and rich-output reprs (kerasreports.terminal).
    from kerasreports.terminal import PapermillNoise

    handler = _StdoutHandler()
    handler.setFormatter(_PlainFormatter())
    handler.addFilter(PapermillNoise())
    for name in ("papermill", "kerasreports"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def export_html(notebook: Path, target: Path) -> None:
    import nbconvert
    import nbformat

    body, _ = nbconvert.HTMLExporter().from_notebook_node(nbformat.read(notebook, as_version=4))
    target.write_text(body, encoding="utf-8")


def _failure_message(error: Exception) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        first_line = (error.source or "").strip().splitlines()
        where = f"cell {error.cell_index} (In [{error.exec_count}])"
        if first_line:
            where += f", which begins `{first_line[0][:80]}`"
        return f"{where} raised {error.ename}: {error.evalue}"
    return f"{type(error).__name__}: {error}"


@contextmanager
def _kernel_environment(folder: str | Path | None, restart: bool,
                        tensorboard: str | Path | None = None):
    """The kernel's environment for `kerasreports.resume`: where to checkpoint (None: not
    at all), whether to discard an interrupted run's checkpoints first, this runner's pid,
    and where TensorBoard logs go (None: the caller's $KERASREPORTS_TENSORBOARD, if any).
    Set around the kernel's start only, so a caller's own environment is left as it was."""
    from kerasreports import resume

    values = {resume.ENV_FOLDER: "" if folder is None else str(Path(folder).expanduser()),
              resume.ENV_RESTART: "1" if restart else "",
              resume.ENV_RUNNER: str(os.getpid())}
    if tensorboard is not None:
        values[resume.ENV_TENSORBOARD] = str(Path(tensorboard).expanduser().resolve())
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_report(report: catalog.Report, parameters: dict, output_root: Path,
               signals: _Signals | None = None, *, checkpoints: str | Path | None = None,
               restart: bool = False, final_dir: Path | None = None,
               key_parts: dict | None = None, label: str | None = None,
               tensorboard: str | Path | None = None) -> Outcome:
    """Execute one report notebook; move its results into place (`final_dir`, default
    `output_root/NAME`) only if it finished, with its cache key (`cache.key_parts`) when
    given. `output_root` must be claimed and locked (`run` does)."""
    import papermill

    signals = signals or _Signals()
    final_dir = final_dir or output_root / report.name
    label = label or report.name
    work_dir = outputs.work_dir(output_root, report.name)
    executed = work_dir / f"{report.name}.ipynb"
    started = time.time()
    log.info("=== %s (%s profile): %s", label, parameters["profile"], report.title)
    try:
        # The kernel runs where the user ran the command, so `./data` means their ./data.
        with _kernel_environment(checkpoints, restart, tensorboard):
            papermill.execute_notebook(
                str(report.notebook), str(executed),
                parameters={**parameters, "output_dir": str(work_dir)},
                kernel_name="python3", cwd=os.getcwd(),
                kernel_manager_class=_kernel_manager(), log_output=True,
                progress_bar=False, extra_arguments=KERNEL_ARGUMENTS,
            )
        missing = [f for f in REPORT_FILES if not (work_dir / f).is_file()]
        if missing:
            raise RuntimeError(f"the notebook finished without writing {', '.join(missing)} "
                               f"(does its last cell call rec.finish()?)")
        export_html(executed, work_dir / f"{report.name}.html")
        if key_parts is not None:
            from kerasreports import cache

            cache.write(work_dir, key_parts)
        with signals.deferred():  # a signal now waits for the new report to be in place
            move_into_place(work_dir, final_dir)
    except Interrupted as stop:  # Ctrl-C or SIGTERM: stop the kernel, keep the evidence
        _stop_kernels()
        kept = keep_partial(executed, final_dir)
        shutil.rmtree(work_dir, ignore_errors=True)
        stop.report, stop.partial = label, kept
        raise
    except Exception as error:  # the notebook failed: keep the old report, keep the evidence
        message = _failure_message(error)
        kept = keep_partial(executed, final_dir)
        shutil.rmtree(work_dir, ignore_errors=True)
        log.error("!!! %s failed: %s", label, message)
        log.error("    partial notebook: %s", kept or "none (the kernel did not start)")
        return Outcome(label, False, time.time() - started, final_dir, message)
    seconds = time.time() - started
    log.info("=== %s done in %.0f s: %s", label, seconds, final_dir)
    return Outcome(label, True, seconds, final_dir)


def keep_partial(executed: Path, final_dir: Path) -> Path | None:
    """Copy the executed (partial) notebook to `final_dir/failed.ipynb`, atomically."""
    if not executed.is_file():
        return None
    final_dir.mkdir(exist_ok=True)
    outputs.write_file(final_dir / "failed.ipynb", executed.read_text(encoding="utf-8"))
    return final_dir / "failed.ipynb"


# Written into reports/<name>/ by `kerasreports tune`, not by the notebook: a new report
# takes them over (tuning/, and the hidden folder a running tune stages a new one in).
CARRIED = ("tuning", ".tuning-*")


def move_into_place(new: Path, final: Path) -> None:
    """Replace `final` by `new` in one step, moving `final`'s tuning summary into `new`."""
    carried = []
    if final.is_dir():
        for pattern in CARRIED:
            for entry in final.glob(pattern):
                if not (new / entry.name).exists():
                    entry.rename(new / entry.name)  # a rename: a running tune keeps its paths
                    carried.append(entry.name)
    try:
        outputs.replace_dir(new, final)
    except OSError:
        for name in carried:
            (new / name).rename(final / name)
        raise


# ---------------------------------------------------------------- interruption


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM during a run, raised after the cleanup; the CLI exits with
    `exit_status`. A KeyboardInterrupt, not an Exception: raised from a signal handler
    anywhere in papermill or jupyter_client, it must not meet an `except Exception`."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum, self.report, self.partial = signum, None, None

    @property
    def exit_status(self) -> int:
        return 128 + self.signum  # 130 for SIGINT, 143 for SIGTERM, as a shell reports

    def __str__(self) -> str:
        said = f"interrupted by {signal.Signals(self.signum).name}"
        if not self.report:
            return f"{said}; the reports that had finished are in place"
        kept = f"partial notebook: {self.partial}" if self.partial else "no notebook yet"
        return f"{said} during report {self.report}; its previous report is unchanged; {kept}"


class _Signals:
    """While entered (main thread only), SIGINT and SIGTERM raise `Interrupted`, once."""

    def __init__(self):
        self.fired, self.delaying, self.pending, self.previous = False, False, None, {}

    def _handle(self, signum, frame):
        if self.delaying:
            self.pending = signum
        elif not self.fired:  # a second Ctrl-C during the (short) cleanup is ignored
            self.fired = True
            _stop_kernels(wait=False)  # a kernel shut down gracefully while busy prints
            raise Interrupted(signum)  # the traceback of its cut-off cell's reply

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    @contextmanager
    def deferred(self):
        """A signal arriving inside is kept for `raise_pending`, not acted on half-way."""
        self.delaying = True
        try:
            yield
        finally:
            self.delaying = False

    def raise_pending(self):
        if self.pending is not None and not self.fired:
            self.fired = True
            raise Interrupted(self.pending)


_KERNELS = weakref.WeakSet()


@functools.cache
def _kernel_manager():
    """jupyter_client's kernel manager class, remembering each kernel manager made."""
    from jupyter_client import AsyncKernelManager

    class TrackedKernelManager(AsyncKernelManager):
        def __init__(self, *args, **kwargs):
            # Local sockets (kerasreports.terminal), in a folder of this kernel's own: with
            # the default path ("kernel-ipc" in the working directory) kernels started at
            # the same time by parallel jobs would pick the same socket files.
            import tempfile

            if kwargs.setdefault("transport", "ipc") == "ipc" and "ip" not in kwargs:
                folder = tempfile.mkdtemp(prefix="kerasreports-kernel-")
                kwargs["ip"] = str(Path(folder) / "kernel")
                weakref.finalize(self, shutil.rmtree, folder, True)
            super().__init__(*args, **kwargs)
            _KERNELS.add(self)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            from kerasreports import jobs
            from kerasreports.terminal import KernelStderr

            stderr = KernelStderr(gpus=bool(jobs.visible_gpus()))
            kw.setdefault("stderr", stderr.fd)
            try:
                await super()._async_launch_kernel(kernel_cmd, **kw)
            finally:
                stderr.started()

    return TrackedKernelManager


def _stop_kernels(wait: bool = True) -> None:
    """Kill every kernel still running (with its children: it leads its own session)."""
    for manager in list(_KERNELS):
        process = getattr(getattr(manager, "provisioner", None), "process", None)
        if process is not None and process.returncode is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass  # gone already
            if wait:  # not in a signal handler: Popen.wait takes a lock
                process.wait(timeout=10)


def run(names: list[str], *, profile: str = "smoke", overrides: dict | None = None,
        output_root: str | Path | None = None, checkpoints: str | Path | None = None,
        restart: bool = False, seeds: list[int] | None = None, jobs: int = 1,
        jobs_per_gpu: int = 1, force: bool = False, dask: str | None = None,
        tensorboard: str | Path | None = None) -> list[Outcome]:
    """Run the named reports (all when `names` is empty) and refresh the index.

    `checkpoints`: the folder each fit checkpoints into (`kerasreports.resume`), "default"
    for $KERASREPORTS_CHECKPOINTS or ~/.cache/kerasreports/checkpoints, None for none; a
    rerun of an interrupted run continues it unless `restart`.

    `seeds`: run each report once per seed (`kerasreports.seeds` aggregates them; one seed
    is an ordinary report with that seed). `jobs` > 1 runs the notebooks in that many
    worker processes, `dask` on a Dask scheduler (`kerasreports.jobs`). A report whose
    folder was made from the same inputs is skipped (`kerasreports.cache`) unless `force`.
    `tensorboard`: a folder every fit writes TensorBoard logs into (one run folder per fit).

    Every report's parameters are checked before the first one starts, so a typo in the
    last name does not waste the first report's training time; then the output folder is
    claimed (`outputs.claim`: refused unless new, empty or kerasreports') and locked.
    Raises `Interrupted` on SIGINT or SIGTERM, after cleaning up.
    """
    from kerasreports import jobs as job_runner

    reports = [catalog.get(n) for n in names] if names else list(catalog.REPORTS.values())
    for report in reports:
        if not report.notebook.exists():
            raise FileNotFoundError(
                f"notebook {report.notebook} is missing: reinstall the package (a wheel "
                f"carries the notebooks; a checkout has them in notebooks/)"
            )
    if seeds is not None and "seed" in (overrides or {}):
        from kerasreports.errors import InvalidValueError

        raise InvalidValueError("give the seed either with --seeds or with -p seed, not both")
    # With --seeds, resolving the first seed checks that the notebook has a seed parameter.
    first_seed = {"seed": seeds[0]} if seeds else {}
    planned = [(r, resolve_parameters(r, profile, {**(overrides or {}), **first_seed}))
               for r in reports]
    if jobs > 1 and dask is None:  # refuse a GPU count that cannot work before any output
        job_runner.slot_environments(jobs, jobs_per_gpu, job_runner.visible_gpus())
    # Absolute: the notebook's kernel resolves output_dir from its own working directory.
    output_root = outputs.claim(Path(output_root or outputs.default_output(profile)))
    _configure_logging()
    from kerasreports import backends

    for report, _ in planned:  # hours of a full profile can hang on the backend
        said = backends.advice(report.name, profile)
        if said:
            log.warning("%s", said)
    from kerasreports import index

    if checkpoints == "default":
        from kerasreports import resume

        checkpoints = os.environ.get(resume.ENV_FOLDER) or resume.default_folder()
    outcomes = []
    with outputs.lock(output_root), _Signals() as signals:
        for stale in outputs.remove_stale_work(output_root) + _remove_legacy_work(output_root):
            log.info("removed %s, left by an interrupted run", stale)
        try:
            from kerasreports.plan import Plan

            plan = Plan(output_root, checkpoints, restart, force, tensorboard)
            try:
                for report, parameters in planned:
                    plan.add(report, parameters, seeds)
                outcomes += plan.cached
                if dask is not None:
                    done = job_runner.run_on_dask(plan.specs, dask)
                elif jobs > 1:
                    done = job_runner.run_in_processes(plan.specs, jobs, jobs_per_gpu)
                else:
                    done = []
                    for job in plan.specs:
                        done.append(job_runner.run_job(job, signals))
                        signals.raise_pending()  # one that came while a report moved
                outcomes += [_outcome(o) for o in done]
                outcomes += plan.finish_seeds(outcomes, signals)
            except BaseException:
                plan.discard()  # interrupted: keep the partial notebooks, drop the staging
                raise
        finally:  # after an interruption too: the index shows the failed.ipynb kept
            for problem in index.write(output_root):
                log.warning("index: %s", problem)
    return outcomes


def _outcome(found: dict | Outcome) -> Outcome:
    if isinstance(found, Outcome):
        return found
    return Outcome(**{**found, "report_dir": Path(found["report_dir"])})


def _remove_legacy_work(output_root: Path) -> list[Path]:
    """The `.NAME-XXXXXXXX` folders of runs killed before kerasreports named them -work-."""
    found = [p for name in catalog.REPORTS for p in output_root.glob(f".{name}-*")
             if re.fullmatch(rf"\.{re.escape(name)}-[a-z0-9_]{{8}}", p.name) and p.is_dir()]
    for path in found:
        shutil.rmtree(path, ignore_errors=True)
    return found
