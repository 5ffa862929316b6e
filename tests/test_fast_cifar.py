"""The airbench94-style network, its trainer and the CIFAR time-to-accuracy benchmark,
on small widths and a few random images (seconds, no data set needed)."""

import importlib.util
import json
import math
from pathlib import Path

import keras
import numpy as np
import pytest

from kerasreports.models import fast_cifar

REPO = Path(__file__).resolve().parent.parent
SMALL = (8, 16, 16)


def images(n, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8),
            rng.integers(0, 10, n).astype(np.int64))


def test_airbench_net_is_airbench94_sized_and_returns_logits():
    model = fast_cifar.airbench_net()
    assert model.output_shape == (None, 10)
    assert sum(math.prod(w.shape) for w in model.trainable_weights) == 1_971_352
    assert model.get_layer("whiten").kernel.shape == (2, 2, 3, 24)
    assert not model.get_layer("whiten").trainable  # frozen; its bias is a separate layer
    out = model(np.zeros((2, 32, 32, 3), "float32"))
    assert tuple(out.shape) == (2, 10)
    assert keras.backend.standardize_dtype(out.dtype) == "float32"


def test_normalisation_inside_has_no_weights():
    model = fast_cifar.airbench_net(widths=SMALL)
    norm = model.get_layer("normalize")
    assert isinstance(norm, keras.layers.Rescaling) and norm.weights == []
    x = np.full((1, 32, 32, 3), 255 * np.asarray(fast_cifar.CIFAR10_MEAN), "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(norm(x)), 0, atol=1e-5)
    # BatchNorm has no learnt scale; its bias is the x8-reparametrised ScaledBias.
    bn = model.get_layer("block1_1_bn")
    assert not bn.scale and not bn.center
    assert model.get_layer("block1_1_bias").multiplier == 8.0


def test_builder_is_deterministic_per_seed():
    a, b = (fast_cifar.airbench_net(widths=SMALL, seed=3) for _ in range(2))
    c = fast_cifar.airbench_net(widths=SMALL, seed=4)
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(u, v)
    assert any(not np.array_equal(u, v) for u, v in zip(a.get_weights(), c.get_weights()))


def test_convolutions_start_with_identity_filters():
    kernel = keras.ops.convert_to_numpy(fast_cifar.DiracUniform(0)((3, 3, 4, 6)))
    expected = np.zeros((3, 3, 4, 4))
    expected[1, 1] = np.eye(4)
    np.testing.assert_array_equal(kernel[..., :4], expected)
    assert np.abs(kernel[..., 4:]).max() <= 1 / 6 and np.abs(kernel[..., 4:]).min() > 0


def test_whiten_stem_whitens_patches():
    model = fast_cifar.airbench_net(widths=SMALL)
    x, _ = images(200)
    values = fast_cifar.whiten_stem(model, x)
    assert values.shape == (12,) and np.all(np.diff(values) <= 0)
    stem = keras.Model(model.input, model.get_layer("whiten").output)
    out = stem.predict(x.astype("float32"), verbose=0)
    moment = np.einsum("nhwi,nhwj->ij", out[..., :12], out[..., :12]) / np.prod(out.shape[:3])
    np.testing.assert_allclose(moment, np.eye(12) * values / (values + 5e-4), atol=1e-3)
    np.testing.assert_allclose(out[..., 12:], -out[..., :12], atol=1e-5)


@pytest.mark.parametrize("fill", ["reflect", "constant"])
def test_random_translate_crops_the_padded_image(fill):
    x = np.random.default_rng(0).random((6, 8, 8, 2)).astype("float32")
    layer = fast_cifar.RandomTranslate(2, fill, seed=0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)  # inference
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    padded = np.pad(x, [(0, 0), (2, 2), (2, 2), (0, 0)], mode=fill)
    for i in range(len(x)):
        crops = [padded[i, a:a + 8, b:b + 8] for a in range(5) for b in range(5)]
        assert any(np.allclose(out[i], c) for c in crops)


def test_triangle_schedule_is_airbench_get_lr():
    schedule = fast_cifar.Triangle(1.5, 100)
    got = [float(keras.ops.convert_to_numpy(schedule(s))) for s in (0, 23, 100)]
    np.testing.assert_allclose(got, [0.3, 1.5, 1.5 * 0.07], rtol=1e-6)


def test_lookahead_sgd_matches_airbench_update():
    # PyTorch's Nesterov SGD + airbench's Lookahead, by hand, at a constant learning rate.
    steps, lr, m = 20, 0.1, 0.85
    w0 = np.array([1.0, -2.0, 0.5], "float32")
    var = keras.Variable(w0)
    opt = fast_cifar.LookaheadSGD(lr, total_steps=steps, momentum=m, nesterov=True)
    opt.build([var])
    for _ in range(steps):  # loss |w|^2 / 2: the gradient is w
        opt.apply([keras.ops.convert_to_tensor(var.numpy())], [var])
    opt.finalize_variable_values([var])
    w, buf, ema = w0.astype("float64"), np.zeros(3), w0.astype("float64")
    for step in range(1, steps + 1):
        buf = m * buf + w
        w = w - lr * (w + m * buf)
        if step % 5 == 0:
            decay = 0.95**5 * (step / steps) ** 3
            ema = decay * ema + (1 - decay) * w
            w = ema.copy()
    np.testing.assert_allclose(var.numpy(), ema, rtol=1e-5)


def test_training_runs_records_epochs_and_freezes_the_whitening_bias():
    x, y = images(64)
    seen = []
    recipe = fast_cifar.dataclasses.replace(fast_cifar.AIRBENCH94, whiten_bias_epochs=1)
    result = fast_cifar.train_airbench(x, y, epochs=2, batch_size=32, widths=SMALL,
                                       recipe=recipe, on_epoch=seen.append, warmup=False,
                                       run_eagerly=True)  # compiled: the benchmark's test
    assert [r["epoch"] for r in result.epochs] == [1, 2] and result.steps == 4
    assert seen == result.epochs
    for r in result.epochs:
        assert np.isfinite(r["loss"]) and r["train_seconds"] > 0 and r["lr"] > 0
    assert result.epochs[1]["train_seconds"] > result.epochs[0]["train_seconds"]
    assert result.warmup_seconds == 0
    bias = result.model.get_layer("whiten_bias")
    assert float(bias.active.numpy()) == 0.0
    assert np.abs(bias.frozen.numpy()).max() > 0  # learnt for one epoch, then frozen
    # the whitening kernel was set from the images and stays frozen
    kernel = result.model.get_layer("whiten").kernel.numpy()
    np.testing.assert_allclose(kernel[..., 12:], -kernel[..., :12])


def test_train_refuses_float_images_and_too_few_images():
    model = fast_cifar.airbench_net(widths=SMALL)
    x, y = images(8)
    with pytest.raises(TypeError, match="uint8"):
        fast_cifar.train(model, x.astype("float32"), y, fast_cifar.AIRBENCH94)
    with pytest.raises(ValueError, match="no training step"):
        fast_cifar.train(model, x, y, fast_cifar.AIRBENCH94, batch_size=16)


def test_tta_views_shapes_and_level_zero_is_the_model():
    model = fast_cifar.airbench_net(widths=SMALL)
    x, _ = images(6)
    logits = {level: keras.ops.convert_to_numpy(fast_cifar.tta_model(model, level,
                                                                     "uint8")(x))
              for level in (0, 1, 2)}
    for out in logits.values():
        assert out.shape == (6, 10) and out.dtype == np.float32
    plain = keras.ops.convert_to_numpy(model(x.astype("float32")))
    np.testing.assert_allclose(logits[0], plain, atol=1e-5)
    mirrored = fast_cifar.tta_model(model, 1, "uint8")(np.ascontiguousarray(x[:, :, ::-1]))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(mirrored), logits[1],
                               atol=1e-5)  # the mirror TTA is flip-invariant
    assert fast_cifar.tta_model(model, 2, "uint8") is fast_cifar.tta_model(model, 2, "uint8")
    with pytest.raises(ValueError, match="level"):
        fast_cifar.tta_model(model, 3)
    # level 2 by hand: 1/2 the mirror mean, 1/4 each for the two 1-pixel shifts'
    def mirror(v):
        v = keras.ops.convert_to_numpy(v).astype("float32")
        return 0.5 * (keras.ops.convert_to_numpy(model(v))
                      + keras.ops.convert_to_numpy(model(v[:, :, ::-1].copy())))
    padded = np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="reflect")
    by_hand = (0.5 * mirror(x) + 0.25 * mirror(padded[:, :32, :32])
               + 0.25 * mirror(padded[:, 2:, 2:]))
    np.testing.assert_allclose(logits[2], by_hand, atol=1e-5)


def load_benchmark():
    path = REPO / "benchmarks" / "cifar_time_to_accuracy.py"
    spec = importlib.util.spec_from_file_location("cifar_time_to_accuracy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_main_end_to_end(monkeypatch, tmp_path):
    bench = load_benchmark()
    asked = {}

    def fake_load_data(**kwargs):
        asked.update(kwargs)
        (xt, yt), (xv, yv), (xs, ys) = images(64, 0), images(20, 1), images(20, 2)
        return {"x_train": xt, "y_train": yt, "x_val": xv, "y_val": yv, "x_test": xs,
                "y_test": ys, "description": "random stand-in"}

    monkeypatch.setattr(bench, "load_data", fake_load_data)
    out = tmp_path / "result.json"
    assert bench.main(["--model", "airbench", "--train-images", "64", "--eval-images", "20",
                       "--epochs", "1", "--batch-size", "32", "--airbench-widths", "8,16,16",
                       "--target", "0.0", "--json", str(out)]) == 0
    assert asked["n_train"] == 64 and asked["n_val"] == asked["n_test"] == 20
    result = json.loads(out.read_text())
    for key in ("model", "recipe", "target", "target_split", "backend", "device",
                "mixed_precision", "quick", "runs", "summary", "environment", "data"):
        assert key in result
    assert result["quick"] and result["model"] == "airbench"
    assert result["mixed_precision"] == "float32" and result["data"]["n_val"] == 20
    run = result["runs"][0]
    for key in ("seconds_to_target", "reached", "epoch_reached", "best_val_accuracy_tta",
                "train_seconds", "warmup_seconds", "test_accuracy", "test_accuracy_tta",
                "test_tta_seconds", "airbench_comparable_seconds", "steps"):
        assert key in run
    assert run["steps"] == 2 and len(run["epochs"]) == 1
    for key in ("epoch", "train_seconds", "loss", "val_accuracy", "val_accuracy_tta",
                "eval_seconds"):
        assert key in run["epochs"][0]
    # target 0: reached at the first check, after that epoch's training seconds
    assert run["reached"] and run["seconds_to_target"] == run["epochs"][0]["train_seconds"]


def test_benchmark_resnet_uses_the_reports_builder_or_its_own():
    bench = load_benchmark()
    model, builder = bench.build_resnet(blocks=(1, 1), width=4, seed=0)
    assert model.output_shape == (None, 10) and builder
    own = bench.compact_resnet(blocks=(2, 2, 2, 2), width=64)
    assert sum(math.prod(w.shape) for w in own.trainable_weights) == 11_173_962  # ResNet-18
