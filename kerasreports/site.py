"""The reports as web pages: `index.html` and one page per report and search summary.

`index.write` calls `write(output_root, rows)` after every run. For each report the index
shows its headline numbers beside the source's, with the profile, date, revision, machine
and backend of the run that made them, a thumbnail of its key figure (`Report.key_figure`
in the catalogue), and links to:

- `NAME/summary.html`: summary.md rendered (tables, figures), written here;
- `NAME/NAME.html`: the executed notebook, as the run exported it (when it is there: the
  committed reports carry only summary.md);
- `NAME/search.html`: the search summary of `kerasreports tune` (NAME/tuning/summary.md),
  rendered beside the report rather than in tune's own folder, its links resolved in
  tuning/ (a `<base>`);
- `NAME/failed.ipynb`: a failed run's partial notebook, when one is kept.

A browser shows summary.md as plain text, which is why the pages are rendered here
(Python-Markdown, with the tables extension). Every link and image is relative, so the
folder can be opened from disk, served, or copied elsewhere whole.
"""

from __future__ import annotations

import html
from pathlib import Path

from kerasreports import catalog, outputs
from kerasreports.record import format_number

STYLE = ("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;"
         "padding:0 1em;color:#222}"
         "table{border-collapse:collapse;margin:.5em 0}"
         "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
         "img{max-width:100%}.card{display:flex;gap:1.5em;border-top:1px solid #ddd;"
         "padding:1em 0}.card img{width:260px;border:1px solid #eee}"
         ".meta{color:#555;font-size:.9em}.missing{color:#999}")


def _page(title: str, body: str, base: str = "") -> str:
    base = f"<base href='{html.escape(base)}'>" if base else ""
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{base}"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
            f"<body>{body}</body></html>\n")


def render_markdown(path: Path, target: Path, *, up: str, base: str = "") -> None:
    """`path` (Markdown) as the HTML page `target`, with a link back to the index (`up`:
    the way from the folder the page's links resolve in, which `base` may move)."""
    import markdown

    body = markdown.markdown(path.read_text(encoding="utf-8"),
                             extensions=["tables", "fenced_code"])
    title = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ") or path.name
    outputs.write_file(target, _page(
        title, f"<p><a href='{up}index.html'>all reports</a></p>{body}", base))


def _key_figure(folder: Path, report: catalog.Report) -> str | None:
    """The key figure's path relative to the reports folder (a multi-seed report's: its
    first seed's), else the report's first figure; None when it has none."""
    for figures in [folder / "figures", *sorted(folder.glob("seed-*/figures"))]:
        if not figures.is_dir():
            continue
        named = figures / f"{report.key_figure}.png"
        chosen = named if report.key_figure and named.is_file() else next(
            iter(sorted(figures.glob("*.png"))), None)
        if chosen is not None:
            return chosen.relative_to(folder.parent).as_posix()
    return None


def _links(folder: Path, name: str) -> list[str]:
    links = []
    if (folder / "summary.html").is_file():
        links.append(f"<a href='{name}/summary.html'>report</a>")
    if (folder / f"{name}.html").is_file():
        links.append(f"<a href='{name}/{name}.html'>executed notebook</a>")
    for seed in sorted(folder.glob(f"seed-*/{name}.html")):
        links.append(f"<a href='{name}/{seed.parent.name}/{name}.html'>{seed.parent.name}</a>")
    if (folder / "search.html").is_file():
        links.append(f"<a href='{name}/search.html'>hyperparameter search</a>")
    if (folder / "failed.ipynb").is_file():
        links.append(f"<a href='{name}/failed.ipynb'>failed run's notebook</a>")
    return links


def _card(output_root: Path, row: dict) -> str:
    from kerasreports import index

    name = row["report"]
    report = catalog.get(name)
    folder = output_root / name
    escape = html.escape
    if row["profile"] in index.NO_LINK:
        problem = row["headline (ours vs source)"] if row["profile"] == "unreadable" else ""
        return (f"<div class='card'><div><h2>{escape(name)}</h2><p>{escape(row['title'])}"
                f"</p><p class='missing'>{escape(problem or 'not run yet')}</p></div></div>")
    record, _ = index.read_record(folder / "metrics.json", f"{name}/metrics.json")
    headline = "".join(
        f"<tr><td>{escape(fig.label)}</td><td>{escape(index.ours(record, fig.metric))}</td>"
        f"<td>{escape(format_number(fig.value))}"
        f"{' (not comparable)' if fig.not_comparable else ''}</td></tr>"
        for fig in report.source_figures if fig.headline)
    meta = (f"profile <b>{escape(row['profile'])}</b>, {escape(row['date'])}, revision "
            f"{escape(row['revision'])}, {escape(row['machine'])}, backend "
            f"{escape(row['backend'])}, {escape(format_number(row['wall time (s)']))} s"
            + (f", seeds {escape(row['seeds'])}" if "," in row["seeds"] else "")
            + (f", resumed: {escape(row['resumed'])}" if row["resumed"] not in ("no", "")
               else ""))
    figure = _key_figure(folder, report)
    thumbnail = (f"<a href='{escape(figure)}'><img src='{escape(figure)}' "
                 f"alt='{escape(name)}: key figure'></a>" if figure else "")
    return (f"<div class='card'>{thumbnail}<div><h2>{escape(name)}</h2>"
            f"<p>{escape(row['title'])}</p><p class='meta'>{meta}</p>"
            f"<table><tr><th>headline</th><th>ours</th><th>source</th></tr>{headline}"
            f"</table><p>{' · '.join(_links(folder, name))}</p></div></div>")


def write(output_root: Path, rows: list[dict]) -> None:
    """Render every summary.md (and search summary) of `output_root`, then index.html."""
    for row in rows:
        folder = output_root / row["report"]
        if (folder / "summary.md").is_file():
            render_markdown(folder / "summary.md", folder / "summary.html", up="../")
        if (folder / "tuning" / "summary.md").is_file():
            render_markdown(folder / "tuning" / "summary.md", folder / "search.html",
                            up="../../", base="tuning/")
        for seed_summary in sorted(folder.glob("seed-*/summary.md")):
            render_markdown(seed_summary, seed_summary.with_suffix(".html"), up="../../")
    cards = "\n".join(_card(output_root, row) for row in rows)
    outputs.write_file(output_root / "index.html", _page(
        "kerasreports", "<h1>Regenerated reports</h1><p>Each report's headline numbers "
        "beside its source's, and the profile, date, revision and machine of the run "
        f"that made them.</p>\n{cards}"))
