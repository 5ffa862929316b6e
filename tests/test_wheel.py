"""Installed from a wheel, without the checkout: `kerasreports run` finds the notebooks the
wheel carries, and `kerasreports notebooks DIR` copies them out.

The wheel goes into a fresh virtual environment; its dependencies (TensorFlow, papermill,
...) come from this environment's site-packages through a .pth line, so that the test
does not download a gigabyte, and this environment's editable install of kerasreports is
not seen (a .pth path line does not run that folder's own .pth files).
"""

import json
import os
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.notebook  # it builds a wheel and runs a report's notebook


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(root / "dist"), str(REPO)], capture_output=True, text=True,
                           timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next((root / "dist").glob("kerasreports-*.whl"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip())
    dependencies = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    (purelib / "dependencies.pth").write_text("\n".join(dict.fromkeys(dependencies)) + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                           "--target", str(purelib), str(wheel)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return python, root


def _kerasreports(python: Path, *args, cwd: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    # ipykernel's kernel spec, which a real install puts in the venv's share/jupyter (its
    # "python" is the first on PATH: the fresh venv's).
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return subprocess.run([str(python), "-m", "kerasreports.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_wheel_carries_the_notebooks_and_runs_a_report(installed):
    python, root = installed
    where = subprocess.run([str(python), "-c", "import kerasreports, sys; "
                            "print(kerasreports.__file__)"], capture_output=True, text=True,
                           cwd=root)
    assert str(root / "venv") in where.stdout, where.stdout + where.stderr
    empty = root / "empty"
    empty.mkdir()
    done = _kerasreports(python, "run", "mnist_dae", cwd=empty)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    record = json.loads((empty / "reports" / "smoke" / "mnist_dae" / "metrics.json").read_text())
    assert record["environment"]["git_revision"].startswith("installed kerasreports ")
    assert record["metrics"]["dae_params_total"] == 1_438_676


def test_notebooks_are_copied_out_and_never_over_a_file(installed):
    python, root = installed
    target = root / "my-notebooks"
    done = _kerasreports(python, "notebooks", str(target), cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]
    assert {p.name for p in target.glob("*.ipynb")} == {
        f"{name}.ipynb" for name in ("mnist_dae", "translation", "dirty_documents",
                                     "arithmetic", "arithmetic_sweeps",
                                     "scratch_framework",
                                     "image_classification", "rnn_language")}
    (target / "mnist_dae.ipynb").write_text("mine")
    again = _kerasreports(python, "notebooks", str(target), cwd=root)
    assert again.returncode == 2 and "nothing was copied" in again.stderr
    assert (target / "mnist_dae.ipynb").read_text() == "mine"
