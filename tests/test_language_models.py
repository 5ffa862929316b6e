"""R7 rnn_language: the source's recurrent models (`seeds/002_*` sections 6.8-6.13), their
PyTorch parameter counts, and the sampling / decoding helpers."""

import math

import keras
import numpy as np
import pytest

from kerasreports.models import language as lm


def torch_lstm(i, h):  # PyTorch: weight_ih, weight_hh, b_ih, b_hh
    return 4 * (i * h + h * h + 2 * h)


def keras_lstm(i, h):  # Keras: kernel, recurrent_kernel, one bias
    return 4 * (i * h + h * h + h)


def gru(i, h):  # PyTorch's GRU and Keras' GRU(reset_after=True) alike
    return 3 * (i * h + h * h) + 2 * 3 * h


def linear(i, o):
    return i * o + o


def compile_(model, loss):
    # TensorFlow runs these tiny models' few steps faster eagerly than it traces them (2x
    # on 2 cores); JAX, op by op, is 10x slower eagerly
    eager = keras.backend.backend() == "tensorflow"
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss, run_eagerly=eager)
    return model


def losses_after_steps(model, x, y, steps=4):
    return [float(model.train_on_batch(x, y)) for _ in range(steps)]


def ids(shape, vocab, seed=0, low=0):
    return np.random.default_rng(seed).integers(low, vocab, shape).astype("int32")


def same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))


# --- names (section 6.8) ---------------------------------------------------------------

def test_names_source_rnn_matches_the_listing():
    model = lm.names_source_rnn()
    cell = model.get_layer("rnn").cell
    assert {d.name: d.count_params() for d in (cell.i2h, cell.i2o, cell.o2o)} == {
        "i2h": linear(187, 128), "i2o": linear(187, 59), "o2o": linear(128 + 59, 59)}
    assert model.count_params() == 24_064 + 11_092 + 11_092 == 46_248
    assert lm.pytorch_parameter_count(model) == 46_248  # Linear layers count alike
    assert [layer.name for layer in model.layers] == [
        "characters", "one_hot", "rnn", "dropout", "softmax"]
    assert model.get_layer("dropout").rate == 0.1
    assert model.output_shape == (None, None, 59)


def test_names_cell_is_the_tutorials_linear_recurrence():
    model = lm.names_source_rnn(alphabet=5, hidden=3, dropout=0.0)
    cell = model.get_layer("rnn").cell
    x = ids((2, 4), 5, seed=1)
    w = {d.name: d.get_weights() for d in (cell.i2h, cell.i2o, cell.o2o)}
    h = np.zeros((2, 3))
    expected = []
    for t in range(4):
        combined = np.concatenate([np.eye(5)[x[:, t]], h], -1)
        hidden = combined @ w["i2h"][0] + w["i2h"][1]
        out = np.concatenate([hidden, combined @ w["i2o"][0] + w["i2o"][1]], -1)
        out = out @ w["o2o"][0] + w["o2o"][1]
        expected.append(out - np.log(np.exp(out).sum(-1, keepdims=True)))
        h = hidden
    got = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(got, np.stack(expected, 1), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cell, count", [
    ("simple_rnn", 59 * 128 + 128 * 128 + 128 + linear(128, 59)),
    ("gru", gru(59, 128) + linear(128, 59)),
    ("lstm", keras_lstm(59, 128) + linear(128, 59)),
])
def test_names_rnn_sizes(cell, count):
    model = lm.names_rnn(cell=cell)
    assert model.count_params() == count
    assert model.output_shape == (None, None, 59)
    embedded = lm.names_rnn(cell=cell, alphabet=10, units=8, embedding=6)
    assert embedded.get_layer("embedding").count_params() == 60


@pytest.mark.parametrize("build", [
    lambda: lm.names_source_rnn(alphabet=7, hidden=5),
    lambda: lm.names_rnn(cell="gru", alphabet=7, units=5),
])
def test_character_models_return_log_probabilities_and_train(build):
    model = build()
    x = ids((4, 6), 7, seed=2)
    log_probs = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(np.exp(log_probs).sum(-1), 1.0, rtol=1e-5)
    y = np.roll(x, -1, axis=1)
    losses = losses_after_steps(compile_(model, lm.nll_loss()), x, y)
    assert all(math.isfinite(v) for v in losses) and losses[-1] < losses[0]


ALPHABET = "abcdeABC"  # ids 0..7, end marker 8


@pytest.fixture(scope="module")
def names_model():
    return lm.names_source_rnn(alphabet=len(ALPHABET) + 1, hidden=16)


def test_sample_names_is_seeded_and_starts_where_asked(names_model):
    first = lm.sample_names(names_model, ALPHABET, n=6, seed=3, max_length=8)
    assert first == lm.sample_names(names_model, ALPHABET, n=6, seed=3, max_length=8)
    assert first != lm.sample_names(names_model, ALPHABET, n=6, seed=4, max_length=8)
    assert all(1 <= len(name) <= 8 and name[0] in "ABC" for name in first)
    asked = lm.sample_names(names_model, ALPHABET, n=4, start_letters="ab", seed=0)
    assert [name[0] for name in asked] == ["a", "b", "a", "b"]


def test_sampling_at_temperature_near_zero_is_greedy(names_model):
    greedy = lm.sample_names(names_model, ALPHABET, n=5, start_letters="ABC",
                             temperature=0, seed=1)
    assert greedy == lm.sample_names(names_model, ALPHABET, n=5, start_letters="ABC",
                                     temperature=1e-9, seed=7)
    # greedy names depend on the start letter only
    assert greedy[0] == greedy[3] and greedy[1] == greedy[4]


def test_sample_names_stops_at_the_end_marker():
    model = lm.names_source_rnn(alphabet=len(ALPHABET) + 1, hidden=4)
    o2o = model.get_layer("rnn").cell.o2o
    kernel, bias = o2o.get_weights()
    bias[len(ALPHABET)] = 1e4  # the end marker always wins
    o2o.set_weights([kernel * 0, bias])
    assert lm.sample_names(model, ALPHABET, n=3, start_letters="abc") == ["a", "b", "c"]


# --- word language models (sections 6.9-6.10) -----------------------------------------

@pytest.mark.parametrize("vocab", [50])
@pytest.mark.parametrize("cell", ["lstm", "gru", "simple_rnn"])
def test_word_model1_counts_at_a_small_vocab(cell, vocab):
    model = lm.word_model1(vocab=vocab, cell=cell)
    rnn = {"lstm": (keras_lstm(256, 256), torch_lstm(256, 256)),
           "gru": (gru(256, 256), gru(256, 256)),
           "simple_rnn": (2 * 256 * 256 + 256, 2 * 256 * 256 + 512)}[cell]
    fixed = vocab * 256 + linear(256, vocab)
    assert model.count_params() == fixed + 3 * rnn[0]
    assert lm.pytorch_parameter_count(model) == fixed + 3 * rnn[1]
    assert lm.pytorch_parameter_count(model) == (
        fixed + lm.torch_rnn_parameters(cell, 256, 256, layers=3))
    assert [layer.name for layer in model.layers] == [
        "words", "embeddings", "backbone_l0", "backbone_l1", "backbone_l2", "fc"]


def test_word_models_at_the_sources_vocabularies():
    one = lm.word_model1(vocab=21_949)
    # the listing: Embedding(21949, 256) + LSTM(256, 256, num_layers=3), PyTorch's count
    assert 21_949 * 256 + 3 * torch_lstm(256, 256) == 5_618_944 + 1_579_008 == 7_197_952
    assert one.count_params() == 5_618_944 + 1_575_936 + 5_640_893 == 12_835_773
    assert lm.pytorch_parameter_count(one) == 12_838_845
    del one
    two = lm.word_model2(vocab=29_473)
    assert two.count_params() == 30_180_352 + 2 * keras_lstm(1024, 1024) + 30_209_825
    assert two.count_params() == 77_175_585
    assert lm.pytorch_parameter_count(two) == 30_180_352 + 16_793_600 + 30_209_825
    assert lm.pytorch_parameter_count(two) == 77_183_777
    assert [layer.name for layer in two.layers] == [
        "words", "embedding", "lstm_l0", "lstm_dropout_l0", "lstm_l1", "dropout", "fc"]
    assert two.get_layer("lstm_dropout_l0").rate == two.get_layer("dropout").rate == 0.65


def test_word_model_completes_measures_perplexity_and_trains():
    model = lm.word_model2(vocab=30, embedding=8, units=8, dropout=0.1)
    x = ids((8, 7), 30, seed=5)
    y = np.roll(x, -1, axis=1)
    greedy = lm.complete(model, [3, 4], steps=5)
    assert len(greedy) == 5 and greedy == lm.complete(model, [3, 4], steps=5)
    assert greedy == lm.complete(model, [3, 4], steps=5, greedy=False, temperature=1e-9)
    sampled = lm.complete(model, [3, 4], steps=5, greedy=False, seed=1)
    assert sampled == lm.complete(model, [3, 4], steps=5, greedy=False, seed=1)
    assert lm.complete(model, [3, 4], steps=5, eos=greedy[0]) == greedy[:1]
    # the mean NLL Keras trains on is the log of the perplexity
    nll = float(keras.ops.convert_to_numpy(lm.nll_loss()(y, model(x, training=False))))
    assert lm.perplexity(model, x, y, batch_size=4) == pytest.approx(math.exp(nll),
                                                                     rel=1e-4)
    losses = losses_after_steps(compile_(model, lm.nll_loss()), x, y)
    assert losses[-1] < losses[0]


def test_perplexity_of_a_uniform_model_is_the_vocabulary():
    model = lm.word_model1(vocab=12, embedding=4, units=4, layers=1)
    fc = model.get_layer("fc")
    fc.set_weights([w * 0 for w in fc.get_weights()])
    x = ids((5, 6), 12, seed=6)
    assert lm.perplexity(model, x, x, batch_size=2) == pytest.approx(12, rel=1e-6)
    y = x.copy()
    y[:, 3:] = -1
    assert lm.perplexity(model, x, y, ignore_class=-1) == pytest.approx(12, rel=1e-6)


def test_nll_loss_on_log_probabilities_is_the_nll():
    logits = np.random.default_rng(0).normal(size=(3, 4, 6)).astype("float32")
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    y = ids((3, 4), 6, seed=1)
    nll = -np.take_along_axis(log_probs, y[..., None], -1).mean()
    assert float(lm.nll_loss()(y, log_probs)) == pytest.approx(nll, rel=1e-5)
    assert float(lm.nll_loss()(y, logits)) == pytest.approx(nll, rel=1e-5)


# --- IMDB (section 6.11) ----------------------------------------------------------------

def test_sentiment_lstm_matches_the_listing():
    model = lm.sentiment_lstm()
    assert [layer.name for layer in model.layers] == [
        "review", "embedding", "lstm_l0", "lstm_l1", "dropout", "fc", "actv", "sig"]
    counts = {layer.name: layer.count_params() for layer in model.layers}
    assert counts["embedding"] == 64_064
    assert counts["lstm_l0"] == keras_lstm(64, 256) == 328_704  # PyTorch: 329,728
    assert counts["lstm_l1"] == keras_lstm(256, 256) == 525_312  # PyTorch: 526,336
    assert counts["fc"] == 257
    assert model.count_params() == 918_337
    assert lm.pytorch_parameter_count(model) == (
        64_064 + torch_lstm(64, 256) + torch_lstm(256, 256) + 257) == 920_385
    assert model.output_shape == (None, 1)


@pytest.mark.parametrize("cell", ["gru", "simple_rnn"])
def test_sentiment_other_cells(cell):
    model = lm.sentiment_lstm(cell=cell)
    per = {"gru": gru(64, 256) + gru(256, 256),
           "simple_rnn": 64 * 256 + 256 * 256 + 2 * 256 * 256 + 2 * 256}[cell]
    assert model.count_params() == 64_064 + per + 257
    assert model.layers[2].name == f"{cell}_l0"


def test_sentiment_head_cannot_be_confident():
    model = lm.sentiment_lstm(vocab=20, embedding=4, units=4)
    fc = model.get_layer("fc")
    kernel, bias = fc.get_weights()
    low, high = lm.SIGMOID_TANH_RANGE
    assert (round(low, 4), round(high, 4)) == (0.2689, 0.7311)
    x = ids((16, 5), 20, seed=3)
    ends = []
    for scale in (1e4, -1e4):  # drive tanh to +-1 (which sign: that of sum(h) per review)
        fc.set_weights([kernel * 0 + scale, bias])
        p = keras.ops.convert_to_numpy(model(x, training=False))
        assert np.all((p > 0.2689) & (p < 0.7311))
        assert np.all(np.isclose(p, low, atol=1e-4) | np.isclose(p, high, atol=1e-4))
        ends.append(p)
    # sigmoid(-1) + sigmoid(1) = 1
    np.testing.assert_allclose(ends[0] + ends[1], 1.0, atol=1e-4)
    # the loss floor: a right answer at the ceiling still costs -ln(0.7311)
    bce = keras.losses.BinaryCrossentropy()
    floor = float(keras.ops.convert_to_numpy(bce(np.ones((4, 1)), np.full((4, 1), high))))
    assert floor == pytest.approx(-math.log(high)) and round(floor, 3) == 0.313


def test_sentiment_models_train():
    x = ids((8, 6), 20, seed=4, low=1)
    y = (x[:, -1:] > 10).astype("float32")
    for model in (lm.sentiment_lstm(vocab=20, embedding=4, units=4),
                  lm.sentiment_fasttext(vocab=20, buckets=64, embedding=4)):
        losses = losses_after_steps(compile_(model, "binary_crossentropy"), x, y)
        assert all(math.isfinite(v) for v in losses) and losses[-1] < losses[0]


def test_sentiment_fasttext_build_and_bigrams():
    model = lm.sentiment_fasttext()
    assert model.count_params() == (20_001 + 2**17) * 32 + 33
    assert model.output_shape == (None, 1)
    tokens = lm.HashedBigrams(10, 7)(np.array([[0, 0, 3, 4, 5]], "int32"))
    assert keras.ops.convert_to_numpy(tokens).tolist() == [
        [0, 0, 3, 4, 5, 0, 0, 10 + 34 % 7, 10 + 45 % 7]]
    with pytest.raises(ValueError, match="too large"):
        lm.HashedBigrams(50_000, 7)


# --- French -> English (sections 6.12-6.13) ---------------------------------------------

ENCODER_GRU = 4345 * 256 + gru(256, 256)  # 1,112,320 + 394,752
DECODER_GRU = 2803 * 256 + gru(256, 256) + linear(256, 2803)  # + 720,371


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_seq2seq_matches_the_listings(cell):
    models = lm.seq2seq(cell=cell)
    encoder, decoder = models.encoder, models.decoder
    assert [layer.name for layer in encoder.layers] == [
        "source_ids", "embedding", "source_mask", cell]
    assert [layer.name for layer in decoder.layers
            if layer.count_params() or layer.name in ("relu", "softmax")] == [
        "embedding", "relu", cell, "out", "softmax"]
    if cell == "gru":
        assert gru(256, 256) == 3 * (256 * 256 * 2 + 2 * 256) == 394_752
        assert encoder.count_params() == lm.pytorch_parameter_count(encoder) == 1_507_072
        assert decoder.count_params() == lm.pytorch_parameter_count(decoder) == 1_832_691
        assert ENCODER_GRU == 1_507_072 and DECODER_GRU == 1_832_691
    else:
        assert encoder.count_params() == 1_112_320 + 525_312 == 1_637_632
        assert lm.pytorch_parameter_count(encoder) == 1_112_320 + 526_336 == 1_638_656
        assert decoder.count_params() == 717_568 + 525_312 + 720_371 == 1_963_251
        assert lm.pytorch_parameter_count(decoder) == 1_964_275
    assert models.training.count_params() == encoder.count_params() + decoder.count_params()
    assert models.training.output_shape == (None, None, 2803)


def test_attention_decoders_match_the_tutorials():
    # the source-time tutorial's AttnDecoderRNN: attn Linear(512 -> 10), attn_combine
    # Linear(512 -> 256), GRU(256, 256); the current one's Wa, Ua, Va and GRU(512, 256)
    tutorial = lm.seq2seq(attention="tutorial").decoder
    assert tutorial.count_params() == (717_568 + linear(512, 10) + linear(512, 256)
                                       + gru(256, 256) + 720_371) == 1_969_149
    bahdanau = lm.seq2seq(attention="bahdanau").decoder
    assert bahdanau.count_params() == (717_568 + 2 * linear(256, 256) + linear(256, 1)
                                       + gru(512, 256) + 720_371) == 2_161_140
    assert lm.pytorch_parameter_count(bahdanau) == 2_161_140
    lstm = lm.seq2seq(attention="bahdanau", cell="lstm", src_vocab=20, tgt_vocab=20)
    inner = 2 * linear(256, 256) + linear(256, 1)
    assert lm.pytorch_parameter_count(lstm.decoder) == (
        20 * 256 + inner + torch_lstm(512, 256) + linear(256, 20))


TINY = {"src_vocab": 13, "tgt_vocab": 11, "units": 8, "max_length": 6}
VARIANTS = [("gru", None), ("lstm", None), ("gru", "tutorial"), ("gru", "bahdanau"),
            ("lstm", "bahdanau"), ("gru", "luong")]


def tiny_pairs(seed=0):
    rng = np.random.default_rng(seed)
    source = rng.integers(2, 13, (8, 6)).astype("int32")
    source[:, 4:] = 0  # padding
    source[:, 3] = lm.EOS
    target = rng.integers(2, 11, (8, 5)).astype("int32")
    target[:, -1] = lm.EOS
    decoder_in = np.concatenate([np.full((8, 1), lm.SOS), target[:, :-1]], 1)
    return source, decoder_in.astype("int32"), target


@pytest.mark.parametrize("cell, attention", VARIANTS)
def test_seq2seq_step_decoder_reproduces_the_training_model(cell, attention):
    models = lm.seq2seq(cell=cell, attention=attention, **TINY)
    source, decoder_in, _ = tiny_pairs()
    teacher_forced = keras.ops.convert_to_numpy(models.training([source, decoder_in]))
    assert teacher_forced.shape == (8, 5, 11)
    np.testing.assert_allclose(np.exp(teacher_forced).sum(-1), 1.0, rtol=1e-5)
    keys, mask, *states = lm._predict(models.encoder, source)
    stepped = []
    for t in range(decoder_in.shape[1]):
        tokens = decoder_in[:, t:t + 1]
        out, *rest = lm._predict(models.decoder, [tokens, keys, mask, *states]
                                 if attention else [tokens, *states])
        states = rest[1:] if attention else rest
        stepped.append(out[:, 0])
    np.testing.assert_allclose(np.stack(stepped, 1), teacher_forced, rtol=1e-4, atol=1e-5)
    batch, weights = lm.translate(models, source, max_length=7, return_attention=True)
    for ids, w in zip(batch, weights):
        assert 1 <= len(ids) <= 7 and lm.EOS not in ids[:-1]
        if attention:
            assert w.shape == (len(ids), 6)
            np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-5)
            if attention != "tutorial":  # padding gets no attention (the tutorial's does)
                assert np.all(w[:, 4:] < 1e-6)


@pytest.mark.parametrize("cell, attention", [("gru", None), ("lstm", "bahdanau")])
def test_seq2seq_trains(cell, attention):
    models = lm.seq2seq(cell=cell, attention=attention, **TINY)
    source, decoder_in, target = tiny_pairs()
    losses = losses_after_steps(compile_(models.training, lm.nll_loss(ignore_class=0)),
                                [source, decoder_in], target)
    assert all(math.isfinite(v) for v in losses) and losses[-1] < losses[0]


def test_translate_decodes_a_batch_as_one_by_one_and_stops_at_eos_or_max_length():
    models = lm.seq2seq(attention="luong", seed=2, **TINY)
    source, _, _ = tiny_pairs()
    batch, attention = lm.translate(models, source[:3], max_length=5, return_attention=True)
    for row, ids, weights in zip(source, batch, attention):  # padding changes nothing
        one, alone = lm.translate(models, row[:4], max_length=5, return_attention=True)
        assert one == ids
        np.testing.assert_allclose(alone, weights[:, :4], rtol=1e-4, atol=1e-6)
    out = models.decoder.get_layer("out")
    kernel, bias = out.get_weights()
    bias[lm.EOS] = 1e4
    out.set_weights([kernel * 0, bias])
    assert lm.translate(models, source[:3]) == [[lm.EOS]] * 3
    bias[lm.EOS], bias[5] = -1e4, 1e4
    out.set_weights([kernel * 0, bias])
    assert lm.translate(models, source[0, :4], max_length=4) == [5, 5, 5, 5]


def test_tutorial_attention_needs_sources_that_fit():
    models = lm.seq2seq(attention="tutorial", **TINY)
    with pytest.raises(ValueError, match="need 6 ids"):
        lm.translate(models, np.arange(2, 10))


# --- options, errors, determinism -------------------------------------------------------

def test_unknown_options_fail_clearly():
    with pytest.raises(ValueError, match="choose one of: simple_rnn, lstm, gru"):
        lm.names_rnn(cell="transformer")
    with pytest.raises(ValueError, match="choose one of: gru, lstm"):
        lm.seq2seq(cell="simple_rnn")
    with pytest.raises(ValueError, match="unknown attention"):
        lm.seq2seq(attention="dot")
    with pytest.raises(ValueError, match="unknown init"):
        lm.word_model1(vocab=10, init="xavier")
    assert lm.names_rnn(cell="SimpleRNN").get_layer("simple_rnn")


def test_pytorch_count_of_each_recurrent_layer():
    for layer, cell in [(keras.layers.LSTM(7), "lstm"), (keras.layers.GRU(7), "gru"),
                        (keras.layers.SimpleRNN(7), "simple_rnn"),
                        (keras.layers.GRU(7, reset_after=False), "gru")]:
        inputs = keras.Input((3, 5))
        model = keras.Model(inputs, layer(inputs))
        assert lm.pytorch_parameter_count(model) == lm.torch_rnn_parameters(cell, 5, 7)


BUILDERS = [
    lambda seed, init: lm.names_source_rnn(alphabet=6, hidden=4, seed=seed, init=init),
    lambda seed, init: lm.names_rnn(alphabet=6, units=4, seed=seed, init=init),
    lambda seed, init: lm.word_model1(vocab=9, embedding=4, units=4, seed=seed, init=init),
    lambda seed, init: lm.word_model2(vocab=9, embedding=4, units=4, seed=seed, init=init),
    lambda seed, init: lm.sentiment_lstm(vocab=9, embedding=4, units=4, seed=seed,
                                         init=init),
    lambda seed, init: lm.sentiment_fasttext(vocab=9, buckets=8, embedding=4, seed=seed,
                                             init=init),
    lambda seed, init: lm.seq2seq(attention="bahdanau", seed=seed, init=init,
                                  **TINY).training,
    lambda seed, init: lm.seq2seq(attention="luong", cell="lstm", seed=seed, init=init,
                                  **TINY).training,
]


@pytest.mark.parametrize("build", BUILDERS)
def test_builders_are_deterministic_per_seed(build):
    for init in lm.INITS:
        assert same_weights(build(1, init), build(1, init))
    assert not same_weights(build(1, "torch"), build(2, "torch"))


def test_torch_init_follows_pytorchs_bounds():
    model = lm.word_model1(vocab=50, embedding=16, units=64, layers=1, cell="lstm")
    kernel, recurrent, bias = model.get_layer("backbone_l0").get_weights()
    for w in (kernel, recurrent, bias):
        assert np.abs(w).max() <= 1 / 8 and np.abs(w).max() > 0.9 / 8  # U(+-1/sqrt(64))
    embeddings = model.get_layer("embeddings").get_weights()[0]
    assert abs(embeddings.std() - 1) < 0.1  # N(0, 1)
    fc_kernel = model.get_layer("fc").get_weights()[0]
    assert np.abs(fc_kernel).max() <= 1 / 8
