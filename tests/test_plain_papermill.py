"""A notebook run by plain papermill (or Jupyter) is the same program as under
`kerasreports run`: the profile means the same, and the parameter checks are the same."""

import json

import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from kerasreports import catalog, parameters


def _namespace(report, **values):
    declared = parameters.notebook_parameters(report.notebook)
    namespace = {name: p.default for name, p in declared.items()}
    namespace.update(values)
    return namespace


def test_the_profile_fills_only_what_the_caller_left_alone():
    report = catalog.get("mnist_dae")
    namespace = _namespace(report, profile="smoke", dae_epochs=5, probe_epochs=20)
    # papermill injected profile and probe_epochs (at its default value: still the caller's)
    namespace["In"] = ["seed = 0 ...", "# Parameters\nprofile = \"smoke\"\nprobe_epochs = 20\n"]
    applied = parameters.apply_in_notebook(report, namespace)
    assert applied == {"generated_data": True, "train_limit": 1200, "test_limit": 300}
    assert namespace["dae_epochs"] == 5  # edited in the cell: kept
    assert namespace["probe_epochs"] == 20  # given with -p: kept
    assert parameters.apply_in_notebook(report, _namespace(report)) == {}  # quick: the cell


@pytest.mark.parametrize("values, injected, message", [
    ({"dae_epochs": 0}, "dae_epochs = 0", "dae_epochs=0 is out of range (1..1000)"),
    ({"dataset": "cifar"}, "dataset = 'cifar'", "choose one of: fashion_mnist, mnist"),
    ({"dae_epochs": "two"}, "dae_epochs = 'two'", "dae_epochs must be int"),
    ({"profile": "huge"}, "profile = 'huge'", "profile='huge' is not allowed"),
    ({"dae_epoch": 3}, "dae_epoch = 3", "has no parameter 'dae_epoch'; its parameters are: "),
])
def test_bad_values_stop_in_the_notebook_with_the_cli_s_message(values, injected, message):
    report = catalog.get("mnist_dae")
    namespace = _namespace(report, **values)
    namespace["In"] = ["...", f"# Parameters\n{injected}\n"]
    with pytest.raises(parameters.ParameterError) as raised:
        parameters.apply_in_notebook(report, namespace)
    assert message in str(raised.value)


def test_every_parameter_is_annotated_with_its_type():
    for report in catalog.REPORTS.values():
        inspected = papermill.inspect_notebook(str(report.notebook))
        for name, info in inspected.items():
            declared = parameters.notebook_parameters(report.notebook)[name]
            assert info["inferred_type_name"] == type(declared.default).__name__, (
                report.name, name)


@pytest.mark.notebook
def test_plain_papermill_runs_the_smoke_profile_and_refuses_bad_values(tmp_path):
    notebook = str(catalog.get("mnist_dae").notebook)
    papermill.execute_notebook(notebook, str(tmp_path / "out.ipynb"), kernel_name="python3",
                               parameters={"profile": "smoke", "output_dir": str(tmp_path / "o")},
                               progress_bar=False, cwd=str(tmp_path))
    record = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert record["profile"] == "smoke"
    assert record["parameters"]["generated_data"] is True
    assert record["parameters"]["train_limit"] == 1200
    with pytest.raises(PapermillExecutionError) as raised:
        papermill.execute_notebook(notebook, str(tmp_path / "bad.ipynb"),
                                   kernel_name="python3", progress_bar=False,
                                   parameters={"profile": "smoke", "dae_epochs": 0,
                                               "output_dir": str(tmp_path / "bad")},
                                   cwd=str(tmp_path))
    assert raised.value.ename == "ParameterError"
    assert "dae_epochs=0 is out of range (1..1000)" in raised.value.evalue
