"""The six readings of source 004's "uniform noise of intensity P" do what they say."""

import numpy as np
import pytest

from kerasreports.datasets import noise

X = np.random.default_rng(0).uniform(0.2, 0.8, (200, 784)).astype("float32")


def _noisy(kind, p=0.3):
    return noise.uniform_noise(kind, X, p, np.random.default_rng(1))


def test_added_uniform_noise_is_centred_or_positive_and_clipped_or_not():
    assert abs(float((_noisy("centred") - X).mean())) < 0.005
    assert float((_noisy("positive") - X).mean()) == pytest.approx(0.15, abs=0.005)
    for kind in ("clipped_centred", "clipped_positive"):
        assert _noisy(kind).min() >= 0 and _noisy(kind).max() <= 1
    assert _noisy("centred", p=0.9).min() < 0 and _noisy("positive", p=0.9).max() > 1
    # the report's reading before there were six is the same draw as before
    assert np.array_equal(_noisy("clipped_centred"),
                          noise.uniform(X, 0.3, np.random.default_rng(1)))


def test_impulse_noises_replace_a_share_p_of_the_pixels():
    salt = _noisy("salt_and_pepper")
    changed = salt != X
    assert changed.mean() == pytest.approx(0.3, abs=0.01)
    assert set(np.unique(salt[changed])) <= {0.0, 1.0}
    impulse = _noisy("random_impulse")
    assert (impulse != X).mean() == pytest.approx(0.3, abs=0.01)
    assert 0 <= impulse.min() and impulse.max() <= 1


def test_an_unknown_reading_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown uniform noise 'gaussian'; choose one of"):
        noise.uniform_noise("gaussian", X, 0.1, np.random.default_rng(0))


def test_the_notebook_offers_exactly_these_readings():
    from kerasreports import catalog
    from kerasreports.parameters import notebook_parameters

    rule = notebook_parameters(catalog.get("mnist_dae").notebook)["uniform_noise"].rule
    assert rule.choices == tuple(noise.UNIFORM_NOISE)
