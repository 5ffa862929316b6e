import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from kerasreports import record  # noqa: E402


def test_recorder_writes_metrics_summary_and_figures(tmp_path):
    rec = record.Recorder("mnist_dae", output_dir=str(tmp_path), profile="quick",
                          parameters={"dae_epochs": np.int64(3)}, seed=7)
    rec.metric("dae_params_total", 1_438_676)
    rec.metric("probe_codes_test_accuracy", np.float32(0.8))
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    rec.figure(fig, "line", "A line")
    rec.table("Numbers", [{"a": 1, "b": 0.5}])
    rec.note("a finding")
    rec.finish()

    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["seed"] == 7 and saved["parameters"] == {"dae_epochs": 3}
    assert saved["metrics"]["probe_codes_test_accuracy"] == np.float32(0.8).item()
    rows = {r["quantity"]: r for r in saved["source_vs_regenerated"]}
    assert rows["DAE parameters, total"]["difference"] == 0
    assert rows["probe test accuracy on raw pixels"]["regenerated"] is None  # not measured

    summary = (tmp_path / "summary.md").read_text()
    assert "| probe test accuracy on raw pixels | 0.8764 | – | – |" in summary
    assert "## Numbers" in summary and "- a finding" in summary
    assert "![A line](figures/line.png)" in summary
    assert (tmp_path / "figures" / "line.png").stat().st_size > 0
    assert not list(tmp_path.glob("*.tmp"))


def test_compare_only_keeps_the_source_figures_of_the_data_set_that_ran(tmp_path):
    rec = record.Recorder("image_classification", output_dir=str(tmp_path))
    rec.compare_only("cifar10_")
    rec.metric("cifar10_lenet_params", 62_006)
    rows = rec.source_vs_regenerated()
    assert rows and all(r["quantity"].startswith("cifar10 ") for r in rows)
    assert {"quantity": "cifar10 lenet: trainable parameters", "source": 62_006,
            "regenerated": 62_006, "difference": 0} in rows


def test_number_formatting():
    assert record.format_number(1438676) == "1,438,676"
    assert record.format_number(0.87521) == "0.8752"
    assert record.format_number(0.000791) == "7.910e-04"
    assert record.format_number(None) == "–"


def test_start_records_every_name_of_the_parameters_cell(tmp_path, capsys):
    from kerasreports import catalog, parameters

    declared = parameters.notebook_parameters(catalog.get("mnist_dae").notebook)
    namespace = {name: p.default for name, p in declared.items()}
    namespace.update(seed=3, dae_epochs=2, output_dir=str(tmp_path), np=np)
    rec = record.start("mnist_dae", namespace)
    assert rec.seed == 3 and rec.dir == tmp_path
    # Every parameter of the cell, as it stands, except where the report is written.
    assert set(rec.parameters) == set(declared) - {"output_dir"}
    assert rec.parameters["dae_epochs"] == 2
    assert "backend" in capsys.readouterr().out
    del namespace["dae_epochs"]
    with pytest.raises(NameError, match="dae_epochs"):
        record.parameters_in("mnist_dae", namespace)
