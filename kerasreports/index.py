"""`reports/README.md` and `reports/index.html`: every report, its headline numbers beside
the source's, and the profile, date, revision and machine of the run that made them."""

from __future__ import annotations

import html
import json
from pathlib import Path

from kerasreports import catalog
from kerasreports.record import format_number, markdown_table


def collect(output_root: Path) -> list[dict]:
    """One row per report in the catalogue, from its metrics.json when it has one."""
    rows = []
    for report in catalog.REPORTS.values():
        path = output_root / report.name / "metrics.json"
        record = json.loads(path.read_text()) if path.exists() else None
        headline = []
        for fig in report.source_figures:
            if fig.headline:
                ours = record["metrics"].get(fig.metric) if record else None
                headline.append(f"{fig.label}: {format_number(ours)} "
                                f"(source {format_number(fig.value)})")
        rows.append({
            "report": report.name,
            "title": report.title,
            "profile": record["profile"] if record else "not run",
            "date": record["date"][:10] if record else "",
            "revision": record["environment"]["git_revision"] if record else "",
            "machine": record["environment"]["device"] if record else "",
            "wall time (s)": record["wall_time_s"] if record else None,
            "headline (ours vs source)": "; ".join(headline),
            "failed run kept": (output_root / report.name / "failed.ipynb").exists(),
        })
    return rows


def write(output_root: Path) -> None:
    rows = collect(output_root)
    table = [dict(row, report=f"[{row['report']}]({row['report']}/summary.md)")
             if row["profile"] != "not run" else row for row in rows]
    searches = sorted(p.parent.parent.name for p in output_root.glob("*/tuning/summary.md"))
    searched = ", ".join(f"[{name}]({name}/tuning/summary.md)" for name in searches)
    (output_root / "README.md").write_text(
        "# Regenerated reports\n\n"
        "Written by `kerasreports run`; each row names the profile, date, revision and "
        "device of the run that made it.\n\n" + markdown_table(table)
        + (f"\nHyperparameter searches (`kerasreports tune`): {searched}.\n" if searches
           else "")
    )
    cells = "".join(
        "<tr>" + "".join(
            f"<td>{_link(row, k) if k == 'report' else html.escape(format_number(v))}</td>"
            for k, v in row.items()) + "</tr>\n"
        for row in rows
    )
    header = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0]) if rows else ""
    (output_root / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>kerasreports</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;"
        "padding:4px 8px;text-align:left}table{border-collapse:collapse}</style>"
        f"<h1>Regenerated reports</h1><table><tr>{header}</tr>\n{cells}</table>\n"
        + ("<p>Hyperparameter searches: " + ", ".join(
            f"<a href='{html.escape(n)}/tuning/summary.md'>{html.escape(n)}</a>"
            for n in searches) + "</p>\n" if searches else "")
    )


def _link(row: dict, key: str) -> str:
    name = html.escape(row[key])
    if row["profile"] == "not run":
        return name
    return f"<a href='{name}/{name}.html'>{name}</a> (<a href='{name}/summary.md'>summary</a>)"
