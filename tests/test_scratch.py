"""kerasreports.scratch: hand-written backward passes checked against TensorFlow's own gradients
and the blocks checked against the Keras layers they mirror, given the same weights."""

import re
from pathlib import Path

import keras
import numpy as np
import pytest

from kerasreports import scratch
from kerasreports.scratch import (
    ELU,
    MSE,
    SELU,
    SGD,
    Conv2d,
    Linear,
    NearestUpsampling,
    ReLU,
    Sequential,
    Sigmoid,
    TransposeConv2d,
    Upsampling,
)
from kerasreports.scratch._patches import fold, fold_product, unfold

tf = pytest.importorskip("tensorflow")

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the reference gradients come from tf.GradientTape"
)

F64 = "float64"


def rng(seed=0):
    return np.random.default_rng(seed)


def relative_error(got, expected):
    got, expected = np.asarray(got), np.asarray(expected)
    return float(np.linalg.norm(got - expected) / max(np.linalg.norm(expected), 1e-12))


def gradient_check(module, x, seed=1):
    """Compare module.backward (input and parameter grads) with the tape's, for sum(y * g)."""
    x = tf.constant(x, dtype=tf.float64)
    params = module.param()
    with tf.GradientTape() as tape:
        tape.watch(x)
        for parameter in params:
            tape.watch(parameter.value)
        y = module(x)
        upstream = tf.constant(rng(seed).standard_normal(tuple(y.shape)))
        objective = tf.reduce_sum(y * upstream)
    expected = tape.gradient(objective, [x] + [parameter.value for parameter in params])
    module.zero_grad()
    got = [module.backward(upstream)] + [parameter.grad for parameter in params]
    names = ["input"] + [f"param_{i}" for i in range(len(params))]
    for name, g, e in zip(names, got, expected):
        assert tuple(g.shape) == tuple(e.shape), name
        np.testing.assert_allclose(np.asarray(g), np.asarray(e), rtol=1e-5, atol=1e-8, err_msg=f"{module!r} {name}")
    return max(relative_error(g, e) for g, e in zip(got, expected))


def source_model(seed=0, channels=8, dtype=None):
    """The source's denoiser: Conv(s2), ReLU, Conv(s2), ReLU, Upsampling, ReLU, Upsampling, Sigmoid."""
    r = rng(seed)
    return Sequential(
        Conv2d(3, channels, 3, stride=2, padding=1, rng=r, dtype=dtype), ReLU(),
        Conv2d(channels, channels, 3, stride=2, padding=1, rng=r, dtype=dtype), ReLU(),
        Upsampling(channels, channels, 3, rng=r, dtype=dtype), ReLU(),
        Upsampling(channels, 3, 3, rng=r, dtype=dtype), Sigmoid(),
    )


CASES = {
    "linear": (lambda: Linear(5, 4, rng=rng(), dtype=F64), (3, 5)),
    "linear_no_bias_3d": (lambda: Linear(5, 4, bias=False, rng=rng(), dtype=F64), (2, 3, 5)),
    "conv_k3": (lambda: Conv2d(3, 4, 3, rng=rng(), dtype=F64), (2, 7, 5, 3)),
    "conv_k3_s2": (lambda: Conv2d(3, 4, 3, stride=2, rng=rng(), dtype=F64), (2, 7, 5, 3)),
    "conv_k3_p1": (lambda: Conv2d(3, 4, 3, padding=1, rng=rng(), dtype=F64), (2, 7, 5, 3)),
    "conv_k3_d2": (lambda: Conv2d(3, 4, 3, dilation=2, rng=rng(), dtype=F64), (2, 7, 6, 3)),
    "conv_k2_s2_p1": (lambda: Conv2d(3, 4, 2, stride=2, padding=1, rng=rng(), dtype=F64), (2, 7, 5, 3)),
    "conv_k3x2_s2x1_d2_no_bias": (
        lambda: Conv2d(3, 4, (3, 2), stride=(2, 1), dilation=2, padding=1, bias=False, rng=rng(), dtype=F64),
        (2, 7, 5, 3),
    ),
    "tconv_k3": (lambda: TransposeConv2d(3, 4, 3, rng=rng(), dtype=F64), (2, 4, 3, 3)),
    "tconv_k3_s2": (lambda: TransposeConv2d(3, 4, 3, stride=2, rng=rng(), dtype=F64), (2, 4, 3, 3)),
    "tconv_k3_s2_p1": (lambda: TransposeConv2d(3, 4, 3, stride=2, padding=1, rng=rng(), dtype=F64), (2, 4, 3, 3)),
    "tconv_k2_s2_d2": (lambda: TransposeConv2d(3, 4, 2, stride=2, dilation=2, rng=rng(), dtype=F64), (2, 4, 3, 3)),
    "nearest_2": (lambda: NearestUpsampling(2), (2, 3, 4, 3)),
    "nearest_3": (lambda: NearestUpsampling(3), (2, 3, 2, 2)),
    "upsampling": (lambda: Upsampling(3, 4, 3, rng=rng(), dtype=F64), (2, 3, 4, 3)),
    "upsampling_k5_x3": (lambda: Upsampling(3, 2, 5, scale=3, rng=rng(), dtype=F64), (2, 3, 2, 3)),
    "relu": (ReLU, (4, 7)),
    "sigmoid": (Sigmoid, (4, 7)),
    "elu": (ELU, (4, 7)),
    "elu_alpha_half": (lambda: ELU(alpha=0.5), (4, 7)),
    "selu": (SELU, (2, 3, 4, 2)),
    "source_model": (lambda: source_model(dtype=F64), (2, 8, 8, 3)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_backward_matches_tensorflow_gradients(case):
    make, shape = CASES[case]
    error = gradient_check(make(), rng(7).standard_normal(shape))
    print(f"{case}: max relative error {error:.2e}")


def test_the_gradient_check_catches_a_wrong_backward():
    class WrongSigmoid(Sigmoid):
        def _derivative(self, x, y):
            return y * (1 - y) * 1.001

    with pytest.raises(AssertionError):
        gradient_check(WrongSigmoid(), rng(7).standard_normal((4, 7)))


def test_conv2d_input_gradient_matches_finite_differences():
    """An independent check of fold, not resting on TensorFlow's gradients of unfold."""
    layer = Conv2d(2, 3, 3, stride=2, padding=1, dilation=2, rng=rng(), dtype=F64)
    x = rng(1).standard_normal((1, 6, 5, 2))
    g = rng(2).standard_normal(tuple(layer(x).shape))
    analytic = np.asarray(layer.backward(g))
    numeric = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = 1e-6
        numeric[index] = (np.sum(np.asarray(layer(x + step)) * g) - np.sum(np.asarray(layer(x - step)) * g)) / 2e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_mse_gradient():
    p = tf.constant(rng(1).standard_normal((3, 4, 2)))
    t = rng(2).standard_normal((3, 4, 2))
    loss = MSE()
    with tf.GradientTape() as tape:
        tape.watch(p)
        value = loss(p, t)
    expected = tape.gradient(value, p)
    np.testing.assert_allclose(np.asarray(value), np.mean((np.asarray(p) - t) ** 2), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(loss.backward()), np.asarray(expected), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(np.asarray(loss.backward(3.0)), 3 * np.asarray(expected), rtol=1e-5, atol=1e-8)


def test_fold_is_the_adjoint_of_unfold():
    geometry = {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2)}
    x = rng(1).standard_normal((2, 7, 5, 3))
    cols = np.asarray(unfold(tf.constant(x), (3, 2), **geometry))
    c = rng(2).standard_normal(cols.shape)
    back = np.asarray(fold(tf.constant(c), (7, 5), (3, 2), **geometry))
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back), rtol=1e-10)


def test_gradients_accumulate_until_zero_grad():
    layer = Linear(3, 2, rng=rng(), dtype=F64)
    x, g = rng(1).standard_normal((4, 3)), rng(2).standard_normal((4, 2))
    layer(x)
    layer.backward(g)
    once = np.asarray(layer.weight.grad)
    layer.backward(g)
    np.testing.assert_allclose(np.asarray(layer.weight.grad), 2 * once)
    layer.zero_grad()
    for value, grad in layer.param():
        assert not np.any(np.asarray(grad)) and value.shape == grad.shape


# Equivalence with the Keras layers, given the same weights -------------------------------


def _keras(layers, x, weights_layer, weights):
    model = keras.Sequential([keras.Input(x.shape[1:], dtype=F64)] + layers)
    weights_layer.set_weights([np.asarray(p.value) for p in weights])
    return np.asarray(model(x))


@pytest.mark.parametrize(
    "kernel, stride, padding, dilation",
    [(3, 1, 0, 1), (3, 2, 1, 1), (3, 1, 2, 2), (2, 2, 0, 1), ((3, 2), (2, 1), 1, 1)],
)
def test_conv2d_matches_keras(kernel, stride, padding, dilation):
    layer = Conv2d(3, 4, kernel, stride=stride, padding=padding, dilation=dilation, rng=rng(), dtype=F64)
    x = rng(1).standard_normal((2, 7, 5, 3))
    conv = keras.layers.Conv2D(4, kernel, strides=stride, dilation_rate=dilation, padding="valid", dtype=F64)
    expected = _keras([keras.layers.ZeroPadding2D(padding, dtype=F64), conv], x, conv, layer.param())
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kernel, stride, padding", [(3, 1, 0), (3, 2, 0), (2, 2, 0), (3, 2, 1), (4, 2, 1)])
def test_transpose_conv2d_matches_keras(kernel, stride, padding):
    layer = TransposeConv2d(3, 4, kernel, stride=stride, padding=padding, rng=rng(), dtype=F64)
    x = rng(1).standard_normal((2, 4, 3, 3))
    deconv = keras.layers.Conv2DTranspose(4, kernel, strides=stride, padding="valid", dtype=F64)
    expected = _keras([deconv], x, deconv, layer.param())
    if padding:
        expected = expected[:, padding:-padding, padding:-padding, :]
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("scale", [2, 3])
def test_nearest_upsampling_matches_keras(scale):
    x = rng(1).standard_normal((2, 3, 4, 2))
    expected = keras.layers.UpSampling2D(size=scale, interpolation="nearest", dtype=F64)(x)
    np.testing.assert_array_equal(np.asarray(NearestUpsampling(scale)(x)), np.asarray(expected))


def test_linear_matches_keras_dense():
    layer = Linear(5, 4, rng=rng(), dtype=F64)
    x = rng(1).standard_normal((3, 5))
    dense = keras.layers.Dense(4, dtype=F64)
    expected = _keras([dense], x, dense, layer.param())
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "module, reference",
    [
        (ReLU(), keras.activations.relu),
        (Sigmoid(), keras.activations.sigmoid),
        (ELU(), keras.activations.elu),
        (ELU(alpha=0.5), lambda x: keras.activations.elu(x, alpha=0.5)),
        (SELU(), keras.activations.selu),
    ],
    ids=repr,
)
def test_activations_match_keras(module, reference):
    x = tf.constant(np.linspace(-6, 6, 97))
    np.testing.assert_allclose(np.asarray(module(x)), np.asarray(reference(x)), rtol=1e-7, atol=1e-12)


def test_initialisation_follows_pytorch_bounds_and_is_seeded():
    conv = Conv2d(4, 6, 3, rng=rng(), dtype=F64)
    tconv = TransposeConv2d(4, 6, 3, rng=rng(), dtype=F64)
    assert np.abs(np.asarray(conv.weight.value)).max() <= 1 / np.sqrt(4 * 9)
    assert np.abs(np.asarray(tconv.weight.value)).max() <= 1 / np.sqrt(6 * 9)
    assert tconv.weight.shape == (3, 3, 6, 4) and conv.weight.shape == (3, 3, 4, 6)
    again = Conv2d(4, 6, 3, rng=rng(), dtype=F64)
    np.testing.assert_array_equal(np.asarray(conv.weight.value), np.asarray(again.weight.value))
    assert Linear(2, 3, rng=rng()).weight.value.dtype == keras.backend.floatx()


# No automatic differentiation, and the errors -------------------------------------------


def test_the_framework_never_uses_automatic_differentiation():
    autograd = ["GradientTape", "gradients(", "jax.grad", "value_and_grad", "jax.vjp", "jax.jvp",
                "linearize", "autograd", "torch.func"]
    backend_imports = ["import tensorflow", "import jax", "import torch", "from tensorflow",
                       "from jax", "from torch"]
    sources = sorted(Path(scratch.__file__).parent.glob("*.py"))
    assert len(sources) >= 9
    for source in sources:
        text = source.read_text()
        for word in autograd:
            assert word not in text, f"{source.name} mentions {word!r}"
        if source.name != "compiled.py":
            for word in backend_imports:
                assert word not in text, f"{source.name} mentions {word!r}"
    # compiled.py imports the backends for their tracing compilers, and uses nothing else.
    compiled_source = (Path(scratch.__file__).parent / "compiled.py").read_text()
    used = set(re.findall(r"\b(tf|jax)\.(\w+)", compiled_source))
    assert used <= {("tf", "function"), ("jax", "jit")}, used


@pytest.mark.parametrize(
    "module",
    [Conv2d(3, 48, 3, stride=2, rng=rng()), Linear(2, 2, rng=rng()), TransposeConv2d(2, 2, 2, rng=rng()),
     NearestUpsampling(2), Upsampling(2, 2, 3, rng=rng()), ReLU(), SELU(), MSE(), source_model()],
    ids=repr,
)
def test_backward_before_forward_names_the_module(module):
    with pytest.raises(RuntimeError, match="backward called before forward") as error:
        module.backward(tf.zeros((1, 1)))
    assert type(module.modules[-1] if isinstance(module, Sequential) else module).__name__ in str(error.value)


def test_conv2d_message_names_its_hyperparameters():
    with pytest.raises(RuntimeError) as error:
        Conv2d(3, 48, 3, stride=2, rng=rng()).backward(tf.zeros((1, 1)))
    assert str(error.value) == "Conv2d(3->48, k=3, s=2): backward called before forward"


def test_channel_mismatch_in_sequential_names_the_layer_index():
    r = rng()
    model = Sequential(Conv2d(3, 3, 3, rng=r), ReLU(), Conv2d(48, 8, 3, rng=r))
    with pytest.raises(ValueError) as error:
        model(np.zeros((1, 8, 8, 3), "float32"))
    assert str(error.value) == "layer 2 (Conv2d(48->8, k=3, s=1)): expected 48 input channels, got 3"
    assert model[2]._cache is None  # refused before computing anything
    nested = Sequential(ReLU(), model)
    with pytest.raises(ValueError, match=r"^layer 1 \(Sequential.*\): layer 2 \(Conv2d\(48->8"):
        nested(np.zeros((1, 8, 8, 3), "float32"))


def test_grad_of_the_wrong_shape_names_the_module_and_both_shapes():
    layer = Conv2d(3, 4, 3, rng=rng())
    layer(np.zeros((2, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match=r"Conv2d\(3->4.*\(2, 3, 3, 5\).*\(2, 3, 3, 4\)"):
        layer.backward(tf.zeros((2, 3, 3, 5)))
    with pytest.raises(ValueError, match=r"layer 1 \(ReLU\(\)\).*\(1, 2\).*\(1, 3\)"):
        model = Sequential(Linear(2, 3, rng=rng()), ReLU())
        model(np.zeros((1, 2), "float32"))
        model.backward(tf.zeros((1, 2)))


@pytest.mark.parametrize(
    "lr, momentum, message",
    [(0, 0.0, "lr .* got 0$"), (-0.1, 0.0, "lr .* got -0.1$"), (float("nan"), 0.0, "lr .* got nan$"),
     (0.1, 1.0, r"momentum .* got 1.0$"), (0.1, -0.5, r"momentum .* got -0.5$")],
)
def test_sgd_refuses_bad_hyperparameters(lr, momentum, message):
    with pytest.raises(ValueError, match=message):
        SGD(Linear(2, 2, rng=rng()).param(), lr=lr, momentum=momentum)


def test_sgd_momentum_follows_pytorch():
    layer = Linear(2, 1, bias=False, rng=rng(), dtype=F64)
    start = np.asarray(layer.weight.value)
    optimizer = SGD(layer.param(), lr=0.1, momentum=0.9)
    for _ in range(2):
        layer.weight.grad = tf.ones((2, 1), tf.float64)
        optimizer.step()
    np.testing.assert_allclose(np.asarray(layer.weight.value), start - 0.1 * 1 - 0.1 * 1.9)


def _data(n=64, size=16, seed=0):
    """Noise2Noise pairs: two noisy copies of smooth random images."""
    r = rng(seed)
    clean = np.kron(r.uniform(0.2, 0.8, (n, size // 4, size // 4, 3)), np.ones((1, 4, 4, 1)))

    def noisy():
        return np.clip(clean + r.normal(0, 0.1, clean.shape), 0, 1).astype("float32")

    return noisy(), noisy()


def test_fit_raises_on_a_nan_loss_after_reporting_finished_epochs():
    x, y = _data(n=8, size=8)
    model = source_model()
    seen = []

    def on_epoch(epoch, logs):
        seen.append(epoch)
        if epoch == 2:  # poison the weights: the next batch's loss is NaN
            model[0].weight.value = model[0].weight.value * np.nan

    with pytest.raises(FloatingPointError, match=r"^loss became nan at epoch 3, batch 1$"):
        scratch.fit(model, MSE(), SGD(model.param(), lr=0.1), x, y, epochs=5, batch_size=4, rng=rng(), on_epoch=on_epoch)
    assert seen == [1, 2]
    x[0, 0, 0, 0] = np.nan
    with pytest.raises(FloatingPointError, match="epoch 1, batch 1"):
        fresh = source_model()
        scratch.fit(fresh, MSE(), SGD(fresh.param(), lr=0.1), x, y, epochs=1, batch_size=8, rng=rng())
    with pytest.raises(ValueError, match="not the model's"):
        scratch.fit(source_model(), MSE(), SGD(model.param(), lr=0.1), x, y, epochs=1, batch_size=8, rng=rng())


def test_save_load_round_trip_and_mismatch(tmp_path):
    model, other = source_model(seed=0), source_model(seed=1)
    path = scratch.save(model, tmp_path / "weights")
    assert path.name == "weights.npz"
    scratch.load(other, tmp_path / "weights")
    for a, b in zip(model.param(), other.param()):
        np.testing.assert_array_equal(np.asarray(a.value), np.asarray(b.value))
    x = _data(n=2)[0]
    np.testing.assert_array_equal(np.asarray(model(x)), np.asarray(other(x)))
    wider = source_model(channels=4)
    before = np.asarray(wider[0].weight.value)
    with pytest.raises(ValueError, match=r"param_0 has shape \(3, 3, 3, 8\).*\(3, 3, 3, 4\)"):
        scratch.load(wider, path)
    np.testing.assert_array_equal(np.asarray(wider[0].weight.value), before)  # left as it was
    with pytest.raises(ValueError, match="holds 8 arrays.*has 1 parameters"):
        scratch.load(Linear(2, 2, bias=False, rng=rng()), path)


def test_training_the_source_model_lowers_the_loss():
    x, y = _data()
    model = source_model()
    loss = MSE()
    before = scratch.evaluate(model, loss, x, y, batch_size=32)
    history = scratch.fit(
        model, loss, SGD(model.param(), lr=1.0, momentum=0.9), x, y, epochs=6, batch_size=8, rng=rng(),
        validation=(x[:16], y[:16]),
    )
    assert len(history["loss"]) == len(history["val_loss"]) == 6
    # The first epochs fit the mean grey level (the plateau at ~0.040); then the images' structure.
    assert history["loss"][-1] < 0.9 * before, (before, history)
    assert history["val_loss"][-1] < 0.9 * history["val_loss"][0], history
    prediction = scratch.predict(model, x, batch_size=24)
    assert tuple(prediction.shape) == x.shape


@pytest.mark.parametrize("size, kernel, stride, padding, dilation", [
    ((7, 5), (3, 3), (1, 1), (1, 1), (1, 1)),
    ((7, 5), (3, 2), (2, 2), (1, 0), (1, 1)),
    ((8, 8), (4, 4), (2, 2), (1, 1), (1, 1)),
    ((9, 7), (3, 3), (1, 1), (0, 2), (2, 2)),
    ((6, 6), (2, 2), (2, 2), (3, 3), (1, 1)),  # padding beyond the kernel's reach
])
def test_fold_product_is_fold_of_the_product(size, kernel, stride, padding, dilation):
    """The regrouped sum Conv2d's backward and TransposeConv2d's forward use equals the plain
    adjoint: fold(g @ matrix^T)."""
    geometry = dict(stride=stride, padding=padding, dilation=dilation)
    x = rng(0).standard_normal((2, *size, 3))
    out_h, out_w = unfold(x, kernel, **geometry).shape[1:3]
    g = rng(1).standard_normal((2, out_h, out_w, 2))  # fewer channels than the columns'
    matrix = rng(2).standard_normal((kernel[0] * kernel[1] * 3, 2))
    expected = fold(np.asarray(g) @ matrix.T, size, kernel, **geometry)
    got = fold_product(g, matrix, size, kernel, **geometry)
    np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_compiled_training_equals_op_by_op_training(momentum):
    x, y = _data(n=12, size=8)
    histories, models = [], []
    for compiled in (False, True):
        model = source_model()
        optimizer = SGD(model.param(), lr=0.5, momentum=momentum)
        histories.append(scratch.fit(model, MSE(), optimizer, x, y, epochs=3, batch_size=4, rng=rng(),
                                     validation=(x[:6], y[:6]), compiled=compiled))
        models.append(model)
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(histories[1][key], histories[0][key], rtol=1e-5)
    for eager, compiled in zip(models[0].param(), models[1].param()):
        np.testing.assert_allclose(np.asarray(compiled.value), np.asarray(eager.value), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(np.asarray(compiled.grad), np.asarray(eager.grad), rtol=1e-4, atol=1e-7)
    reference = np.asarray(models[1](x))
    for compiled in (False, True):
        np.testing.assert_allclose(np.asarray(scratch.predict(models[1], x, batch_size=5, compiled=compiled)),
                                   reference, rtol=1e-5, atol=1e-6)
    # The compiled run leaves no forward cache behind: a backward now is the usual clear error.
    with pytest.raises(RuntimeError, match="backward called before forward"):
        models[1].backward(np.zeros((12, 8, 8, 3), "float32"))
