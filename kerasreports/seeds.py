"""One report over several seeds: `kerasreports run NAME --seeds 0,1,2`.

Each seed's run is a whole report in `reports/NAME/seed-K/` (its notebook, figures,
metrics.json). This module writes the aggregate beside them, in `reports/NAME/`:

- `metrics.json`: every numeric metric's mean (`metrics`, so the index and `compare` read
  it as they read a one-seed report), its sample standard deviation (`metrics_sd`, ddof 1)
  and its number of seeds (`metrics_n`), the per-seed values (`per_seed`), and for each
  claim the notebooks state from their numbers ("LSTM > GRU > SimpleRNN") in how many
  seeds it holds;
- `summary.md`: the source-vs-regenerated table as mean ± sd (n), the claims, every
  metric with its per-seed values, and a link to each seed's report.

A metric that some seeds lack, or that is not a number, is listed per seed with n counting
only the seeds that have a number. A seed whose run failed is named, and the aggregate is
over the seeds that finished.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

from kerasreports import catalog, outputs
from kerasreports.errors import InvalidValueError
from kerasreports.record import format_number, markdown_table


def parse(text: str) -> list[int]:
    """`--seeds 0,1,2` (or `0-4`) as a list of distinct seeds, in the order given."""
    seeds: list[int] = []
    for part in (p.strip() for p in str(text).split(",")):
        if not part:
            raise InvalidValueError(f"--seeds {text!r} has an empty item: give seeds "
                                    f"separated by commas, e.g. --seeds 0,1,2 or 0-4")
        low, dash, high = part.partition("-") if not part.startswith("-") else (part, "", "")
        try:
            values = range(int(low), int(high) + 1) if dash else [int(part)]
        except ValueError:
            raise InvalidValueError(f"--seeds: {part!r} is not a seed (a whole number "
                                    f"from 0 to {2**32 - 1}) or a range like 0-4") from None
        for seed in values:
            if not 0 <= seed < 2**32:
                raise InvalidValueError(f"--seeds: {seed} is not a seed; seeds run from 0 "
                                        f"to {2**32 - 1}")
            if seed not in seeds:
                seeds.append(seed)
    if not seeds:
        raise InvalidValueError(f"--seeds {text!r} names no seed (e.g. --seeds 0,1,2)")
    return seeds


def seed_folder(seed: int) -> str:
    return f"seed-{seed}"


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def mean_sd(values: list[float]) -> tuple[float, float | None]:
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, None
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def aggregate(records: dict[int, dict], failed: dict[int, str]) -> dict:
    """The aggregate record of per-seed records (seed -> metrics.json contents)."""
    seeds = sorted(records)
    first = records[seeds[0]]
    names: list[str] = []
    for seed in seeds:
        names += [n for n in records[seed].get("metrics", {}) if n not in names]
    per_seed = {str(s): records[s].get("metrics", {}) for s in seeds}
    means, sds, counts = {}, {}, {}
    for name in names:
        values = [v for v in (_number(per_seed[str(s)].get(name)) for s in seeds)
                  if v is not None]
        if values:
            means[name], sds[name] = mean_sd(values)
            counts[name] = len(values)
    return {
        "report": first.get("report"), "title": first.get("title"),
        "source": first.get("source"), "profile": first.get("profile"),
        "seeds": seeds, "failed_seeds": {str(s): why for s, why in failed.items()},
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "wall_time_s": round(sum(r.get("wall_time_s") or 0 for r in records.values()), 1),
        "environment": first.get("environment", {}),
        "parameters": {k: v for k, v in first.get("parameters", {}).items() if k != "seed"},
        "metrics": means, "metrics_sd": sds, "metrics_n": counts, "per_seed": per_seed,
        "claims": _claims(records),
        "source_vs_regenerated": _comparison(first.get("report"), means, sds, counts),
    }


def _claims(records: dict[int, dict]) -> list[dict]:
    """Each claim with the seeds it holds in, in the order the notebook states them."""
    found: dict[str, dict] = {}
    for seed in sorted(records):
        for claim in records[seed].get("claims", []):
            row = found.setdefault(claim["claim"], {"claim": claim["claim"], "holds_in": 0,
                                                    "seeds": 0, "source_holds": None})
            row["seeds"] += 1
            row["holds_in"] += bool(claim["holds"])
            row["source_holds"] = claim.get("source_holds")
    return list(found.values())


def _comparison(name: str | None, means: dict, sds: dict, counts: dict) -> list[dict]:
    if name not in catalog.REPORTS:
        return []
    rows = []
    for fig in catalog.get(name).source_figures:
        ours = means.get(fig.metric)
        rows.append({"quantity": fig.label, "source": fig.value, "regenerated (mean)": ours,
                     "sd": sds.get(fig.metric), "n": counts.get(fig.metric),
                     "difference": None if ours is None or fig.value is None
                     else ours - fig.value})
    return rows


def plus_minus(mean, sd, n) -> str:
    """"0.8752 ± 0.0031 (n=3)", or the mean alone for one seed."""
    if mean is None:
        return "–"
    if sd is None:
        return f"{format_number(mean)} (n={n})"
    return f"{format_number(mean)} ± {format_number(sd)} (n={n})"


def summary(record: dict) -> str:
    env = record["environment"]
    seeds = record["seeds"]
    lines = [
        f"# {record['report']}: {record['title']}", "",
        f"Source: `seeds/{record['source']}`. Profile **{record['profile']}**, "
        f"{len(seeds)} seeds ({', '.join(map(str, seeds))}), aggregated {record['date']}, "
        f"revision `{env.get('git_revision', '?')}` on {env.get('machine', '?')}, "
        f"{env.get('device', '?')}, Keras backend {env.get('backend', '?')}; "
        f"{record['wall_time_s']:.0f} s of runs in all. Mean ± sample standard deviation "
        f"over the seeds.", "",
    ]
    if record["failed_seeds"]:
        lines += ["**Failed seeds** (not in the aggregate): " + "; ".join(
            f"seed {s}: {why}" for s, why in record["failed_seeds"].items()), ""]
    if record["parameters"].get("generated_data"):
        lines += ["**Generated stand-in data (smoke profile): these numbers test the "
                  "pipeline and are not comparable with the source's.**", ""]
    comparison = [{"quantity": r["quantity"], "source": r["source"],
                   "regenerated": plus_minus(r["regenerated (mean)"], r["sd"], r["n"]),
                   "difference (mean)": r["difference"]}
                  for r in record["source_vs_regenerated"]]
    lines += ["## Source vs regenerated", "", markdown_table(comparison)]
    if record["claims"]:
        lines += ["## Claims", "", markdown_table([
            {"claim": c["claim"], "holds in": f"{c['holds_in']} of {c['seeds']} seeds",
             "in the source": {True: "yes", False: "no", None: "–"}[c["source_holds"]]}
            for c in record["claims"]])]
    rows = []
    for name, mean in record["metrics"].items():
        row = {"metric": name, "mean ± sd (n)": plus_minus(
            mean, record["metrics_sd"][name], record["metrics_n"][name])}
        row.update({f"seed {s}": record["per_seed"][str(s)].get(name) for s in seeds})
        rows.append(row)
    lines += ["## Every metric", "", markdown_table(rows), "## Each seed's report", ""]
    lines += [f"- seed {s}: [{seed_folder(s)}/summary.md]({seed_folder(s)}/summary.md)"
              for s in seeds]
    return "\n".join(lines) + "\n"


def write(folder: Path, seeds: list[int], failed: dict[int, str]) -> dict | None:
    """Aggregate the seed folders in `folder` into its metrics.json and summary.md;
    returns the record, or None when no seed finished (nothing is written then)."""
    records = {}
    for seed in seeds:
        path = folder / seed_folder(seed) / "metrics.json"
        if seed in failed or not path.is_file():
            continue
        try:
            records[seed] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            failed[seed] = f"its metrics.json is unreadable ({error})"
    if not records:
        return None
    record = aggregate(records, failed)
    outputs.write_file(folder / "metrics.json", json.dumps(record, indent=2) + "\n")
    outputs.write_file(folder / "summary.md", summary(record))
    return record
