"""SPSA (source 002, section 2.7.2, Algorithm 2) and the matching Adam loop."""

import keras
import numpy as np
import pytest

from kerasreports import spsa

CE = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def separable(n=256, seed=0):
    """Two Gaussian blobs in 2D, far apart: linearly separable."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 2)).astype("float32") + np.where(y[:, None] == 1, 2.0, -2.0)
    return x.astype("float32"), y


def linear_model(seed=0, dropout=False, batch_norm=False):
    inputs = keras.Input((2,))
    x = inputs
    if batch_norm:
        x = keras.layers.BatchNormalization()(x)
    if dropout:
        x = keras.layers.Dropout(0.5, seed=seed)(x)
    init = keras.initializers.RandomNormal(stddev=0.5, seed=seed)
    outputs = keras.layers.Dense(2, kernel_initializer=init)(x)
    return keras.Model(inputs, outputs)


def weights(model):
    return [keras.ops.convert_to_numpy(v).copy() for v in model.trainable_variables]


def test_loss_falls_on_a_separable_problem():
    x, y = separable()
    model = linear_model()
    history = spsa.spsa_fit(model, x, y, loss_fn=CE, steps=150, batch_size=64, a=0.5,
                            c=0.05, validation=(x, y), evaluate_every=50)
    assert np.mean(history["loss"][-20:]) < 0.5 * np.mean(history["loss"][:5])
    assert history["val_accuracy"][-1] > 0.95
    assert history["val_step"] == [0, 50, 100, 150]
    assert history["val_loss_evaluations"] == [0, 100, 200, 300]
    assert history["val_loss"][-1] < history["val_loss"][0]


def test_deterministic_per_seed():
    x, y = separable()

    def run(seed):
        model = linear_model()
        history = spsa.spsa_fit(model, x, y, loss_fn=CE, steps=10, batch_size=32, a=0.1,
                                c=0.05, seed=seed)
        return history["loss"], weights(model)

    (loss1, w1), (loss2, w2), (loss3, w3) = run(0), run(0), run(1)
    assert loss1 == loss2 and loss1 != loss3
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(w1, w3))


class Recording:
    """A loss function that counts its calls and snapshots the model's weights."""

    def __init__(self, model):
        self.model, self.seen, self.values = model, [], []

    def __call__(self, y_true, y_pred):
        self.seen.append(weights(self.model))
        value = CE(y_true, y_pred)
        self.values.append(float(value))
        return value


def test_two_evaluations_per_step_at_theta_plus_and_minus_c_delta():
    x, y = separable()
    model = linear_model()
    theta = weights(model)
    loss_fn = Recording(model)
    steps, a, c, A = 3, 0.2, 0.05, 1.0
    history = spsa.spsa_fit(model, x, y, loss_fn=loss_fn, steps=steps, batch_size=32,
                            a=a, c=c, A=A)
    assert len(loss_fn.seen) == history["loss_evaluations"] == 2 * steps
    assert len(history["loss"]) == steps
    for k in range(1, steps + 1):
        plus, minus = loss_fn.seen[2 * k - 2], loss_fn.seen[2 * k - 1]
        j_plus, j_minus = loss_fn.values[2 * k - 2], loss_fn.values[2 * k - 1]
        a_k, c_k = spsa.gains(k, a=a, c=c, A=A, alpha=0.602, gamma=0.101)
        new_theta = []
        for t, p, m in zip(theta, plus, minus):
            delta = np.sign(p - t)
            assert set(np.unique(delta)) <= {-1.0, 1.0}  # Rademacher, every entry moved
            if k == 1:  # theta known exactly: both points are set from it, no drift
                np.testing.assert_array_equal(p, t + np.float32(c_k) * delta)
                np.testing.assert_array_equal(m, t - np.float32(c_k) * delta)
            np.testing.assert_allclose(p - m, 2 * c_k * delta, rtol=1e-5)
            np.testing.assert_allclose((p + m) / 2, t, rtol=0, atol=1e-6)
            g = (j_plus - j_minus) / (2 * c_k) * delta  # 1/delta = delta for +-1
            new_theta.append(t - a_k * g)
        assert history["loss"][k - 1] == pytest.approx((j_plus + j_minus) / 2)
        theta = new_theta
    for t, w in zip(theta, weights(model)):
        np.testing.assert_allclose(w, t, rtol=0, atol=1e-6)


def test_evaluations_are_in_inference_mode():
    # Dropout off and BatchNorm on its moving statistics: both evaluations are the same
    # deterministic function of theta, and the moving statistics never move.
    x, y = separable()
    model = linear_model(dropout=True, batch_norm=True)
    statistics = [keras.ops.convert_to_numpy(v).copy()
                  for v in model.non_trainable_variables]
    loss_fn = Recording(model)
    spsa.spsa_fit(model, x, y, loss_fn=loss_fn, steps=3, batch_size=32, c=1e-4)
    for before, v in zip(statistics, model.non_trainable_variables):
        np.testing.assert_array_equal(before, keras.ops.convert_to_numpy(v))
    # with a tiny perturbation the two values differ only by O(c), not by dropout masks
    assert abs(loss_fn.values[0] - loss_fn.values[1]) < 1e-2


def test_regularisation_is_part_of_the_loss():
    x, y = separable(32)
    inputs = keras.Input((2,))
    dense = keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(1.0))
    model = keras.Model(inputs, dense(inputs))
    penalty = float(np.sum(keras.ops.convert_to_numpy(dense.kernel) ** 2))
    assert spsa.loss_value(model, x, y, loss_fn=CE) == pytest.approx(
        float(CE(y, model(x))) + penalty, rel=1e-5)


@pytest.mark.parametrize("options, match", [
    ({"steps": 0}, "steps must be a positive integer"),
    ({"steps": -3}, "steps must be a positive integer"),
    ({"c": 0.0}, "c must be > 0"),
    ({"c": -0.1}, "c must be > 0"),
    ({"a": 0.0}, "a must be > 0"),
    ({"A": -1.0}, "A must be >= 0"),
    ({"batch_size": 0}, "batch_size must be positive"),
    ({"alpha": 1.5}, "alpha <= 1"),
    ({"evaluate_every": 0}, "evaluate_every must be positive"),
])
def test_bad_arguments_are_refused(options, match):
    x, y = separable(16)
    model = linear_model()
    theta = weights(model)
    arguments = {"loss_fn": CE, "steps": 5, "batch_size": 8, **options}
    with pytest.raises(ValueError, match=match):
        spsa.spsa_fit(model, x, y, **arguments)
    for before, after in zip(theta, weights(model)):  # refused before touching it
        np.testing.assert_array_equal(before, after)


def test_gains_and_the_default_A():
    assert spsa.gains(1, a=1.0, c=1.0, A=0.0, alpha=0.602, gamma=0.101) == (1.0, 1.0)
    a_k, c_k = spsa.gains(10, a=0.5, c=0.2, A=5.0, alpha=0.602, gamma=0.101)
    assert a_k == pytest.approx(0.5 / 15**0.602) and c_k == pytest.approx(0.2 / 10**0.101)
    x, y = separable(64)
    model_default, model_fifty = linear_model(), linear_model()
    spsa.spsa_fit(model_default, x, y, loss_fn=CE, steps=20, batch_size=16)
    spsa.spsa_fit(model_fifty, x, y, loss_fn=CE, steps=20, batch_size=16, A=50.0)
    for a, b in zip(weights(model_default), weights(model_fifty)):
        np.testing.assert_array_equal(a, b)  # A defaults to default_A(steps)
    assert spsa.default_A(20) == 50 and spsa.default_A(2000) == 200


def test_minibatches_are_epochs_of_permutations():
    batches = list(spsa.minibatches(10, batch_size=4, steps=5, seed=0))
    assert len(batches) == 5 and all(len(b) == 4 for b in batches)
    for epoch in (batches[0:2], batches[2:4]):  # 2 full batches per epoch, tail dropped
        assert len(set(np.concatenate(epoch))) == 8
    assert [len(b) for b in spsa.minibatches(3, batch_size=8, steps=2)] == [3, 3]


def test_adam_matches_the_evaluation_budget():
    assert spsa.spsa_steps_for(1000) == 500
    assert spsa.adam_steps_for(1000) == 1000
    assert spsa.adam_steps_for(999, backward_cost=2) == 333
    with pytest.raises(ValueError, match="backward_cost"):
        spsa.adam_steps_for(10, backward_cost=-1)
    x, y = separable()
    model = linear_model()
    history = spsa.adam_fit(model, x, y, loss_fn=CE, steps=60, batch_size=32,
                            learning_rate=0.05, validation=(x, y), evaluate_every=30)
    assert history["loss_evaluations"] == 60 and len(history["loss"]) == 60
    assert history["val_loss_evaluations"] == [0, 30, 60]
    assert history["val_accuracy"][-1] > 0.95
    assert set(history) == set(spsa.spsa_fit(linear_model(), x, y, loss_fn=CE, steps=1,
                                              batch_size=32))


def test_compare_with_adam_spends_the_same_evaluations_from_the_same_start():
    x, y = separable()
    built = []

    def build():
        built.append(linear_model(seed=len(built)))  # different weights each call...
        return built[-1]

    result = spsa.compare_with_adam(build, x, y, x, y, evaluations=41, batch_size=32,
                                    learning_rate=0.05, points=4, a=0.5, c=0.05)
    spsa_run, adam_run = result["SPSA"], result["Adam"]
    assert spsa_run["evaluations"] == adam_run["evaluations"] == 40
    assert (spsa_run["steps"], adam_run["steps"]) == (20, 40)
    assert spsa_run["evaluated_at"] == adam_run["evaluated_at"] == [0, 10, 20, 30, 40]
    # ...but both runs start from the first one's: the same validation loss at 0
    assert spsa_run["val_loss"][0] == pytest.approx(adam_run["val_loss"][0])
    assert adam_run["val_accuracy"][-1] > 0.9 and spsa_run["seconds"] > 0
