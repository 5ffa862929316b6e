"""`kerasreports compare A B`: what a change did to the numbers.

A and B are each a reports folder (`reports/`, every `NAME/metrics.json` under it), one
report's folder (`reports/mnist_dae/`), or a git revision of the checkout, whose committed
`reports/` is read with `git show` (nothing is checked out). Every numeric metric both
sides have is a row: A, B, B − A. Where both sides are multi-seed aggregates
(`kerasreports run --seeds`), a row also says whether the difference exceeds the seeds'
spread: |B − A| > 2 · sqrt(sd_A²/n_A + sd_B²/n_B), twice the standard error of a
difference of two means.

`--fail-on-regression TOL` makes it a check a CI can run: exit status 1 when a headline
metric (the catalogue's `SourceFigure(..., headline=True)`) is worse in B by more than
TOL, "worse" in the direction the catalogue gives (`better="higher"` or `"lower"`).
TOL is in the metric's units (0.01) or a percentage of A's value (2%).
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

from kerasreports import catalog, outputs
from kerasreports.errors import InvalidValueError
from kerasreports.record import format_number, markdown_table


class CompareError(InvalidValueError):
    """A side that cannot be read, or two sides with nothing to compare."""


def _parse_record(text: str, shown: str) -> dict:
    try:
        record = json.loads(text)
    except ValueError as error:
        raise CompareError(f"{shown} is not valid JSON ({error}); rerun that report or "
                           f"leave it out") from None
    if not isinstance(record, dict) or not isinstance(record.get("metrics"), dict):
        raise CompareError(f"{shown} is not a report's metrics.json (it has no metrics "
                           f"object)")
    return record


def _from_folder(folder: Path) -> dict[str, dict]:
    if (folder / "metrics.json").is_file():
        paths = {folder.name: folder / "metrics.json"}
    else:
        paths = {p.parent.name: p for p in sorted(folder.glob("*/metrics.json"))}
    records = {}
    for name, path in paths.items():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CompareError(f"{path} cannot be read ({error})") from None
        records[name] = _parse_record(text, str(path))
    return records


def _git(args: list[str]) -> str:
    checkout = catalog.REPORTS_DIR.parent
    return subprocess.run(["git", "-C", str(checkout), *args], capture_output=True,
                          text=True, check=True).stdout


def _from_revision(revision: str) -> dict[str, dict]:
    records = {}
    listed = _git(["ls-tree", "--name-only", "-r", revision, "--", "reports/"])
    for path in listed.splitlines():
        parts = path.split("/")
        if len(parts) == 3 and parts[2] == "metrics.json":
            records[parts[1]] = _parse_record(_git(["show", f"{revision}:{path}"]),
                                              f"{revision}:{path}")
    return records


def load(side: str) -> dict[str, dict]:
    """The records of one side: report name -> its metrics.json."""
    folder = Path(side).expanduser()
    if folder.is_dir():
        records = _from_folder(folder)
        if not records:
            raise CompareError(f"{folder} holds no metrics.json (neither its own nor in "
                               f"report folders under it)")
        return records
    if folder.exists():
        raise CompareError(f"{side} is a file: give a reports folder, a report's folder "
                           f"or a git revision")
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{side}^{{commit}}"])
    except (OSError, subprocess.CalledProcessError):
        raise CompareError(f"{side!r} is neither a folder nor a git revision of the "
                           f"checkout {catalog.REPORTS_DIR.parent}") from None
    records = _from_revision(side)
    if not records:
        raise CompareError(f"revision {side} has no committed reports/NAME/metrics.json")
    return records


def _numbers(metrics: dict, prefix: str = "") -> dict[str, float]:
    """The metrics that are numbers, nested objects flattened as `outer.inner`."""
    found = {}
    for name, value in metrics.items():
        if isinstance(value, dict):
            found.update(_numbers(value, f"{prefix}{name}."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool) \
                and math.isfinite(value):
            found[prefix + name] = float(value)
    return found


def _better(report: str, metric: str) -> str | None:
    """"higher" or "lower" for a headline metric of the catalogue, else None."""
    if report not in catalog.REPORTS:
        return None
    for fig in catalog.get(report).source_figures:
        if fig.metric == metric and fig.headline:
            return fig.better or None
    return None


def beyond_spread(a: dict, b: dict, metric: str, difference: float) -> bool | None:
    """Whether |difference| exceeds twice the standard error of the difference of the
    two seed means; None unless both sides are multi-seed aggregates with this metric."""
    try:
        sd_a, sd_b = a["metrics_sd"][metric], b["metrics_sd"][metric]
        n_a, n_b = a["metrics_n"][metric], b["metrics_n"][metric]
    except (KeyError, TypeError):
        return None
    if sd_a is None or sd_b is None:
        return None
    return abs(difference) > 2 * math.sqrt(sd_a ** 2 / n_a + sd_b ** 2 / n_b)


def rows(a: dict[str, dict], b: dict[str, dict]) -> list[dict]:
    """One row per numeric metric of a report both sides have."""
    found = []
    for report in sorted(set(a) & set(b)):
        ours_a, ours_b = _numbers(a[report]["metrics"]), _numbers(b[report]["metrics"])
        for metric in sorted(set(ours_a) & set(ours_b)):
            difference = ours_b[metric] - ours_a[metric]
            found.append({
                "report": report, "metric": metric, "A": ours_a[metric], "B": ours_b[metric],
                "B - A": difference,
                "beyond seed spread": beyond_spread(a[report], b[report], metric,
                                                    difference),
                "headline": _better(report, metric) is not None,
                "better": _better(report, metric),
            })
    return found


def parse_tolerance(text: str) -> tuple[float, bool]:
    """`--fail-on-regression` as (value, relative)."""
    relative = text.strip().endswith("%")
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        raise CompareError(f"--fail-on-regression {text!r} is not a number or a "
                           f"percentage (0.01, 2%)") from None
    if not math.isfinite(value) or value < 0:
        raise CompareError(f"--fail-on-regression {text!r} must be a number >= 0")
    return (value / 100 if relative else value), relative


def regressions(found: list[dict], tolerance: float, relative: bool) -> list[dict]:
    """The headline rows where B is worse than A by more than the tolerance."""
    worse = []
    for row in found:
        if not row["better"]:
            continue
        loss = row["A"] - row["B"] if row["better"] == "higher" else row["B"] - row["A"]
        allowed = tolerance * abs(row["A"]) if relative else tolerance
        if loss > allowed:
            worse.append(dict(row, worse_by=loss))
    return worse


def _shown(row: dict) -> dict:
    return {**{k: row[k] for k in ("report", "metric", "A", "B", "B - A")},
            "beyond seed spread": {True: "yes", False: "no", None: "–"}[
                row["beyond seed spread"]],
            "headline": f"yes ({row['better']} is better)" if row["headline"] else ""}


def main(args) -> int:
    a, b = load(args.a), load(args.b)
    found = rows(a, b)
    if not found:
        raise CompareError(
            f"{args.a} and {args.b} have no numeric metric in common (reports in A: "
            f"{', '.join(sorted(a)) or 'none'}; in B: {', '.join(sorted(b)) or 'none'})")
    shown = found if args.all else [r for r in found if r["B - A"] != 0 or r["headline"]]
    only = sorted(set(a) ^ set(b))
    text = (f"# {args.a} (A) vs {args.b} (B)\n\n"
            f"{len(found)} metrics in {len(set(a) & set(b))} reports; "
            f"{sum(r['B - A'] != 0 for r in found)} differ"
            + (f"; in one side only: {', '.join(only)}" if only else "")
            + ("" if args.all else "; unchanged metrics other than headlines are left out "
               "(--all lists them)") + ".\n\n" + markdown_table([_shown(r) for r in shown]))
    worse = []
    if args.fail_on_regression is not None:
        worse = regressions(found, *parse_tolerance(args.fail_on_regression))
        text += (f"\nRegression check (headline metrics, tolerance "
                 f"{args.fail_on_regression}): "
                 + ("; ".join(f"{r['report']} {r['metric']} worse by "
                              f"{format_number(r['worse_by'])}" for r in worse)
                    if worse else "none worse beyond the tolerance") + ".\n")
    folder = outputs.claim(args.output)
    outputs.write_file(folder / "compare.md", text)
    outputs.write_file(folder / "compare.json", json.dumps(
        {"a": args.a, "b": args.b, "rows": found, "regressions": worse}, indent=2) + "\n")
    print(text)
    print(f"Written: {folder / 'compare.md'}, {folder / 'compare.json'}")
    return 1 if worse else 0
