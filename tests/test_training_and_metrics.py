import dataclasses

import keras
import numpy as np
import pytest

from kerasreports import metrics, resume, runtime, training
from kerasreports.models import translation


def test_token_and_sequence_accuracy_with_and_without_padding():
    y_true = np.array([[5, 6, 0, 0], [7, 8, 9, 0]])
    y_pred = np.array([[5, 1, 0, 0], [7, 8, 9, 0]])
    assert metrics.token_accuracy(y_true, y_pred, ignore_padding=False) == 7 / 8
    assert metrics.token_accuracy(y_true, y_pred, ignore_padding=True) == 4 / 5
    assert metrics.sequence_accuracy(y_true, y_pred) == 0.5


def test_corpus_bleu_is_100_for_exact_and_lower_otherwise():
    refs = ["il est calme en avril", "paris est chaud en juin"]
    assert metrics.corpus_bleu(refs, refs) == pytest.approx(100.0)
    assert metrics.corpus_bleu(["il est calme en mai", "paris est froid"], refs) < 60


def test_recipes_describe_themselves_and_build_optimizers():
    assert "batch 16" in translation.SOURCE_RECIPE.describe()
    assert "full batches only" in translation.FAST_RECIPE.describe()
    cosine = translation.FAST_RECIPE.optimizer(steps_per_epoch=10, epochs=2)
    assert float(cosine.learning_rate) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="unknown schedule"):
        training.Recipe("x", 8, 0.1, schedule="linear").optimizer(1, 1)


def test_epoch_batches_depend_on_seed_and_epoch_and_can_drop_the_partial_batch():
    x, y = np.arange(10, dtype="float32")[:, None], np.arange(10)
    first = resume.EpochBatches(x, y, batch_size=4, seed=3, drop_remainder=True)
    again = resume.EpochBatches(x, y, batch_size=4, seed=3, drop_remainder=True)
    epoch0 = [first[i][1].tolist() for i in range(len(first))]
    assert [len(b) for b in epoch0] == [4, 4]
    assert epoch0 == [again[i][1].tolist() for i in range(len(again))]
    first.on_epoch_end()  # epoch 1: another order, the one epoch 1 of any run gets
    epoch1 = [first[i][1].tolist() for i in range(len(first))]
    again.start_at(1)
    assert epoch1 != epoch0 and epoch1 == [again[i][1].tolist() for i in range(len(again))]
    every = resume.EpochBatches(x, y, batch_size=4, seed=3)
    assert sorted(v for i in range(len(every)) for v in every[i][1].tolist()) == list(range(10))


def test_compile_and_fit_records_a_time_per_epoch():
    runtime.set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 20, (300, 21, 1)).astype("float32")
    y = rng.integers(0, 30, (300, 21))
    model = translation.stacked_rnn(cell="gru", vocab=30)
    # Compiled: a recurrent model validated on as many steps as it trains on runs twice as
    # fast compiled as eagerly here.
    recipe = dataclasses.replace(translation.FAST_RECIPE, eager=False)
    history, seconds = training.compile_and_fit(
        model, recipe, x, y, validation=(x, y), epochs=2,
        loss="sparse_categorical_crossentropy", verbose=0)
    assert len(history["loss"]) == 2 and len(seconds) == 2
    assert np.isfinite(history["loss"]).all() and history["loss"][1] < history["loss"][0]
    assert 0 < seconds[0] < seconds[1]


def test_a_set_smaller_than_one_batch_still_trains():
    x, y = np.zeros((5, 1), "float32"), np.zeros(5)
    recipe = training.Recipe("t", batch_size=128, learning_rate=0.1, drop_remainder=True)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    history, _ = training.compile_and_fit(model, recipe, x, y, validation=None, epochs=1,
                                          loss="mse", metrics=(), verbose=0)
    assert len(history["loss"]) == 1
