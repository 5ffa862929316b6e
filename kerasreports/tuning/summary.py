"""A search's summary folder: claimed, written whole, and read back for notebooks.

When a search ends, `reports/<name>/tuning/` (`reports/smoke/...` for the smoke profile,
or `--output`) gets a summary: every trial sorted by objective (`trial_rows`), the best
hyperparameters, a figure of the objective per trial, and the best model scored on
held-out data beside the source's numbers (`_beside_source`).

- The summary folder is claimed with `outputs.claim`: it must be new, empty, or an
  earlier summary (it holds the `.kerasreports-output` marker and only what a summary
  holds, `SUMMARY_ENTRIES`). Anything else (a project, a home folder, a run's report
  tree, a folder holding or inside the search state) is refused with
  `outputs.OutputFolderError` and nothing in it is touched.
- The new summary is built in a hidden sibling folder and swapped in whole
  (`outputs.replace_dir`); a search that fails leaves no summary.
- `latest_summary_markdown` and `objective_figure` read a summary back (no Keras
  imported); a notebook shows them with `record.search_summary`.
"""

from __future__ import annotations

import json
import shutil
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from kerasreports import catalog, outputs, record, runtime

if TYPE_CHECKING:
    from kerasreports.tuning.tasks import SearchData, TuneTask

# What `write_summary` puts in the summary folder; a folder holding more is not replaced.
SUMMARY_ENTRIES = frozenset({outputs.MARKER, "summary.md", "results.json", "figures"})
SUMMARY_MARKER_TEXT = ("This folder is a search summary written by `kerasreports tune`, "
                       "which replaces it whole (summary.md, results.json, figures/).\n")
STALE_WORK_SECONDS = 3600  # a hidden summary work folder older than this is a killed run's
_LAST_SECTION = "## Objective per trial"  # what a notebook shows as a figure instead


# ------------------------------------------------------------------ the summary folder

def summary_folder(output, name: str, profile: str, project_dir: Path) -> Path:
    """The summary folder, resolved; refused where it and the search state overlap."""
    out = (Path(output).expanduser() if output else _default_output(name, profile)).resolve()
    if out == project_dir or out in project_dir.parents or project_dir in out.parents:
        raise outputs.OutputFolderError(
            f"--output {out} overlaps the search state {project_dir}: replacing the summary "
            f"would delete the search's state, and --overwrite would delete the summary. "
            f"Give an --output outside the search's project folder; nothing was touched.")
    return out


def _default_output(name: str, profile: str) -> Path:
    return outputs.default_output(profile).resolve() / name / "tuning"


def claim_summary_folder(out: Path) -> Path:
    """`outputs.claim` the summary folder, and refuse one holding more than a summary."""
    out = outputs.claim(out, what="output")
    others = sorted(p.name for p in out.iterdir() if p.name not in SUMMARY_ENTRIES)
    if others:
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        raise outputs.OutputFolderError(
            f"--output {out} holds files that a search summary does not ({shown}), and "
            f"`kerasreports tune` replaces its summary folder whole; nothing was touched. "
            f"Give a new or empty folder, or the folder of an earlier search summary.")
    return out


def remove_if_unused(out: Path) -> None:
    """Remove a summary folder this run created if it still holds only the marker."""
    try:
        if out.is_dir() and {p.name for p in out.iterdir()} <= {outputs.MARKER}:
            shutil.rmtree(out)
    except OSError:
        pass


def _remove_stale_work(out: Path) -> None:
    """Remove hidden work folders of `out` that killed runs left beside it.

    The parent is not ours to lock, so only folders older than `STALE_WORK_SECONDS` go: a
    live run's work folder lives for the seconds it takes to write a summary.
    """
    now = time.time()
    for prefix in (outputs.WORK_PREFIX, outputs.OLD_PREFIX):
        for path in out.parent.glob(f".{out.name}{prefix}*"):
            try:
                if path.is_dir() and now - path.stat().st_mtime > STALE_WORK_SECONDS:
                    shutil.rmtree(path, ignore_errors=True)
            except OSError:
                pass


# ------------------------------------------------------------------ writing it

def trial_rows(tuner) -> list[dict]:
    """One row per trial, best first (failed trials last), with its hyperparameters."""
    oracle = tuner.oracle
    direction = oracle.objective.direction
    rows = []
    for trial_id in oracle.start_order:
        trial = oracle.trials[trial_id]
        rows.append({"trial": trial_id, "status": trial.status,
                     oracle.objective.name: trial.score, "best epoch": trial.best_step,
                     **trial.hyperparameters.values})
    sign = -1 if direction == "max" else 1
    return sorted(rows, key=lambda r: (r[oracle.objective.name] is None,
                                       sign * (r[oracle.objective.name] or 0)))


def write_summary(tuner, task: TuneTask, data: SearchData, out: Path, info: dict) -> Path:
    """Write summary.md, results.json and figures/objective.png into a hidden sibling of
    `out`, then swap it in whole; `out` must be (or become) a claimed summary folder."""
    out = claim_summary_folder(out)  # again: the search may have taken hours
    rows = trial_rows(tuner)
    objective = tuner.oracle.objective.name
    best_hp = tuner.get_best_hyperparameters(1)[0].values
    with warnings.catch_warnings():
        # The checkpoint holds the trial's optimizer state too; scoring needs only weights.
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        best_model = tuner.get_best_models(1)[0]
    scores = task.evaluate(best_model, data)
    comparison = _beside_source(task, scores)

    _remove_stale_work(out)
    staging = outputs.work_dir(out.parent, out.name)
    try:
        _write_summary_files(staging, tuner, task, data, info, rows, objective, best_hp,
                             scores, comparison)
        (staging / outputs.MARKER).write_text(SUMMARY_MARKER_TEXT)
        outputs.replace_dir(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print(f"tuning summary: {out / 'summary.md'}", flush=True)
    return out


def _write_summary_files(staging: Path, tuner, task, data, info, rows, objective, best_hp,
                         scores, comparison) -> None:
    from kerasreports import plots

    (staging / "figures").mkdir()
    in_start_order = sorted(rows, key=lambda r: tuner.oracle.start_order.index(r["trial"]))
    fig = plots.objective_per_trial(
        [r["trial"] for r in in_start_order], [r[objective] for r in in_start_order],
        objective=objective, direction=tuner.oracle.objective.direction,
        title=f"{task.report} / {task.builder}: {info['tuner']} search")
    fig.savefig(staging / "figures" / "objective.png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)  # a long-lived process (a test run, a notebook) writes many summaries
    env = runtime.environment()
    result = {**info, "objective": objective, "direction": tuner.oracle.objective.direction,
              "data": data.description, "best_hyperparameters": best_hp,
              "best_model_scores": scores, "beside_source": comparison, "trials": rows,
              "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "environment": env}
    (staging / "results.json").write_text(json.dumps(record._plain(result), indent=2) + "\n")
    completed = sum(r["status"] == "COMPLETED" for r in rows)
    lines = [
        f"# {task.report}: hyperparameter search over `{task.builder}`",
        "",
        f"KerasTuner {info['tuner']} search, profile **{info['profile']}**, seed "
        f"{info['seed']}, {completed} of {len(rows)} trials completed, {info['epochs']} "
        f"epochs per trial, objective `{objective}` ({result['direction']}); "
        f"this command took {info['search_seconds']:.0f} s (a resumed search counts only "
        f"its new trials). Run {result['date']} at revision "
        f"`{env['git_revision']}` on {env['machine']}, {env['device']}.",
        "",
        f"Data: {data.description}.",
        "",
        "## Best model beside the source",
        "",
        record.markdown_table(comparison),
        "## Best hyperparameters",
        "",
        record.markdown_table([best_hp]),
        "## Trials, best first",
        "",
        record.markdown_table(rows),
        _LAST_SECTION,
        "",
        "![objective per trial](figures/objective.png)",
        "",
    ]
    (staging / "summary.md").write_text("\n".join(lines))


def _beside_source(task: TuneTask, scores: dict) -> list[dict]:
    """The best model's scores beside the source's and the committed report's, where known."""
    figures = {f.metric: f for f in catalog.get(task.report).source_figures}
    committed = catalog.REPORTS_DIR / task.report / "metrics.json"
    run = json.loads(committed.read_text()) if committed.is_file() else {}
    ours = run.get("metrics", {})
    column = f"report ({run.get('profile', 'no')} run)"
    rows = []
    for key, value in scores.items():
        compared = task.source_metrics.get(key, key)
        figure = figures.get(compared)
        # The report's own number for this score; failing that, its number for the metric
        # the score is compared with (e.g. the report's model's depth vs any depth).
        reported = ours.get(key, ours.get(compared))
        rows.append({"score": key, "source": figure.value if figure else None,
                     "source's number": figure.label if figure else "not published",
                     column: reported, "best of search": value})
    return rows


# ------------------------------------------------------------------ reading it back

def _folder(name: str, folder: str | Path | None) -> Path:
    return Path(folder) if folder else catalog.REPORTS_DIR / name / "tuning"


def latest_summary_markdown(name: str, folder: str | Path | None = None) -> str | None:
    """The latest search summary of report `name` (reports/NAME/tuning/ of this checkout,
    or `folder`) up to its objective figure's section; None if none was written."""
    summary = _folder(name, folder) / "summary.md"
    if not summary.is_file():
        return None
    return summary.read_text().split(_LAST_SECTION)[0]


def objective_figure(name: str, folder: str | Path | None = None) -> Path | None:
    """The objective-per-trial figure of that summary, if it has one."""
    figure = _folder(name, folder) / "figures" / "objective.png"
    return figure if figure.is_file() else None
