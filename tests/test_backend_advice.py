"""What `kerasreports run --profile full` says about the backend (`kerasreports.backends`)."""

import json

from kerasreports import backends, catalog


def test_the_backend_is_read_without_keras(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert backends.configured() == "tensorflow"  # Keras' own default
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "jax"}))
    assert backends.configured() == "jax"
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert backends.configured() == "torch"


def test_the_measured_reports_have_hours_on_both_backends():
    assert set(backends.FULL_PROFILE_HOURS) <= set(catalog.REPORTS)
    assert {"translation", "dirty_documents", "arithmetic"} <= set(backends.FULL_PROFILE_HOURS)
    for name, hours in backends.FULL_PROFILE_HOURS.items():
        assert set(hours) == {"tensorflow", "jax"} and min(hours.values()) > 0, name


def test_a_full_run_on_the_slow_backend_is_told_the_fast_one():
    fast = backends.fastest("translation")
    slow = ({"jax", "tensorflow"} - {fast}).pop()
    said = backends.advice("translation", "full", backend=slow)
    assert f"set KERAS_BACKEND={fast}" in said and f"this run uses {slow}" in said
    hours = backends.FULL_PROFILE_HOURS["translation"]
    assert said.index(f"on {fast}") < said.index(f"on {slow}")  # the faster first
    assert backends._hours(hours[fast]) in said
    assert backends.advice("translation", "full", backend=fast) is None
    assert backends.advice("translation", "quick", backend=slow) is None
    # dirty_documents' convolutions: TensorFlow is the fast one.
    assert backends.fastest("dirty_documents") == "tensorflow"


def test_kerasreports_run_full_says_so_before_it_starts(tmp_path, monkeypatch, capsys):
    from fake_reports import fake_report, write_notebook

    from kerasreports import cli

    notebook = write_notebook(tmp_path / "slow.ipynb", (
        "import os\nopen(os.path.join(output_dir, 'summary.md'), 'w').write('s')\n"
        "open(os.path.join(output_dir, 'metrics.json'), 'w').write('{}')"))
    monkeypatch.setattr(catalog, "REPORTS", {"slow": fake_report("slow", notebook)})
    monkeypatch.setitem(backends.FULL_PROFILE_HOURS, "slow", {"tensorflow": 6.0, "jax": 3.0})
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    assert cli.main(["run", "slow", "--profile", "full", "--output", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert ("slow's full profile: about 3 h on jax, 6 h on tensorflow of training on the "
            "project's 2-core CPU") in out and "set KERAS_BACKEND=jax" in out
    assert out.index("set KERAS_BACKEND=jax") < out.index("=== slow")
