"""What a notebook calls to save its figures, tables and metrics as a report.

    rec = record.start("mnist_dae", globals())   # seeds, says where it runs, records
                                                 # every name of the parameters cell
    rec.figure(fig, "learning_curves", "DAE training and validation loss")
    rec.metric("probe_codes_test_accuracy", 0.87)
    rec.table("Probe", rows)
    rec.finish()   # metrics.json, summary.md, and the source-vs-regenerated table

A notebook run by `kerasreports run` gets `output_dir` from papermill (a temporary folder
the runner moves into `reports/<name>/` once the notebook has finished). Run by hand, with
`output_dir` empty, it writes to `outputs/<name>/` in the kernel's working directory
(beside the notebook in Jupyter; where plain papermill was started, unless its `--cwd`
says otherwise), never over the committed report.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from kerasreports import catalog, resume, runtime, summary_text
# Re-exported: site, compare, seeds and tuning format their tables with these.
from kerasreports.summary_text import format_number, markdown_table  # noqa: F401


def _plain(value):
    """NumPy scalars and arrays as plain JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _write_text(path: Path, text: str) -> None:
    """Write via a temporary file, so a failure never leaves half a file behind."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _markdown(text: str):
    """An object Jupyter renders as Markdown (plain text elsewhere)."""
    try:
        from IPython.display import Markdown

        return Markdown(text)
    except ImportError:
        return text


def to_grey_png(path: Path) -> None:
    """Re-encode a PNG as 8-bit grey, in place."""
    from PIL import Image

    with Image.open(path) as image:
        grey = image.convert("L")
    grey.save(path, optimize=True)


# Not recorded: where the report is written says nothing about the results, and under
# `kerasreports run` it is a temporary folder that no longer exists afterwards.
UNRECORDED = ("output_dir",)
# What IPython itself puts in a notebook's namespace.
_IPYTHON_NAMES = {"In", "Out", "exit", "quit", "get_ipython"}


def parameters_in(name: str, namespace: dict) -> dict:
    """The values of report `name`'s parameters cell, as they stand in `namespace`.

    The names come from the notebook's parameters cell, read as `kerasreports run` reads
    it to validate `-p` (`parameters.notebook_parameters`), so a knob added to the cell is
    recorded without anyone listing it again. Where the notebook file is not at hand (the
    package installed without the checkout, e.g. in Colab), every plain value (bool, int,
    float, str) the namespace holds is taken: `start` is called right after the
    parameters cell and the imports, when those are exactly the parameters.
    """
    notebook = catalog.get(name).notebook
    if notebook.is_file():
        from kerasreports.parameters import notebook_parameters

        names = list(notebook_parameters(notebook))
        missing = [n for n in names if n not in namespace]
        if missing:
            raise NameError(f"the parameters cell of {notebook.name} defines "
                            f"{', '.join(missing)}, which this namespace lacks: run it first")
    else:
        names = [n for n, v in namespace.items()
                 if not n.startswith("_") and n not in _IPYTHON_NAMES
                 and isinstance(v, (bool, int, float, str))]
    return {n: namespace[n] for n in names if n not in UNRECORDED}


def start(name: str, namespace: dict) -> "Recorder":
    """Begin report `name` from a notebook: `rec = record.start("mnist_dae", globals())`.

    Applies and checks the parameters as `kerasreports run` would (`parameters.
    apply_in_notebook`: under plain papermill or Jupyter, `profile = "smoke"` means the
    smoke run, and a bad value stops here with the CLI's message), seeds Python, NumPy
    and Keras with the `seed` parameter, prints the Keras version, backend and device,
    and returns a `Recorder` that records every parameter.
    """
    import keras

    if catalog.get(name).notebook.is_file():
        from kerasreports import parameters

        applied = parameters.apply_in_notebook(catalog.get(name), namespace)
        if applied:
            print(f"profile {namespace.get('profile')}: "
                  + ", ".join(f"{k}={v!r}" for k, v in applied.items())
                  + " (the catalogue's values for the parameters left at their defaults)")
    values = parameters_in(name, namespace)
    seed = values.get("seed", 0)
    runtime.set_seed(seed)
    print("Keras", keras.__version__, "backend", keras.backend.backend(), "on",
          runtime.device_description())
    recorder = Recorder(name, output_dir=namespace.get("output_dir", ""),
                        profile=values.get("profile", "quick"), parameters=values, seed=seed)
    # Every fit of the notebook goes through resume.fit: checkpointed under
    # `kerasreports run`, continued when the same run was interrupted before.
    recorder.run = resume.begin(name, values, recorder.environment, seed=seed)
    return recorder


def search_summary(name: str, folder: str | Path | None = None):
    """The latest search summary of report `name` for a notebook to display (its text up
    to the per-trial table, then its objective figure), or a line saying how to make one.
    (`tuning.summary` reads the files without importing Keras or KerasTuner.)"""
    from IPython.display import Image, Markdown, display

    from kerasreports.tuning import summary

    text = summary.latest_summary_markdown(name, folder)
    if text is None:
        where = folder or f"reports/{name}/tuning"
        return Markdown(f"No hyperparameter search has been summarised in `{where}` yet: "
                        f"`kerasreports tune {name} --profile quick` makes one.")
    display(Markdown(text))
    figure = summary.objective_figure(name, folder)
    return Image(filename=str(figure)) if figure is not None else None


class Recorder:
    def __init__(self, name: str, *, output_dir: str = "", profile: str = "quick",
                 parameters: dict | None = None, seed: int = 0):
        self.report = catalog.get(name)
        self.dir = Path(output_dir) if output_dir else Path.cwd() / "outputs" / name
        (self.dir / "figures").mkdir(parents=True, exist_ok=True)
        self.profile = profile
        self.parameters = dict(parameters or {})
        self.seed = seed
        self.started = time.time()
        # Read now, not at finish: the revision that runs is the one checked out when the
        # run starts; edits made while a long run trains must not relabel it.
        self.environment = runtime.environment()
        self.metrics: dict = {}
        self.tables: list[tuple[str, str]] = []
        self.figures: list[tuple[str, str]] = []
        self.notes: list[str] = []
        self.claims: list[dict] = []
        self.run = resume.Run(seed=seed)

    def figure(self, fig, name: str, caption: str = "", *, grey: bool = False) -> None:
        """Save `fig` as figures/<name>.png, list it in summary.md and show it once.

        The notebook shows the saved PNG (what the report holds) and the figure is
        closed: returned, or left open for the inline backend, matplotlib's figure would
        be shown a second time. `grey=True` stores a figure of grey images as an 8-bit
        grey PNG (about half the bytes of matplotlib's RGBA for the same pixels).
        """
        import matplotlib.pyplot as plt

        path = self.dir / "figures" / f"{name}.png"
        fig.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(fig)
        if grey:
            to_grey_png(path)
        self.figures = [f for f in self.figures if f[0] != path.name]
        self.figures.append((path.name, caption or name))
        try:
            from IPython import get_ipython
            from IPython.display import Image, display
        except ImportError:
            return
        if get_ipython() is not None:
            display(Image(filename=str(path)))

    def metric(self, key: str, value) -> None:
        self.metrics[key] = _plain(value)

    def metrics_from(self, values: dict) -> None:
        """Record every `name: value` of `values` as a metric."""
        for key, value in values.items():
            self.metric(key, value)

    def source(self, metric: str):
        """The number the source published for `metric`, from the catalogue (the one
        place source numbers are written), for a notebook's own tables and sentences."""
        for fig in self.report.source_figures:
            if fig.metric == metric:
                return fig.value
        raise KeyError(f"the catalogue has no source figure {metric!r} for report "
                       f"{self.report.name!r}")

    def search_summary(self, folder: str | Path | None = None):
        """For a notebook: the latest search summary of this report (what `kerasreports
        tune` wrote into reports/<name>/tuning/), or how to make one."""
        return search_summary(self.report.name, folder)

    def table(self, title: str, rows: list[dict]):
        """Keep a table for summary.md and return it for the notebook to display."""
        text = markdown_table(rows)
        self.tables.append((title, text))
        return _markdown(f"**{title}**\n\n{text}")

    def note(self, text: str) -> None:
        """A sentence for summary.md (a finding, or a choice the source left open)."""
        self.notes.append(text)

    def claim(self, claim: str, holds: bool, sentence: str, *,
              source_holds: bool | None = None, evidence: dict | None = None) -> None:
        """A yes-or-no finding computed from the numbers ("LSTM > GRU > SimpleRNN"):
        `sentence` goes into summary.md as a note, and `claim` with whether it `holds`
        (and whether it held in the source) into metrics.json, where a run over several
        seeds counts the seeds it holds in (`kerasreports.seeds`).

        `evidence` names the recorded metrics the claim is about and the relation it
        states ({"metrics": [...], "relation": ">"}, `summary_text.holds_by_evidence`):
        `holds` must agree with it (a `ValueError` here otherwise), and the committed
        reports' test checks it again from metrics.json, with the sentence's numbers.
        """
        entry = {"claim": claim, "holds": bool(holds), "source_holds": source_holds,
                 "sentence": sentence}
        if evidence is not None:
            computed = summary_text.holds_by_evidence(evidence, self.metrics)
            if computed != bool(holds):
                raise ValueError(f"claim {claim!r}: holds={holds}, but its evidence "
                                 f"{evidence} says {computed}")
            entry["evidence"] = _plain(evidence)
        self.claims.append(entry)
        self.note(sentence)

    def compare_only(self, prefix: str) -> None:
        """Put in the source-vs-regenerated table only the source figures whose metric
        starts with `prefix`: for a report whose source published tables for several
        data sets, of which a run regenerates one (e.g. "cifar10_")."""
        self.comparison_prefix = prefix

    def source_vs_regenerated(self) -> list[dict]:
        return summary_text.comparison(self.report.name, self.metrics,
                                       getattr(self, "comparison_prefix", ""))

    def finish(self):
        """Write metrics.json and summary.md; return the source-vs-regenerated table."""
        comparison = self.source_vs_regenerated()
        record = {
            "report": self.report.name,
            "title": self.report.title,
            "source": self.report.source,
            "profile": self.profile,
            "seed": self.seed,
            "parameters": _plain(self.parameters),
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "wall_time_s": round(time.time() - self.started, 1),
            # Over every session of a run that was interrupted and resumed.
            "wall_time_all_sessions_s": round(self.run.total_seconds(), 1),
            "resumed": self.run.resumed,
            "environment": self.environment,
            "metrics": self.metrics,
            "claims": self.claims,
            "source_vs_regenerated": comparison,
            # What summary.md shows besides, so that it is rendered from this file alone.
            "comparison_prefix": getattr(self, "comparison_prefix", ""),
            "tables": [{"title": t, "markdown": m} for t, m in self.tables],
            "notes": self.notes,
            "figures": [{"file": f, "caption": c} for f, c in self.figures],
        }
        _write_text(self.dir / "metrics.json", json.dumps(record, indent=2) + "\n")
        _write_text(self.dir / "summary.md", summary_text.render(record))
        resume.finish(self.run)  # the report is written: its checkpoints are not needed any more
        return _markdown("**Source vs regenerated**\n\n" + markdown_table(comparison))
