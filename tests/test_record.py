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


def test_summary_md_is_rendered_from_metrics_json_alone(tmp_path):
    from kerasreports import summary_text

    rec = record.Recorder("translation", output_dir=str(tmp_path))
    rec.metric("lstm_params", 72_345)
    rec.table("Numbers", [{"a": 1}])
    rec.note("a finding")
    fig, ax = plt.subplots()
    rec.figure(fig, "curve", "A curve")
    rec.finish()
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["tables"] == [{"title": "Numbers", "markdown": "| a |\n|---|\n| 1 |\n"}]
    assert saved["notes"] == ["a finding"]
    assert saved["figures"] == [{"file": "curve.png", "caption": "A curve"}]
    assert (tmp_path / "summary.md").read_text() == summary_text.render(saved)


def test_a_claim_must_agree_with_its_evidence(tmp_path):
    rec = record.Recorder("translation", output_dir=str(tmp_path))
    rec.metric("a", 0.5)
    rec.metric("b", 0.4)
    evidence = {"metrics": ["a", "b"], "relation": ">"}
    rec.claim("a > b", True, "a 0.5 > b 0.4", evidence=evidence)
    assert rec.claims[-1]["evidence"] == evidence and rec.claims[-1]["sentence"] in rec.notes
    with pytest.raises(ValueError, match="its evidence"):
        rec.claim("b > a", True, "b beats a", evidence={"metrics": ["b", "a"],
                                                       "relation": ">"})


def test_evidence_relations():
    from kerasreports.summary_text import holds_by_evidence

    m = {"x": 3, "y": 2, "z": 1}
    assert holds_by_evidence({"metrics": ["x", "y", "z"], "relation": ">"}, m)
    assert not holds_by_evidence({"metrics": ["x", "z", "y"], "relation": ">"}, m)
    assert not holds_by_evidence({"metrics": ["x", "x"], "relation": ">"}, m)  # a tie
    assert holds_by_evidence({"metrics": ["z", "y", "x"], "relation": "<"}, m)
    assert holds_by_evidence({"metrics": ["x", "y"], "relation": "within", "tolerance": 1.5}, m)
    assert not holds_by_evidence({"metrics": ["x", "z"], "relation": "within",
                                  "tolerance": 1.5}, m)
    with pytest.raises(KeyError):
        holds_by_evidence({"metrics": ["x", "w"], "relation": ">"}, m)
    with pytest.raises(ValueError, match="unknown relation"):
        holds_by_evidence({"metrics": ["x", "y"], "relation": ">="}, m)


def test_a_row_that_is_not_comparable_says_why_in_place_of_the_difference():
    from kerasreports.summary_text import comparison

    rows = {r["quantity"]: r for r in comparison("dirty_documents",
                                                 {"source_val_ssim_256": 0.9})}
    row = rows["source model validation SSIM at 256x256 (Fig. 11: 0.6-0.7)"]
    assert row["source"] == 0.65 and row["regenerated"] == 0.9
    assert row["difference"].startswith("not comparable: the source's 0.6-0.7 is below")
    assert rows["source model trainable parameters"]["difference"] is None  # not measured
