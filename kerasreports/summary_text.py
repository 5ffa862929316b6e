"""summary.md, rendered from a report's metrics.json and the catalogue, and nothing else.

metrics.json holds everything a report's summary shows: the run's facts, its metrics,
tables (as Markdown), notes, claims and figure captions. `render` turns that record into
summary.md, and `comparison` computes the source-vs-regenerated rows from the catalogue's
source figures and the record's metrics. So a committed summary.md can be checked: it
must be exactly `render(metrics.json)`, whose comparison must be the catalogue's
(`tests/test_committed_reports.py`): a hand edit of a summary, or a catalogue changed
after the report was made, shows up as a difference.

A claim ("LSTM > GRU > SimpleRNN") may carry its `evidence`: the metric keys it is about
and the relation it states between them (`holds_by_evidence`), so that whether it holds
is computed from the numbers in metrics.json, not only stated by the notebook.
"""

from __future__ import annotations

import math

from kerasreports import catalog


def format_number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 100:
        return f"{int(value):,}"
    if math.isnan(value):
        return "nan"
    return f"{value:.4g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.3e}"


def markdown_table(rows: list[dict]) -> str:
    if not rows:
        return "(no rows)\n"
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(format_number(row.get(c)) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def comparison(report_name: str, metrics: dict, prefix: str = "") -> list[dict]:
    """The source-vs-regenerated rows: each source figure of the catalogue (whose metric
    starts with `prefix`) beside the metric of the same name in `metrics`."""
    rows = []
    for fig in catalog.get(report_name).source_figures:
        if not fig.metric.startswith(prefix):
            continue
        ours = metrics.get(fig.metric)
        difference = None if ours is None or fig.value is None else ours - fig.value
        rows.append({
            "quantity": fig.label,
            "source": fig.value,
            "regenerated": ours,
            "difference": (f"not comparable: {fig.not_comparable}" if fig.not_comparable
                           else difference),
        })
    return rows


# The relations a claim's evidence can state between its metrics (in the order given).
RELATIONS = {
    ">": "each is greater than the next",
    "<": "each is less than the next",
    "within": "the first two differ by less than `tolerance`",
}


def holds_by_evidence(evidence: dict, metrics: dict) -> bool:
    """Whether the relation `evidence` states holds for the values in `metrics`.

    `evidence` is {"metrics": [key, ...], "relation": ">" | "<" | "within"} (with
    "tolerance" for "within"); a key missing from `metrics` is a `KeyError`.
    """
    values = [metrics[key] for key in evidence["metrics"]]
    relation = evidence["relation"]
    if relation == ">":
        return all(a > b for a, b in zip(values, values[1:]))
    if relation == "<":
        return all(a < b for a, b in zip(values, values[1:]))
    if relation == "within":
        return abs(values[0] - values[1]) < evidence["tolerance"]
    raise ValueError(f"unknown relation {relation!r}; one of: {', '.join(RELATIONS)}")


def resumed_sentence(record: dict) -> str:
    """Which fits a resumed run took from its checkpoints, and from where."""
    parts = []
    for fit in record["resumed"]:
        if fit["finished"]:
            parts.append(f"{fit['model']} (finished before: {fit['from_epoch']} epochs)")
        else:
            parts.append(f"{fit['model']} (continued after epoch {fit['from_epoch']} "
                         f"of {fit['epochs']})")
    return (f"Resumed from checkpoints of an interrupted run: {'; '.join(parts)}. "
            f"Wall time over every session: {record['wall_time_all_sessions_s']:.0f} s.")


def render(record: dict) -> str:
    """summary.md for the record a `Recorder` writes as metrics.json."""
    report = catalog.get(record["report"])
    env = record["environment"]
    lines = [
        f"# {report.name}: {report.title}",
        "",
        f"Source: `seeds/{report.source}`. Profile **{record['profile']}**, seed "
        f"{record['seed']}, run {record['date']} at revision `{env['git_revision']}` on "
        f"{env['machine']}, {env['device']}, Keras backend {env['backend']}; "
        f"{record['wall_time_s']:.0f} s.",
        "",
    ]
    if record.get("resumed"):
        lines += [resumed_sentence(record), ""]
    if record["parameters"].get("generated_data"):
        lines += ["**Generated stand-in data (smoke profile): these numbers test the "
                  "pipeline and are not comparable with the source's.**", ""]
    lines += [
        "## Source vs regenerated",
        "",
        markdown_table(comparison(report.name, record["metrics"],
                                  record.get("comparison_prefix", ""))),
    ]
    for table in record.get("tables", []):
        lines += [f"## {table['title']}", "", table["markdown"]]
    notes = record.get("notes", [])
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    figures = record.get("figures", [])
    if figures:
        lines += ["## Figures", ""]
        for fig in figures:
            lines += [f"**{fig['caption']}**", "", f"![{fig['caption']}](figures/{fig['file']})",
                      ""]
    return "\n".join(lines)
