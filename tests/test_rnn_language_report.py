"""R7 rnn_language: the report's menu of models, the helpers its notebook calls, and the
source's printed outputs in the catalogue (no notebook runs here: test_run_end_to_end)."""

import math

import keras
import matplotlib
import numpy as np
import pytest

from kerasreports import catalog, parameters, plots, training
from kerasreports.datasets import names
from kerasreports.models import language
from kerasreports.models import rnn_language as menu

matplotlib.use("Agg")


def test_every_name_of_the_menu_builds_with_the_right_output():
    x = np.array([[names.START, 3, 4, 5]], "int32")
    for name in menu.NAMES_MODELS:
        out = menu.names_model(name, alphabet=29)(x)
        assert out.shape == (1, 4, 29), name
        # log-probabilities: each step's exp sums to 1
        np.testing.assert_allclose(np.exp(np.asarray(out)).sum(-1), 1, rtol=1e-5)
    for name in menu.WORD_MODELS:
        assert menu.word_model(name, vocab=50, units=16)(x).shape == (1, 4, 50), name
    for name in menu.SENTIMENT_MODELS:
        p = np.asarray(menu.sentiment_model(name, vocab=30)(x))
        assert p.shape == (1, 1) and 0 < p[0, 0] < 1, name
    for name in menu.TRANSLATION_MODELS:
        models = menu.translation_models(name, src_vocab=20, tgt_vocab=15, max_length=4)
        assert models.attention == (name.partition("_")[2] or None)
        assert models.training([x, x]).shape == (1, 4, 15), name


def test_the_menu_builds_the_sources_models():
    assert menu.names_model("source", alphabet=names.SOURCE_ALPHABET_SIZE).count_params() \
        == catalog.RNN_LANGUAGE.source_figures[1].value == 46_248
    lstm = menu.sentiment_model("lstm", vocab=1001)
    assert language.pytorch_parameter_count(lstm) == 920_385
    wm2 = menu.word_model("word_model2", vocab=100, units=32)
    assert wm2.get_layer("lstm_l0").units == 32 and wm2.get_layer("dropout").rate == 0.65
    wm1 = menu.word_model("word_model1_gru", vocab=100, units=32)  # units: WordModel2's
    assert [layer.units for layer in wm1.layers if hasattr(layer, "units")][:3] == [256] * 3


def test_choices_keeps_the_order_and_names_every_unknown_name():
    assert parameters.choices(" lstm, gru ,,", menu.NAMES_MODELS, "x") == ["lstm", "gru"]
    assert parameters.choices("", menu.NAMES_MODELS, "x") == []
    with pytest.raises(ValueError, match=r"names_models: unknown name\(s\) cnn, rnn; "
                                         r"choose from source, simplernn, lstm, gru"):
        parameters.choices("cnn,lstm,rnn", menu.NAMES_MODELS, "names_models")


def test_names_are_sampled_after_the_start_token_from_letters_only():
    model = menu.names_model("source", alphabet=len(names.VOCABULARY))
    sampled = language.sample_names(model, names.VOCABULARY, n=20, temperature=1.0,
                                    max_length=8, seed=1, eos=names.END,
                                    start_id=names.START)
    # untrained, the model scores <pad> and <start> too; neither is ever drawn
    assert all(name and set(name) <= set(names.ALPHABET) and len(name) <= 8
               for name in sampled)
    assert sampled == language.sample_names(model, names.VOCABULARY, n=20, temperature=1.0,
                                            max_length=8, seed=1, eos=names.END,
                                            start_id=names.START)
    with pytest.raises(ValueError, match="not in the model's alphabet"):
        language.sample_names(model, names.VOCABULARY, n=1, start_letters="A",
                              eos=names.END, start_id=names.START)


def test_a_diverged_model_has_an_infinite_perplexity_not_an_error():
    ids = keras.Input((None,), dtype="int32")
    logits = keras.layers.Embedding(4, 4, embeddings_initializer=keras.initializers.Constant(
        [[0.0, 0, 0, 0]] * 3 + [[0.0, 0, 0, 1e4]]))(ids)
    model = keras.Model(ids, logits)
    x = np.full((2, 3), 3, "int32")
    assert language.perplexity(model, x, np.zeros_like(x)) == math.inf
    assert language.perplexity(model, x, np.full_like(x, 3)) == pytest.approx(1.0)


def test_training_seconds_leave_validation_out():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    timer = training.TrainingSeconds()
    x, y = np.zeros((64, 2)), np.zeros((64, 1))

    class SlowValidation(keras.callbacks.Callback):
        def on_test_begin(self, logs=None):
            import time
            time.sleep(0.3)

    model.fit(x, y, epochs=2, batch_size=32, validation_data=(x, y), verbose=0,
              callbacks=[timer, SlowValidation()])
    assert 0 < timer.seconds < 0.6  # two epochs of 0.3 s validation are not counted


def test_attention_maps_draw_one_panel_per_sentence():
    maps = [(f"sentence {i}", ["je", "suis", "EOS"], ["i", "am", "EOS"],
             np.eye(3, 10)) for i in range(4)]
    fig = plots.attention_maps(maps, title="t", columns=3)
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(drawn) == 4
    assert drawn[0].images[0].get_array().shape == (3, 3)  # padding columns cut off
    assert [t.get_text() for t in drawn[0].get_xticklabels()] == ["je", "suis", "EOS"]


def test_the_notebooks_prompt_is_the_sources():
    declared = parameters.notebook_parameters(catalog.RNN_LANGUAGE.notebook)
    assert declared["prompt"].default == catalog.RNN_LANGUAGE_PROMPT
    for completion in catalog.RNN_LANGUAGE_COMPLETIONS.values():
        assert completion.startswith(catalog.RNN_LANGUAGE_PROMPT)


def load_profile_benchmark():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / \
        "rnn_language_profile_time.py"
    spec = importlib.util.spec_from_file_location("rnn_language_profile_time", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_profile_time_benchmark_plans_every_fit_of_the_notebook():
    bench = load_profile_benchmark()
    quick = parameters.for_profile("rnn_language", "quick")
    plan = bench.fits(quick)
    models = {(f["task"], f["model"].split(" ")[0]) for f in plan}
    assert models == {("names", m) for m in menu.NAMES_MODELS} | \
        {("words", m) for m in menu.WORD_MODELS} | \
        {("sentiment", m) for m in menu.SENTIMENT_MODELS} | \
        {("translation", m) for m in ("gru", "lstm", "gru_bahdanau")}
    words = next(f for f in plan if f["model"] == "word_model1_lstm")
    assert words["steps"] == math.ceil(2500 / 64) * 1  # quick: 2,500 sequences, 1 epoch
    full = bench.fits(parameters.for_profile("rnn_language", "full"))
    lstm = next(f for f in full if f["task"] == "sentiment" and f["model"] == "lstm")
    assert (lstm["examples"], lstm["epochs"]) == (40_000, 13)  # the source's Table 8
    # one step of a tiny model, as main() times each fit
    tiny = {**quick, "word_model2_units": 8}
    fit = dict(task="words", model="word_model2", batch=2, examples=2, epochs=1)
    assert bench.seconds_per_step(fit, tiny, steps=1, warmup=0) > 0


def test_a_length_below_one_is_refused_by_every_generator():
    names_model = menu.names_model("source", alphabet=len(names.VOCABULARY))
    with pytest.raises(ValueError, match="max_length must be at least 1 letter, not 0"):
        language.sample_names(names_model, names.VOCABULARY, n=1, max_length=0,
                              eos=names.END, start_id=names.START)
    with pytest.raises(ValueError, match="steps must be at least 1 word, not 0"):
        language.complete(menu.word_model("word_model1_lstm", vocab=10), [1, 2], steps=0)
    models = menu.translation_models("gru", src_vocab=10, tgt_vocab=10, max_length=4)
    with pytest.raises(ValueError, match="max_length must be at least 1 word, not 0"):
        language.translate(models, [2, 3, 1], max_length=0)
