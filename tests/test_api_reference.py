"""The builders are importable from `kerasreports.models`, and the API reference that pdoc
renders from the docstrings builds (every module imports, every builder is documented)."""

import subprocess
import sys

import pytest

import kerasreports.models as models


def test_every_builder_is_importable_from_kerasreports_models():
    from kerasreports.models import dense_dae, stacked_rnn  # noqa: F401

    assert dense_dae().count_params() == 1_438_676
    for family, names in models.BUILDERS.items():
        module = __import__(f"kerasreports.models.{family}", fromlist=["_"])
        for name in names:
            assert getattr(models, name) is getattr(module, name), name
    assert "dense_dae" in dir(models)
    with pytest.raises(AttributeError, match="has no attribute 'no_such_builder'"):
        models.no_such_builder  # noqa: B018


def test_the_api_reference_builds(tmp_path):
    pytest.importorskip("pdoc")
    done = subprocess.run([sys.executable, "-m", "pdoc", "kerasreports", "-o", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Error importing" not in done.stderr, done.stderr[-3000:]
    page = (tmp_path / "kerasreports" / "models" / "autoencoders.html").read_text()
    assert "def dense_dae" in page or "dense_dae</span>" in page
    for module in ("run", "jobs", "cache", "seeds", "compare", "resume", "record"):
        assert (tmp_path / "kerasreports" / f"{module}.html").is_file(), module
