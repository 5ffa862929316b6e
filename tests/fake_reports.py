"""Catalogue entries with tiny notebooks of their own, for tests of `kerasreports run`."""

from pathlib import Path

import nbformat

from kerasreports import catalog


class FakeReportEntry(catalog.Report):
    """A catalogue entry whose notebook lives outside notebooks/ (for tests)."""

    path: Path = None

    @property
    def notebook(self):
        return self.path


def write_notebook(path: Path, body: str, parameters: str = "") -> Path:
    """A notebook with the runner's parameters cell (after `parameters`, more of its
    lines), then one cell holding `body`."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(parameters + 'output_dir = ""\nprofile = "quick"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


def fake_report(name, path):
    report = FakeReportEntry(name=name, title=name, source="-", datasets=())
    object.__setattr__(report, "path", path)
    return report
