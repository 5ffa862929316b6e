"""Every report notebook: its jupytext pair in sync, no outputs, a papermill parameters cell."""

import re

import jupytext
import nbformat
import pytest

from kerasreports import catalog, parameters

REPORTS = list(catalog.REPORTS.values())


def _cells(notebook):
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", ())))
            for c in notebook.cells]


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_py_and_ipynb_are_in_sync(report):
    source = report.notebook.with_suffix(".py")
    assert source.exists(), f"{source} is missing: pair it with jupytext --set-formats"
    from_py = jupytext.read(source)
    from_ipynb = jupytext.read(report.notebook)
    assert _cells(from_py) == _cells(from_ipynb), (
        f"{source.name} and {report.notebook.name} differ: run jupytext --sync {source}")


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_committed_notebook_has_no_outputs(report):
    notebook = nbformat.read(report.notebook, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_first_code_cell_holds_every_parameter_papermill_can_read(report):
    notebook = nbformat.read(report.notebook, as_version=4)
    first = next(c for c in notebook.cells if c.cell_type == "code")
    assert "parameters" in first.metadata.get("tags", [])
    assigned = re.findall(r"^(\w+)\s*(?::\s*\w+\s*)?=", first.source, flags=re.M)
    declared = parameters.notebook_parameters(report.notebook)
    # papermill silently skips a line it cannot parse (e.g. one with two "=").
    assert list(declared) == assigned
    for name in ("seed", "profile", "output_dir"):
        assert name in declared
    assert declared["profile"].default == "quick"
    for parameter in declared.values():  # every rule is well formed and the default keeps it
        parameters.check_constraint(parameter, parameter.default)


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_profile_overrides_name_real_parameters(report):
    declared = parameters.notebook_parameters(report.notebook)
    for profile in catalog.PROFILES:
        parameters.resolve(report, profile, {})  # raises on a bad override
        assert set(report.profile_parameters(profile)) <= set(declared)
