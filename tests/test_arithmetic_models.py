"""R4 builders: the source's exact parameter counts, shapes, and what ours add."""

import keras
import numpy as np
import pytest

from kerasreports import metrics, plots
from kerasreports.models import arithmetic as models
from kerasreports.models import recurrent


@pytest.mark.parametrize("chars, answer_length, extra, params", [
    (13, 3, 1, 1_330_445), (13, 3, 2, 1_855_757),  # source Table 1
    (12, 4, 0, 803_852), (12, 4, 3, 2_379_788),  # source Table 4
])
def test_text2text_has_the_sources_parameter_counts(chars, answer_length, extra, params):
    model = models.text2text(chars=chars, answer_length=answer_length, extra_layers=extra)
    assert model.count_params() == params
    assert model.output.shape == (None, answer_length, chars)


def test_text2image_layer_tables_match_the_source():
    dense = models.text2image_dense()
    counts = [layer.count_params() for layer in dense.layers if layer.count_params()]
    assert counts == [276_480, 525_312, 32_896, 101_136]  # source Figure 10
    assert dense.output.shape == (None, 3, 28, 28, 1)
    conv = models.text2image_conv()
    assert conv.layers[1].count_params() == 4_251_648  # LSTM(1024), source Figure 7
    assert conv.get_layer("decoder").count_params() == 2_731_907
    assert conv.output.shape == (None, 28, 28, 3)
    for variant in (dict(regularized=True), dict(bidirectional=True)):
        assert models.text2image_dense(**variant).output.shape == (None, 3, 28, 28, 1)


def test_image_models_map_image_queries_to_answer_characters():
    for build in (models.image2text_convlstm, models.image2text_conv):
        model = build(chars=12, answer_length=4)
        assert model.input.shape == (None, 5, 28, 28, 1)
        assert model.output.shape == (None, 4, 12)
    with pytest.raises(ValueError, match="lstm_layers must be .* at least 2"):
        models.image2text_conv(lstm_layers=1)
    with pytest.raises(ValueError, match="extra_layers must be .* at least 0"):
        models.text2text(extra_layers=-1)


def test_read_then_compute_is_the_reader_then_the_calculator_on_copies():
    reader, calculator = models.character_classifier(), models.text2text()
    for trained in (reader, calculator):  # as in the report: both were compiled and fitted
        trained.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    composed = models.read_then_compute(reader, calculator)
    x = np.random.default_rng(0).random((2, 5, 28, 28, 1), dtype="float32")
    read = np.stack([keras.ops.convert_to_numpy(reader(x[:, i])) for i in range(5)], axis=1)
    expected = keras.ops.convert_to_numpy(calculator(read))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(composed(x)), expected, atol=1e-5)
    before = [w.copy() for w in reader.get_weights()]
    composed.compile(optimizer=keras.optimizers.Adam(0.1), loss="categorical_crossentropy",
                     metrics=["accuracy"], run_eagerly=True)  # one step: tracing is all
    history = composed.fit(x, np.eye(13, dtype="float32")[[[1, 2, 12], [3, 4, 12]]],
                           epochs=1, verbose=0).history
    assert history["loss"][0] > 0  # its own loss, not a nested model's idle tracker
    # Fine-tuning the composition leaves the reader a character classifier.
    for w, b in zip(reader.get_weights(), before):
        np.testing.assert_array_equal(w, b)


def test_answer_images_move_between_steps_and_channels():
    images = np.random.default_rng(0).random((2, 3, 28, 28, 1))
    channels = models.steps_to_channels(images)
    assert channels.shape == (2, 28, 28, 3)
    np.testing.assert_array_equal(models.channels_to_steps(channels), images)


def _lstms(model):
    found = []
    for layer in model.layers:
        inner = getattr(layer, "layer", None) or getattr(layer, "forward_layer", None)
        found += _lstms(layer) if hasattr(layer, "layers") else []
        found += [x for x in (layer, inner) if isinstance(x, keras.layers.LSTM)]
    return found


def test_lstms_keep_kerass_cudnn_choice_except_on_jax(monkeypatch):
    expected = False if keras.backend.backend() == "jax" else "auto"
    assert recurrent.cudnn_setting() == expected
    assert {layer.use_cudnn for layer in _lstms(models.text2text())} == {expected}
    # Pretend to be on JAX: copies rebuilt from a config (which drops use_cudnn) and
    # wrapped LSTMs get it back.
    monkeypatch.setattr(recurrent, "cudnn_setting", lambda: False)
    composed = models.read_then_compute(models.character_classifier(), models.text2text())
    assert len(_lstms(composed)) == 3 and {l.use_cudnn for l in _lstms(composed)} == {False}
    bidirectional = recurrent.apply_cudnn_setting(keras.Model.from_config(
        models.text2image_dense(bidirectional=True).get_config()))
    assert {l.use_cudnn for l in _lstms(bidirectional)} == {False}


def test_character_and_answer_accuracy_and_numeric_errors():
    true = ["35 ", "-11", "198"]
    predicted = ["35 ", "-12", "1-8"]
    assert metrics.character_accuracy(true, predicted) == pytest.approx(7 / 9)
    assert metrics.answer_accuracy(true, predicted) == pytest.approx(1 / 3)
    errors = metrics.numeric_errors(true, predicted)
    assert errors[0] == 0 and errors[1] == 1 and np.isnan(errors[2])
    with pytest.raises(ValueError, match="padded to one length"):
        metrics.character_accuracy(["35 "], ["35"])


def test_error_figure_leaves_out_and_counts_answers_that_are_not_numbers():
    fig = plots.error_distributions({"0.25": np.array([0, 0, 1, -1, 40, np.nan])})
    assert "1 not numbers" in fig.axes[0].get_title()
    assert "1 removed" in fig.axes[1].get_title()  # 40 is the boxplot's outlier
