"""Every report runs on JAX as it runs on TensorFlow: the smoke profile of each, in a
subprocess with KERAS_BACKEND=jax, gives the same reports with the same metric names
(the numbers differ: other kernels, other random streams), and repeats itself."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from kerasreports import catalog

pytestmark = [pytest.mark.notebook,
              pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                                 reason="JAX is not installed (pip install -e '.[jax]')")]


def _smoke(cwd, *names):
    env = {**os.environ, "KERASREPORTS_OFFLINE": "1", "KERAS_BACKEND": "jax"}
    return subprocess.run(
        [sys.executable, "-m", "kerasreports.cli", "run", *names, "--profile", "smoke"],
        capture_output=True, text=True, env=env, timeout=1200, cwd=cwd)


@pytest.fixture(scope="module")
def jax_reports(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("jax-user")
    done = _smoke(cwd)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return cwd / "reports" / "smoke"


def _record(root, name):
    return json.loads((root / name / "metrics.json").read_text())


def test_every_report_runs_on_jax_with_the_metrics_it_has_on_tensorflow(jax_reports):
    for name, report in catalog.REPORTS.items():
        record = _record(jax_reports, name)
        assert record["environment"]["backend"] == "jax", name
        assert (jax_reports / name / "summary.md").is_file(), name
        # Every source figure the TensorFlow run fills is filled on JAX too.
        filled = {row["quantity"] for row in record["source_vs_regenerated"]
                  if row["regenerated"] is not None}
        expected = {fig.label for fig in report.source_figures if fig.metric in record["metrics"]}
        assert filled == expected, name
        assert len(record["metrics"]) > 5, name


def test_jax_counts_the_parameters_tensorflow_counts(jax_reports):
    # mnist_dae's architecture does not depend on the data (translation's smoke counts do:
    # the generated corpus has a smaller vocabulary).
    m = _record(jax_reports, "mnist_dae")["metrics"]
    assert (m["dae_params_total"], m["dae_params_trainable"], m["probe_params"]) == \
        (1_438_676, 1_434_580, 15_146)


def test_same_seed_same_metrics_on_jax(jax_reports, tmp_path):
    again = _smoke(tmp_path, "mnist_dae")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert _record(tmp_path / "reports" / "smoke", "mnist_dae")["metrics"] == \
        _record(jax_reports, "mnist_dae")["metrics"]
