"""R8 `scratch_framework`: its data step (CIFAR-10 Noise2Noise pairs) and its models."""

import numpy as np
import pytest

import keras
from kerasreports import metrics
from kerasreports.datasets import cifar10, store, synthetic
from kerasreports.models import noise2noise


def test_generated_pairs_are_two_noisy_copies_and_deterministic():
    a = cifar10.noise2noise_data(generated=True, n_train=50, n_val=20, seed=3)
    b = cifar10.noise2noise_data(generated=True, n_train=50, n_val=20, seed=3)
    for x, y in zip(a[:4], b[:4]):
        np.testing.assert_array_equal(x, y)
    assert a.source.shape == a.target.shape == (50, 32, 32, 3)
    assert a.val_noisy.shape == a.val_clean.shape == (20, 32, 32, 3)
    assert a.source.dtype == np.float32 and 0 <= a.source.min() and a.source.max() <= 1
    # Two independent draws of noise on the same images: they differ, by about 2 sigma^2.
    mse = float(np.mean((a.source - a.target) ** 2))
    assert 0.5 * 2 * (25 / 255) ** 2 < mse < 1.1 * 2 * (25 / 255) ** 2
    # Noisy inputs against the clean images: PSNR near 20 * log10(255 / 25) = 20.2 dB.
    assert 19.5 < metrics.psnr(a.val_clean, a.val_noisy) < 21.5


def test_bad_sizes_and_noise_are_errors_naming_them():
    with pytest.raises(ValueError, match="asked for 700 training"):
        cifar10.noise2noise_data(generated=True, n_train=700, n_val=20)
    with pytest.raises(ValueError, match="unknown noise 'poisson'"):
        cifar10.add_noise(np.zeros((1, 2, 2, 3)), np.random.default_rng(0), noise="poisson")


def test_a_damaged_npz_is_a_corrupt_data_error(tmp_path):
    synthetic.write_cifar10_like(tmp_path, n_train=4, n_test=2)
    path = tmp_path / "cifar-10" / cifar10.FILE
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(store.DatasetCorruptError, match="not a readable .npz"):
        cifar10.load(tmp_path, verify=False)
    np.savez(path, x_train=np.zeros((2, 32, 32, 3), np.uint8), y_train=np.zeros(3, np.uint8),
             x_test=np.zeros((1, 32, 32, 3), np.uint8), y_test=np.zeros(1, np.uint8))
    with pytest.raises(store.DatasetCorruptError, match="x_train"):
        cifar10.load(tmp_path, verify=False)


def test_the_real_file_is_cifar10(real_data):
    data = cifar10.load(real_data)
    assert data.x_train.shape == (50000, 32, 32, 3) and data.x_test.shape == (10000, 32, 32, 3)
    assert np.bincount(data.y_train).tolist() == [5000] * 10
    # SOURCE.md: data_batch_1 row 0 starts 59, 43, 50 (the red plane, row-major).
    assert data.x_train[0, 0, :3, 0].tolist() == [59, 43, 50]


@pytest.mark.parametrize("upsampling", noise2noise.UPSAMPLINGS)
def test_the_keras_twin_computes_what_the_scratch_model_does(upsampling):
    model = noise2noise.source_denoiser(width=8, upsampling=upsampling,
                                        rng=np.random.default_rng(0))
    twin = noise2noise.keras_twin(model)
    assert twin.count_params() == noise2noise.parameter_count(model)
    x = np.random.default_rng(1).random((2, 32, 32, 3)).astype("float32")
    expected = keras.ops.convert_to_numpy(model(x))
    assert expected.shape == (2, 32, 32, 3)
    np.testing.assert_allclose(twin.predict(x, verbose=0), expected, atol=1e-6)


def test_widths_and_parameter_counts_follow_the_documented_reading():
    # 3 -> 48 -> 96 -> 48 -> 3 with 3x3 kernels and biases, nearest Upsampling.
    model = noise2noise.source_denoiser(width=96, rng=np.random.default_rng(0))
    expected = (27 * 48 + 48) + (432 * 96 + 96) + (864 * 48 + 48) + (432 * 3 + 3)
    assert noise2noise.parameter_count(model) == expected
    with pytest.raises(ValueError, match="width must be an even number"):
        noise2noise.source_denoiser(width=7, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown activation 'tanh'"):
        noise2noise.source_denoiser(activation="tanh", rng=np.random.default_rng(0))


def test_unet_keeps_the_image_size():
    model = noise2noise.unet(width=4, depth=2)
    assert model.predict(np.zeros((1, 32, 32, 3), "float32"), verbose=0).shape == (1, 32, 32, 3)


def test_psnr_of_a_known_error():
    clean = np.zeros((2, 4, 4, 3))
    assert metrics.psnr(clean, clean + 0.1) == pytest.approx(20.0)
