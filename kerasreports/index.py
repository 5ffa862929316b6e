"""`reports/README.md` and `reports/index.html`: every report, its headline numbers beside
the source's, and the profile, date, revision and machine of the run that made them (the
web pages: `kerasreports.site`)."""

from __future__ import annotations

import json
from pathlib import Path

from kerasreports import catalog, outputs
from kerasreports.record import format_number, markdown_table

NO_LINK = ("not run", "unreadable")  # rows whose report folder has nothing to link to


def collect(output_root: Path) -> list[dict]:
    """One row per report in the catalogue, from its metrics.json when it has one.

    A metrics.json that cannot be read (corrupt, truncated, not a report's record) makes a
    row saying so, with the profile "unreadable"; a record missing fields shows blanks."""
    rows = []
    for report in catalog.REPORTS.values():
        path = output_root / report.name / "metrics.json"
        record, problem = (read_record(path, f"{report.name}/metrics.json") if path.exists()
                           else (None, ""))
        environment = _part(record, "environment")
        headline = []
        for fig in report.source_figures:
            if fig.headline:
                caveat = f"; not comparable: {fig.not_comparable}" if fig.not_comparable else ""
                headline.append(f"{fig.label}: {ours(record, fig.metric)} "
                                f"(source {format_number(fig.value)}{caveat})")
        rows.append({
            "report": report.name,
            "title": report.title,
            "profile": ("unreadable" if problem else str(record.get("profile", "?"))
                        if record else "not run"),
            "date": str(record.get("date", ""))[:10] if record else "",
            "seeds": _seeds(record),
            "revision": str(environment.get("git_revision", "")),
            "machine": str(environment.get("device", "")),
            "backend": str(environment.get("backend", "")),
            # Over every session when the run was interrupted and resumed.
            "wall time (s)": (record.get("wall_time_all_sessions_s")
                              or record.get("wall_time_s")) if record else None,
            "resumed": _resumed(record),
            "headline (ours vs source)": problem or "; ".join(headline),
            "failed run kept": any((output_root / report.name).glob("failed.ipynb"))
            or any((output_root / report.name).glob("seed-*/failed.ipynb")),
        })
    return rows


def ours(record: dict | None, metric: str) -> str:
    """Our value of `metric`: mean ± sd (n) for a run over several seeds."""
    metrics = _part(record, "metrics")
    if "metrics_sd" in (record or {}):
        from kerasreports.seeds import plus_minus

        return plus_minus(metrics.get(metric), _part(record, "metrics_sd").get(metric),
                          _part(record, "metrics_n").get(metric))
    return format_number(metrics.get(metric))


def _seeds(record: dict | None) -> str:
    if not record:
        return ""
    if isinstance(record.get("seeds"), list):
        return ", ".join(map(str, record["seeds"]))
    return str(record.get("seed", ""))


def _resumed(record: dict | None) -> str:
    """"no", or how many fits a resumed run took from its checkpoints."""
    fits = (record or {}).get("resumed") or []
    if not isinstance(fits, list) or not fits:
        return "no" if record else ""
    return f"yes ({len(fits)} fit{'s' if len(fits) > 1 else ''} from checkpoints)"


def read_record(path: Path, shown: str) -> tuple[dict | None, str]:
    """The record in `path`, or None and why it cannot be used (naming it `shown`)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return None, f"{shown} is unreadable ({type(error).__name__}: {error}); rerun the report"
    if not isinstance(record, dict):
        return None, (f"{shown} is unreadable (it holds a {type(record).__name__}, not a "
                      f"report's record); rerun the report")
    return record, ""


def _part(record: dict | None, key: str) -> dict:
    value = record.get(key) if record else None
    return value if isinstance(value, dict) else {}


def write(output_root: Path) -> list[str]:
    """Write README.md and index.html (each atomically); returns the problems met, one
    line per report whose metrics.json could not be read."""
    rows = collect(output_root)
    table = [dict(row, report=f"[{row['report']}]({row['report']}/summary.md)")
             if row["profile"] not in NO_LINK else row for row in rows]
    searches = sorted(p.parent.parent.name for p in output_root.glob("*/tuning/summary.md"))
    searched = ", ".join(f"[{name}]({name}/tuning/summary.md)" for name in searches)
    outputs.write_file(output_root / "README.md", (
        "# Regenerated reports\n\n"
        "Written by `kerasreports run`; each row names the profile, date, revision and "
        "device of the run that made it.\n\n" + markdown_table(table)
        + (f"\nHyperparameter searches (`kerasreports tune`): {searched}.\n" if searches
           else "")
    ))
    from kerasreports import site

    site.write(output_root, rows)
    return [f"{output_root}/{row['headline (ours vs source)']}" for row in rows
            if row["profile"] == "unreadable"]
