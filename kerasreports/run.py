"""Execute report notebooks with papermill and write `reports/<name>/`.

A run of one report:

1. checks every parameter against the notebook's parameters cell (papermill only warns
   about unknown names) before anything starts: unknown names, wrong types and values
   outside the range written in the parameter's comment are errors;
2. executes the notebook into a temporary folder beside the report's, streaming each
   cell's output (Keras' per-epoch lines) to the terminal;
3. on success, exports HTML and swaps the folder into `reports/<name>/`; on failure,
   leaves the previous report as it was, keeps the partial notebook as
   `reports/<name>/failed.ipynb`, and says which cell failed with which error;
4. rebuilds `reports/index.html` and `reports/README.md` from every report's metrics.json.

Parameter comments carry their constraints in brackets, for example
`epochs = 10  # [min 1] ...`, `rate = 0.2  # [0..0.9] ...`,
`dataset = "mnist"  # [one of mnist, fashion_mnist] ...`. (No "=" in a comment:
papermill skips any parameter line holding two.)
"""

from __future__ import annotations

import ast
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from kerasreports import catalog

log = logging.getLogger("kerasreports")

# The kernel must not capture C-level stdout/stderr: TensorFlow's C++ log lines would
# otherwise land in the executed notebook. They go to the terminal instead.
KERNEL_ARGUMENTS = ["--IPKernelApp.capture_fd_output=False"]

# What a finished report notebook must have written into its output_dir.
REPORT_FILES = ("metrics.json", "summary.md")

# Injected by the runner, never taken from the user.
RUNNER_PARAMETERS = ("output_dir", "profile")


class ParameterError(ValueError):
    """A parameter given to a report is unknown, of the wrong type or out of range."""


@dataclass
class Outcome:
    name: str
    ok: bool
    seconds: float
    report_dir: Path
    error: str = ""


# ---------------------------------------------------------------- parameters


@dataclass(frozen=True)
class NotebookParameter:
    name: str
    default: object
    help: str

    @property
    def type(self) -> type:
        return type(self.default)

    @property
    def constraint(self) -> str:
        match = re.match(r"\s*\[([^\]]*)\]", self.help)
        return match.group(1).strip() if match else ""


def notebook_parameters(notebook: Path) -> dict[str, NotebookParameter]:
    """The parameters cell of `notebook`, as papermill reads it."""
    import papermill

    found = {}
    for name, info in papermill.inspect_notebook(str(notebook)).items():
        found[name] = NotebookParameter(name, ast.literal_eval(info["default"]), info["help"])
    return found


def _coerce(parameter: NotebookParameter, value):
    """`value` (from the command line: a string) as the parameter's type."""
    expected = parameter.type
    if isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
        return value
    if not isinstance(value, str):
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        raise ParameterError(f"{parameter.name} must be {expected.__name__}, got {value!r}")
    text = value.strip()
    try:
        if expected is bool:
            if text.lower() in ("true", "1", "yes"):
                return True
            if text.lower() in ("false", "0", "no"):
                return False
            raise ValueError
        if expected is int:
            return int(text)
        if expected is float:
            return float(text)
        if expected is str:
            return value
    except ValueError:
        pass
    raise ParameterError(
        f"{parameter.name} must be {expected.__name__} (default {parameter.default!r}), "
        f"got {value!r}"
    )


def _check_constraint(parameter: NotebookParameter, value) -> None:
    rule = parameter.constraint
    if not rule:
        return
    if rule.startswith("one of"):
        choices = [c.strip() for c in rule[len("one of"):].split(",")]
        if str(value) not in choices:
            raise ParameterError(
                f"{parameter.name}={value!r} is not allowed; choose one of: {', '.join(choices)}"
            )
        return
    ok = True
    if m := re.fullmatch(r"(min|max)\s+(-?[\d.e+-]+)", rule):
        bound = float(m.group(2))
        ok = value >= bound if m.group(1) == "min" else value <= bound
    elif m := re.fullmatch(r"(-?[\d.e+-]+)\s*\.\.\s*(-?[\d.e+-]+)", rule):
        ok = float(m.group(1)) <= value <= float(m.group(2))
    else:
        raise ValueError(f"notebook parameter {parameter.name} has a malformed rule [{rule}]; "
                         f"write [min N], [max N], [A..B] or [one of a, b]")
    if not ok:
        raise ParameterError(
            f"{parameter.name}={value!r} is out of range ({rule}); the default is "
            f"{parameter.default!r}"
        )


def resolve_parameters(report: catalog.Report, profile: str, overrides: dict) -> dict:
    """The parameters papermill injects: the profile's, then the user's, all checked."""
    declared = notebook_parameters(report.notebook)
    wanted = {**report.profile_parameters(profile), **overrides}
    resolved = {}
    for name, value in wanted.items():
        if name in RUNNER_PARAMETERS and name in overrides:
            raise ParameterError(f"{name} is set by the runner (use --profile / --output)")
        if name not in declared:
            settable = [n for n in declared if n not in RUNNER_PARAMETERS]
            raise ParameterError(
                f"report {report.name!r} has no parameter {name!r}; its parameters are: "
                f"{', '.join(settable)}"
            )
        parameter = declared[name]
        resolved[name] = _coerce(parameter, value)
        _check_constraint(parameter, resolved[name])
    resolved["profile"] = profile
    return resolved


# ---------------------------------------------------------------- execution


class _PlainFormatter(logging.Formatter):
    """The message alone, without the newline papermill leaves on each cell output."""

    def format(self, record):
        return record.getMessage().rstrip("\n")


def _configure_logging() -> None:
    # papermill logs each cell's output at INFO through its own logger: show it plainly.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_PlainFormatter())
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


def run_report(report: catalog.Report, parameters: dict, output_root: Path) -> Outcome:
    """Execute one report notebook; move its results into place only if it finished."""
    import papermill

    output_root.mkdir(parents=True, exist_ok=True)
    final_dir = output_root / report.name
    work_dir = Path(tempfile.mkdtemp(prefix=f".{report.name}-", dir=output_root))
    work_dir.chmod(0o755)  # mkdtemp makes it private; a report is for everyone to read
    executed = work_dir / f"{report.name}.ipynb"
    started = time.time()
    log.info("=== %s (%s profile): %s", report.name, parameters["profile"], report.title)
    try:
        # The kernel runs where the user ran the command, so `./data` means their ./data.
        papermill.execute_notebook(
            str(report.notebook), str(executed),
            parameters={**parameters, "output_dir": str(work_dir)},
            kernel_name="python3", cwd=os.getcwd(),
            log_output=True, progress_bar=False, extra_arguments=KERNEL_ARGUMENTS,
        )
        missing = [f for f in REPORT_FILES if not (work_dir / f).is_file()]
        if missing:
            raise RuntimeError(f"the notebook finished without writing {', '.join(missing)} "
                               f"(does its last cell call rec.finish()?)")
        export_html(executed, work_dir / f"{report.name}.html")
    except Exception as error:  # the notebook failed: keep the old report, keep the evidence
        message = _failure_message(error)
        final_dir.mkdir(exist_ok=True)
        if executed.exists():
            shutil.copyfile(executed, final_dir / "failed.ipynb")
        shutil.rmtree(work_dir, ignore_errors=True)
        log.error("!!! %s failed: %s", report.name, message)
        log.error("    partial notebook: %s", final_dir / "failed.ipynb")
        return Outcome(report.name, False, time.time() - started, final_dir, message)
    _swap_into_place(work_dir, final_dir)
    seconds = time.time() - started
    log.info("=== %s done in %.0f s: %s", report.name, seconds, final_dir)
    return Outcome(report.name, True, seconds, final_dir)


def _swap_into_place(new: Path, final: Path) -> None:
    """Replace `final` with `new`, keeping `final` until `new` is in place."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}-old-{os.getpid()}")
        final.rename(old)
    new.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def default_output(profile: str) -> Path:
    """`reports/` for real-data runs; `reports/smoke/` for the smoke profile, so that a
    first offline run never replaces the committed real-data reports."""
    return Path("reports/smoke") if profile == "smoke" else Path("reports")


def run(names: list[str], *, profile: str = "smoke", overrides: dict | None = None,
        output_root: str | Path | None = None) -> list[Outcome]:
    """Run the named reports (all when `names` is empty) and refresh the index.

    Every report's parameters are checked before the first one starts, so a typo in the
    last name does not waste the first report's training time.
    """
    reports = [catalog.get(n) for n in names] if names else list(catalog.REPORTS.values())
    for report in reports:
        if not report.notebook.exists():
            raise FileNotFoundError(
                f"notebook {report.notebook} is missing; kerasreports runs from a checkout "
                f"of the repository (pip install -e .)"
            )
    planned = [(r, resolve_parameters(r, profile, dict(overrides or {}))) for r in reports]
    # Absolute: the notebook's kernel resolves output_dir from its own working directory.
    output_root = Path(output_root or default_output(profile)).resolve()
    _configure_logging()
    outcomes = [run_report(report, parameters, output_root) for report, parameters in planned]
    from kerasreports import index

    index.write(output_root)
    return outcomes
