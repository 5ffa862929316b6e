"""The committed reports are what users read and cite: each must be exactly what its run
recorded, against today's catalogue, from a revision in the history, and every claim it
states must agree with its own numbers.

For every `reports/<name>/metrics.json`:
- summary.md is exactly what `summary_text.render` (or, for a run over several seeds,
  `seeds.summary`) makes of metrics.json and the catalogue: no hand edits, and no
  catalogue change since the report was made that it does not show;
- every source figure of the catalogue (those of the data set the run compared, for a
  report that calls `compare_only`) is a row of its source-vs-regenerated table;
- the revision that made it is a commit of this repository's history (not "+dirty");
- each claim with evidence holds exactly when its metrics say so, its sentence is among
  the notes and states each of those metrics' values.
And every notebook's claim carries its evidence, so that the next regeneration of a report
made before claims had any is checked too.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from kerasreports import catalog, seeds, summary_text

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
COMMITTED = sorted(p.parent.name for p in REPORTS.glob("*/metrics.json")
                   if p.parent.name in catalog.REPORTS)


def _record(name: str) -> dict:
    return json.loads((REPORTS / name / "metrics.json").read_text())


def _is_aggregate(record: dict) -> bool:
    return "per_seed" in record


def test_there_are_committed_reports():
    assert len(COMMITTED) >= 5, COMMITTED


@pytest.mark.parametrize("name", COMMITTED)
def test_summary_is_what_record_renders_from_metrics_json(name):
    record = _record(name)
    rendered = (seeds.summary(record) if _is_aggregate(record)
                else summary_text.render(record))
    assert (REPORTS / name / "summary.md").read_text() == rendered, (
        f"reports/{name}/summary.md differs from what its metrics.json and the catalogue "
        f"render: a hand edit, or a catalogue change since the run (regenerate it)")


@pytest.mark.parametrize("name", COMMITTED)
def test_every_source_figure_of_the_catalogue_is_in_the_summary(name):
    record = _record(name)
    prefix = record.get("comparison_prefix", "")
    rows = {r["quantity"]: r for r in record["source_vs_regenerated"]}
    expected = [f for f in catalog.get(name).source_figures if f.metric.startswith(prefix)]
    assert expected
    summary = (REPORTS / name / "summary.md").read_text()
    for fig in expected:
        assert fig.label in rows, f"{name}: {fig.label!r} missing from the comparison"
        assert rows[fig.label]["source"] == fig.value, (name, fig.label)
        assert f"| {fig.label} | {summary_text.format_number(fig.value)} |" in summary


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


@pytest.mark.parametrize("name", COMMITTED)
def test_the_revision_that_made_it_is_in_the_history(name):
    if _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout")
    if _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        pytest.skip("a shallow clone holds only part of the history")
    revision = _record(name)["environment"]["git_revision"]
    assert re.fullmatch(r"[0-9a-f]{7,40}", revision), (
        f"{name} was made at {revision!r}: a committed report must come from a clean "
        f"checkout of a commit")
    assert _git("cat-file", "-e", f"{revision}^{{commit}}").returncode == 0, revision


def _stated(value, sentence: str) -> bool:
    """Whether `sentence` states `value` at some rounding a notebook writes."""
    if isinstance(value, str):
        return value in sentence
    forms = {summary_text.format_number(value)} | {f"{value:.{d}f}" for d in range(1, 5)}
    return any(form in sentence for form in forms)


def _evidenced_claims():
    for name in COMMITTED:
        record = _record(name)
        for claim in record.get("claims", []):
            if "evidence" in claim:
                yield pytest.param(name, record, claim, id=f"{name}: {claim['claim']}")


@pytest.mark.parametrize("name, record, claim", list(_evidenced_claims()))
def test_a_claim_agrees_with_the_metrics_it_states(name, record, claim):
    metrics = record["metrics"]
    evidence = claim["evidence"]
    assert summary_text.holds_by_evidence(evidence, metrics) == claim["holds"], claim
    assert claim["sentence"] in record["notes"]
    for key in evidence["metrics"]:
        assert _stated(metrics[key], claim["sentence"]), (key, metrics[key], claim["sentence"])
    holds_word = {"translation": ("holds" if claim["holds"] else "does not hold")}.get(name)
    if holds_word:
        assert f"{holds_word} in this run" in claim["sentence"]


def test_translation_ranking_metric_is_the_order_of_its_scores():
    if "translation" not in COMMITTED:
        pytest.skip("no committed translation report")
    metrics = _record("translation")["metrics"]
    if "stacked_ranking" not in metrics:
        pytest.skip("the committed translation report predates the ranking metric")
    labels = {"simplernn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
    order = sorted(labels, key=lambda k: metrics[f"{k}_token_accuracy"], reverse=True)
    assert metrics["stacked_ranking"] == " > ".join(labels[k] for k in order)


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.py")),
                         ids=lambda p: p.stem)
def test_every_claim_a_notebook_makes_carries_its_evidence(notebook):
    source = notebook.read_text()
    calls = source.split("rec.claim(")[1:]
    for call in calls:
        # The call's text up to its closing parenthesis at depth 0.
        depth, end = 1, 0
        for end, char in enumerate(call):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0:
                break
        assert "evidence=" in call[:end], f"{notebook.name}: rec.claim({call[:60]}..."
