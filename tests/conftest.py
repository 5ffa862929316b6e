import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# `kerasreports run` checkpoints every fit (kerasreports.resume): in the tests, into a
# folder of this session's, never the user's ~/.cache.
os.environ["KERASREPORTS_CHECKPOINTS"] = tempfile.mkdtemp(prefix="kerasreports-checkpoints-")


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    # Tests never reach for the network: a missing data set must be explained, not fetched.
    monkeypatch.setenv("KERASREPORTS_OFFLINE", "1")


@pytest.fixture
def no_data_anywhere(monkeypatch, tmp_path):
    """No data root holds any data set: no $KERASREPORTS_DATA, an empty ./data and cache."""
    monkeypatch.delenv("KERASREPORTS_DATA", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def real_data():
    root = os.environ.get("KERASREPORTS_DATA")
    if not root or not Path(root).is_dir():
        pytest.skip("KERASREPORTS_DATA is not set to the real data sets")
    return Path(root)
