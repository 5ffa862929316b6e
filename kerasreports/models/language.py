"""The `rnn_language` report's models (R7, `seeds/002_*` chapters 5-6): the source's four
recurrent tasks in Keras, with its PyTorch listings' parameter counts, and the sampling
and decoding helpers that its generated names, completions and translations need.

Every builder takes word or character ids (int32, shape (batch, steps)). The language
models return per-step log-probabilities or logits; PyTorch's `NLLLoss` on log-softmax
outputs is `nll_loss()` here (module end), exact on both: log_softmax(log_softmax(z)) =
log_softmax(z), so a cross-entropy "from logits" on log-probabilities is the NLL itself.

Names (section 6.8, `names_source_rnn`): the PyTorch char-RNN generation tutorial's `RNN`
without its category input, as a Keras RNN cell (`NamesRNNCell`): combined = [x_t (59,
one-hot), h_{t-1} (128)] (187); h_t = i2h(combined); o = o2o([h_t, i2o(combined)]), then
dropout 0.1 and LogSoftmax. i2h 187->128 (24,064), i2o 187->59 (11,092), o2o 128+59=187
->59 (11,092): 46,248 parameters, the source's listing. There is no nonlinearity on h_t:
the tutorial's recurrence is linear, and so is ours. The dropout and the LogSoftmax act on
o, which never feeds back, so they are layers after the `RNN` (`dropout`, `softmax`), the
same computation as inside the loop and without random ops in the symbolic loop. 59 =
the tutorial's 58 letters (`string.ascii_letters + " .,;'-"`) + an end marker (the last
id). `names_rnn` gives SimpleRNN / LSTM / GRU character models of about that size.

Words (sections 6.9-6.10): WordModel1 = the source's `MyLM`: `embeddings` Embedding(21949,
256) and `backbone` LSTM(256, 256, num_layers=3) (`backbone_l0..l2`, PyTorch's weight
suffixes). Its listing prints no output layer, but a language model needs one: we add
`fc` Dense(vocab) and say so. WordModel2: `embedding` Embedding(29473, 1024), `lstm`
LSTM(1024, 1024, num_layers=2, dropout=0.65) (`lstm_l0`, `lstm_dropout_l0`, `lstm_l1`:
PyTorch drops between the layers, not after the last), `dropout` Dropout(0.65), `fc`
Linear(1024 -> 29473). Both return logits.

Sentiment (section 6.11, `sentiment_lstm`): `embedding` Embedding(1001, 64), LSTM(64, 256,
num_layers=2) whose last step is read (feed reviews left-padded with 0, as the source's
notebook pads, so that the last step is the last word), `dropout` 0.3, `fc` Linear(256 ->
1), `actv` Tanh, `sig` Sigmoid: the source's head as it is. sigmoid(tanh(z)) lies in
(sigmoid(-1), sigmoid(1)) = (0.2689, 0.7311): its probabilities are never confident and
its binary cross-entropy never falls below -ln(0.7311) = 0.313 per review, even with every
review right; accuracy (threshold 0.5, i.e. z > 0) is unaffected. Beyond the source,
`sentiment_fasttext`: a fastText-style bag of words and hashed bigrams (mean of their
embeddings, then a logistic regression), fast on a CPU; its target, >= 0.90 test
accuracy, needs a larger vocabulary than the source's 1,000 words (say 20,000) and is to be
measured by the notebook, not claimed here.

French -> English (sections 6.12-6.13, `seq2seq`): the PyTorch seq2seq tutorial of the
source's time (its `DecoderRNN` has a `softmax` LogSoftmax module, as the source prints).
`encoder`: `embedding` Embedding(4345, 256), `gru` GRU(256, 256) (or `lstm`). `decoder`:
`embedding` Embedding(2803, 256), ReLU (`relu`: the tutorial's forward applies F.relu to
the embedding, which its listing cannot show), `gru` GRU(256, 256), `out` Linear(256 ->
2803), `softmax` LogSoftmax. Ids as in the tutorial: SOS = 0, EOS = 1. The training model
takes (source ids, SOS + target[:-1]) and is trained with teacher forcing at every step
(the tutorial forced half of its sentences); `translate` decodes greedily. Attention
(none in the source's listings): "tutorial" is that tutorial's `AttnDecoderRNN` (dropout
0.1 on the embedding; `attn` Linear(512 -> max_length) on [embedded, h_{t-1}] gives
weights over max_length source slots; `attn_combine` Linear(512 -> 256) on [embedded,
context], ReLU, GRU): sources padded to max_length = 10. "bahdanau" is the current
tutorial's additive attention: scores Va(tanh(Wa h_{t-1} + Ua h_s)), context fed with the
embedding into a GRU(512, 256). "luong" (ours) scores after the recurrence with Luong's
"general" score h_t Wa h_s and combines tanh(Wc [context, h_t]) before `out`. Padding in
sources is id 0 (SOS, which no source sentence holds): masked in the encoder and in
attention; pad targets with 0 too and train with `nll_loss(ignore_class=0)` (SOS is never
a target).

Parameter counts: Embedding and Linear count as in PyTorch. PyTorch's recurrent layers
have two bias vectors per layer (b_ih, b_hh), Keras' LSTM and SimpleRNN one: a PyTorch
LSTM layer has 4(in h + h h + 2h), Keras' 4(in h + h h + h), 4h fewer. Keras' GRU with
`reset_after=True` (the default, and PyTorch's formula: r multiplies W_hn h + b_hn) keeps
two bias vectors, 3(in h + h h) + 2 * 3h, PyTorch's count exactly. `pytorch_parameter_count`
adds the missing biases back; `torch_rnn_parameters` is the formula.

Sampling and decoding: `sample_names` and `complete` draw with a seeded NumPy generator
from softmax(scores / temperature) (temperature 0: the argmax), re-reading the text so far
each step; `translate` decodes greedily as the tutorial's `evaluate`, stepping the decoder
with its state. All run the models through `predict_on_batch`, compiled once per shape.

Initialisation (`init`): "torch" (the default; the source ran PyTorch's defaults):
Embedding N(0, 1); Linear weights and biases U(+-1/sqrt(fan_in)); recurrent weights and
biases U(+-1/sqrt(h)) (PyTorch's two biases are summed into Keras' one: their sum is
spread over +-2/sqrt(h), ours over +-1/sqrt(h)), no forget-gate bias of 1. "keras":
Keras' defaults (glorot-uniform, orthogonal recurrent kernels, zero biases, forget bias
1, embeddings U(+-0.05)). Every initialiser and dropout is seeded from `seed`: a builder
called twice with the same arguments returns the same model. `keras` and `keras.ops`
only, so the models run on TensorFlow, JAX and PyTorch (tests/test_language_models.py
passes on all three: TensorFlow 2.21, JAX 0.10.2, PyTorch 2.13, CPU, Keras 3.15); LSTMs
come from `recurrent.LSTM` (cuDNN off on JAX).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import keras
import numpy as np
from keras import ops

from kerasreports.models.recurrent import LSTM

INITS = ("torch", "keras")
SOS, EOS = 0, 1  # the seq2seq tutorial's ids
ATTENTIONS = (None, "tutorial", "bahdanau", "luong")
SIGMOID_TANH_RANGE = (1 / (1 + math.e), 1 / (1 + math.exp(-1)))  # (0.2689, 0.7311)


# ----------------------------------------------------------------- initialisers, cells

class _Init:
    """Seeded initialisers of one model under scheme `init` (module docstring)."""

    def __init__(self, init: str, seed: int):
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INITS)}")
        self.init, self._rng = init, np.random.default_rng(seed)

    def seed(self) -> int:
        return int(self._rng.integers(0, 2**31 - 1))

    def _uniform(self, bound: float):
        return keras.initializers.RandomUniform(-bound, bound, seed=self.seed())

    def dense(self, fan_in: int) -> dict:
        if self.init == "torch":
            bound = 1 / math.sqrt(fan_in)
            return {"kernel_initializer": self._uniform(bound),
                    "bias_initializer": self._uniform(bound)}
        return {"kernel_initializer": keras.initializers.GlorotUniform(seed=self.seed())}

    def embedding(self) -> dict:
        if self.init == "torch":
            return {"embeddings_initializer": keras.initializers.RandomNormal(
                0.0, 1.0, seed=self.seed())}
        return {"embeddings_initializer": keras.initializers.RandomUniform(
            -0.05, 0.05, seed=self.seed())}

    def recurrent(self, units: int, base: str) -> dict:
        if self.init == "torch":
            bound = 1 / math.sqrt(units)
            options = {"kernel_initializer": self._uniform(bound),
                       "recurrent_initializer": self._uniform(bound),
                       "bias_initializer": self._uniform(bound)}
            if base == "lstm":
                options["unit_forget_bias"] = False
            return options
        return {"kernel_initializer": keras.initializers.GlorotUniform(seed=self.seed()),
                "recurrent_initializer": keras.initializers.Orthogonal(seed=self.seed())}

    def dropout(self, rate: float, name: str):
        return keras.layers.Dropout(rate, seed=self.seed(), name=name)


_CELLS = {"simplernn": "simple_rnn", "lstm": "lstm", "gru": "gru"}


def _base(cell: str, allowed=tuple(_CELLS)) -> str:
    """"simple_rnn" / "lstm" / "gru" from a forgiving spelling ("SimpleRNN", "GRU")."""
    key = cell.lower().replace("_", "")
    if key not in allowed:
        raise ValueError(f"unknown cell {cell!r}; choose one of: "
                         f"{', '.join(_CELLS[k] for k in allowed)}")
    return _CELLS[key]


def _recurrent(base: str, units: int, init: _Init, **options):
    """The Keras recurrent layer `base` with `init`'s initialisers."""
    options.update(init.recurrent(units, base))
    if base == "lstm":
        return LSTM(units, **options)
    if base == "gru":
        return keras.layers.GRU(units, **options)  # reset_after=True: PyTorch's GRU
    return keras.layers.SimpleRNN(units, **options)


def _cell(base: str, units: int, init: _Init, name: str):
    options = init.recurrent(units, base)
    if base == "lstm":
        return keras.layers.LSTMCell(units, name=name, **options)
    if base == "gru":
        return keras.layers.GRUCell(units, name=name, **options)
    return keras.layers.SimpleRNNCell(units, name=name, **options)


def _states(base: str) -> tuple[str, ...]:
    return ("h", "c") if base == "lstm" else ("h",)


def _log_softmax(name: str = "softmax"):
    return keras.layers.Activation("log_softmax", name=name)


def _ids(name: str, steps=None):
    return keras.Input((steps,), dtype="int32", name=name)


@keras.saving.register_keras_serializable(package="kerasreports")
class OneHot(keras.layers.Layer):
    """Ids -> one-hot vectors of `depth` (the tutorial's letter tensors); no weights."""

    def __init__(self, depth: int, **kwargs):
        super().__init__(**kwargs)
        self.depth = depth

    def call(self, ids):
        return ops.one_hot(ops.cast(ids, "int32"), self.depth, dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.depth)

    def get_config(self):
        return {**super().get_config(), "depth": self.depth}


# --------------------------------------------------------------------------- names

@keras.saving.register_keras_serializable(package="kerasreports")
class NamesRNNCell(keras.layers.Layer):
    """The char-RNN tutorial's `RNN` step without its category (module docstring):
    returns o2o's output (dropout and LogSoftmax follow outside the loop) and h_t."""

    def __init__(self, hidden: int = 128, alphabet: int = 59, *, init: str = "torch",
                 seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.hidden, self.alphabet, self.init, self.seed = hidden, alphabet, init, seed
        self.state_size = hidden
        self.output_size = alphabet

    def build(self, input_shape):
        combined = input_shape[-1] + self.hidden
        init = _Init(self.init, self.seed)
        self.i2h = keras.layers.Dense(self.hidden, name="i2h", **init.dense(combined))
        self.i2o = keras.layers.Dense(self.alphabet, name="i2o", **init.dense(combined))
        self.o2o = keras.layers.Dense(self.alphabet, name="o2o",
                                      **init.dense(self.hidden + self.alphabet))
        self.i2h.build((None, combined))
        self.i2o.build((None, combined))
        self.o2o.build((None, self.hidden + self.alphabet))

    def call(self, inputs, states):
        h = states[0] if isinstance(states, (list, tuple)) else states
        combined = ops.concatenate([inputs, h], axis=-1)
        hidden = self.i2h(combined)
        output = self.o2o(ops.concatenate([hidden, self.i2o(combined)], axis=-1))
        return output, [hidden]

    def get_config(self):
        return {**super().get_config(), "hidden": self.hidden, "alphabet": self.alphabet,
                "init": self.init, "seed": self.seed}


def names_source_rnn(*, alphabet: int = 59, hidden: int = 128, dropout: float = 0.1,
                     init: str = "torch", seed: int = 0,
                     name: str = "names_source_rnn") -> keras.Model:
    """The source's character RNN (section 6.8): ids (batch, steps) -> per-step
    log-probabilities (batch, steps, alphabet); 46,248 parameters with the defaults.

    Args:
        alphabet: characters + the end marker (the tutorial's 58 + 1 = 59), one-hot input.
        hidden: size of h (the tutorial's 128).
        dropout: on o2o's output before LogSoftmax (0.1). The tutorial samples with it
            on ("to add some chaos"); our samplers call the model with training=False
            and use a temperature instead.
        init: "torch" or "keras" (module docstring).
        seed: seeds the initialisers and the dropout.
    """
    init_ = _Init(init, seed)
    ids = _ids("characters")
    x = OneHot(alphabet, name="one_hot")(ids)
    x = keras.layers.RNN(NamesRNNCell(hidden, alphabet, init=init, seed=init_.seed(),
                                      name="cell"),
                         return_sequences=True, name="rnn")(x)
    x = init_.dropout(dropout, "dropout")(x)
    return keras.Model(ids, _log_softmax()(x), name=name)


def names_rnn(*, cell: str = "lstm", alphabet: int = 59, units: int = 128,
              embedding: int | None = None, dropout: float = 0.1, init: str = "torch",
              seed: int = 0, name: str | None = None) -> keras.Model:
    """A Keras recurrent layer in place of the source's cell, same input and output: ids
    -> one-hot (or an `embedding` of that width) -> `cell` -> dropout -> `fc` Dense ->
    LogSoftmax. With 128 units: 31,675 (SimpleRNN), 80,187 (GRU), 103,867 (LSTM)
    parameters in Keras' count, against the source cell's 46,248."""
    base, init_ = _base(cell), _Init(init, seed)
    ids = _ids("characters")
    if embedding:
        x = keras.layers.Embedding(alphabet, embedding, name="embedding",
                                   **init_.embedding())(ids)
    else:
        x = OneHot(alphabet, name="one_hot")(ids)
    x = _recurrent(base, units, init_, return_sequences=True, name=base)(x)
    x = init_.dropout(dropout, "dropout")(x)
    x = keras.layers.Dense(alphabet, name="fc", **init_.dense(units))(x)
    return keras.Model(ids, _log_softmax()(x), name=name or f"names_{base}")


# ---------------------------------------------------------------- word language models

def _stack(x, base, units, layers, init_, prefix, between=0.0):
    for i in range(layers):
        x = _recurrent(base, units, init_, return_sequences=True, name=f"{prefix}_l{i}")(x)
        if between and i < layers - 1:
            x = init_.dropout(between, f"{prefix}_dropout_l{i}")(x)
    return x


def word_model1(*, vocab: int, embedding: int = 256, units: int = 256, layers: int = 3,
                cell: str = "lstm", init: str = "torch", seed: int = 0,
                name: str | None = None) -> keras.Model:
    """WordModel1, the source's `MyLM` (section 6.10): `embeddings`, a `backbone` of
    `layers` recurrent layers, and our `fc` Dense(vocab) (not in the listing): ids ->
    logits (batch, steps, vocab). `cell` "gru" / "simple_rnn" gives the other two."""
    base, init_ = _base(cell), _Init(init, seed)
    ids = _ids("words")
    x = keras.layers.Embedding(vocab, embedding, name="embeddings",
                               **init_.embedding())(ids)
    x = _stack(x, base, units, layers, init_, "backbone")
    logits = keras.layers.Dense(vocab, name="fc", **init_.dense(units))(x)
    return keras.Model(ids, logits, name=name or f"word_model1_{base}")


def word_model2(*, vocab: int, embedding: int = 1024, units: int = 1024, layers: int = 2,
                dropout: float = 0.65, embedding_dropout: float = 0.0, cell: str = "lstm",
                init: str = "torch", seed: int = 0,
                name: str | None = None) -> keras.Model:
    """WordModel2 (section 6.10): `embedding`, `layers` LSTMs with dropout between them,
    `dropout`, `fc` Linear(units -> vocab): ids -> logits (batch, steps, vocab).

    `embedding_dropout`: the listing's one Dropout module may also have been applied to
    the embeddings (PyTorch's word_language_model example does); the listing cannot
    tell, so off by default."""
    base, init_ = _base(cell), _Init(init, seed)
    ids = _ids("words")
    x = keras.layers.Embedding(vocab, embedding, name="embedding", **init_.embedding())(ids)
    if embedding_dropout:
        x = init_.dropout(embedding_dropout, "embedding_dropout")(x)
    x = _stack(x, base, units, layers, init_, base, between=dropout)
    x = init_.dropout(dropout, "dropout")(x)
    logits = keras.layers.Dense(vocab, name="fc", **init_.dense(units))(x)
    return keras.Model(ids, logits, name=name or f"word_model2_{base}")


# ------------------------------------------------------------------------- sentiment

def sentiment_lstm(*, vocab: int = 1001, embedding: int = 64, units: int = 256,
                   layers: int = 2, dropout: float = 0.3, cell: str = "lstm",
                   init: str = "torch", seed: int = 0,
                   name: str | None = None) -> keras.Model:
    """The source's SentimentRNN (section 6.11): left-padded review ids -> P(positive),
    in (0.2689, 0.7311) by the source's Tanh-then-Sigmoid head (module docstring);
    train with binary cross-entropy. 920,385 parameters in PyTorch's count (LSTM)."""
    base, init_ = _base(cell), _Init(init, seed)
    ids = _ids("review")
    x = keras.layers.Embedding(vocab, embedding, name="embedding", **init_.embedding())(ids)
    for i in range(layers):
        x = _recurrent(base, units, init_, return_sequences=i < layers - 1,
                       name=f"{base}_l{i}")(x)
    x = init_.dropout(dropout, "dropout")(x)
    x = keras.layers.Dense(1, name="fc", **init_.dense(units))(x)
    x = keras.layers.Activation("tanh", name="actv")(x)
    outputs = keras.layers.Activation("sigmoid", name="sig")(x)
    return keras.Model(ids, outputs, name=name or f"sentiment_{base}")


@keras.saving.register_keras_serializable(package="kerasreports")
class HashedBigrams(keras.layers.Layer):
    """Word ids (batch, steps) -> the words followed by their bigrams, each bigram hashed
    to one of `buckets` ids after the words': vocab + (a * vocab + b) mod buckets. Id 0
    is padding, and a bigram with padding in it is padding. No weights."""

    def __init__(self, vocab: int, buckets: int, **kwargs):
        super().__init__(**kwargs)
        if vocab * vocab >= 2**31:
            raise ValueError(f"vocab {vocab} too large for int32 bigram hashing (< 46,341)")
        self.vocab, self.buckets = vocab, buckets

    def call(self, ids):
        ids = ops.cast(ids, "int32")
        a, b = ids[:, :-1], ids[:, 1:]
        hashed = self.vocab + ops.mod(a * self.vocab + b, self.buckets)
        bigrams = ops.where(ops.logical_and(a > 0, b > 0), hashed, ops.zeros_like(hashed))
        return ops.concatenate([ids, bigrams], axis=1)

    def compute_output_shape(self, input_shape):
        steps = input_shape[1]
        return (input_shape[0], None if steps is None else 2 * steps - 1)

    def compute_output_spec(self, ids):
        return keras.KerasTensor(self.compute_output_shape(ids.shape), dtype="int32")

    def get_config(self):
        return {**super().get_config(), "vocab": self.vocab, "buckets": self.buckets}


def sentiment_fasttext(*, vocab: int = 20_001, buckets: int = 2**17, embedding: int = 32,
                       init: str = "keras", seed: int = 0,
                       name: str = "sentiment_fasttext") -> keras.Model:
    """Beyond the source: fastText (Joulin et al. 2016) on words and hashed bigrams: the
    mean of their embeddings (padding, id 0, left out) -> `fc` Dense(1) -> sigmoid.
    Order-free, so left or right padding alike; seconds per epoch on a CPU. Keras'
    embedding init by default: fastText's small uniform, not PyTorch's N(0, 1)."""
    init_ = _Init(init, seed)
    ids = _ids("review")
    tokens = HashedBigrams(vocab, buckets, name="bigrams")(ids)
    x = keras.layers.Embedding(vocab + buckets, embedding, mask_zero=True, name="embedding",
                               **init_.embedding())(tokens)
    x = keras.layers.GlobalAveragePooling1D(name="mean")(x)
    x = keras.layers.Dense(1, name="fc", **init_.dense(embedding))(x)
    outputs = keras.layers.Activation("sigmoid", name="sig")(x)
    return keras.Model(ids, outputs, name=name)


# --------------------------------------------------------------------- translation

@keras.saving.register_keras_serializable(package="kerasreports")
class PaddingMask(keras.layers.Layer):
    """Source ids -> 1.0 for words, 0.0 for padding `pad_id` (all 1.0 if None)."""

    def __init__(self, pad_id: int | None = 0, **kwargs):
        super().__init__(**kwargs)
        self.pad_id = pad_id

    def call(self, ids):
        if self.pad_id is None:
            return ops.ones_like(ids, dtype=self.compute_dtype)
        return ops.cast(ops.not_equal(ids, self.pad_id), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "pad_id": self.pad_id}


def _masked_softmax(scores, mask):
    # mask: 1 for source words, 0 for padding (broadcast to scores)
    return ops.softmax(ops.where(mask > 0.5, scores, ops.full_like(scores, -1e9)), axis=-1)


@keras.saving.register_keras_serializable(package="kerasreports")
class AttentionRecurrence(keras.layers.Layer):
    """An attention decoder's loop (module docstring): at step t, attention of h_{t-1}
    over the encoder outputs, then the GRU / LSTM cell. "tutorial": the source-time
    tutorial's `attn` / `attn_combine` (weights over `max_length` slots); "bahdanau":
    additive, Va(tanh(Wa h_{t-1} + Ua h_s)) with padding masked, cell input [x_t, context].

    Called on [embedded (B, T, E), encoder outputs (B, S, H), source mask (B, S), *states];
    returns [outputs (B, T, H), attention weights (B, T, S), *final states]. The loop is
    `keras.ops.scan`, whose TensorFlow version wants each step's output shaped like the
    carry: the carry is (states, weights) and is also the step's output.
    """

    def __init__(self, units: int, *, cell: str = "gru", attention: str = "bahdanau",
                 max_length: int = 10, init: str = "torch", seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        if attention not in ("tutorial", "bahdanau"):
            raise ValueError(f"attention must be 'tutorial' or 'bahdanau', "
                             f"got {attention!r}")
        self.units, self.attention = units, attention
        self.cell_name = _base(cell, ("gru", "lstm"))
        self.max_length, self.init, self.seed = max_length, init, seed

    def build(self, input_shape):
        embedded, keys = input_shape[0][-1], input_shape[1][-1]
        h, init = self.units, _Init(self.init, self.seed)

        def dense(units, fan_in, name, **options):
            layer = keras.layers.Dense(units, name=name, **init.dense(fan_in), **options)
            layer.build((None, fan_in))
            return layer

        if self.attention == "tutorial":
            self.attn = dense(self.max_length, embedded + h, "attn")
            self.attn_combine = dense(h, embedded + keys, "attn_combine")
            cell_input = h
        else:
            self.Wa = dense(h, h, "Wa")
            self.Ua = dense(h, keys, "Ua")
            self.Va = dense(1, h, "Va")
            cell_input = embedded + keys
        self.cell = _cell(self.cell_name, h, init, self.cell_name)
        self.cell.build((None, cell_input))

    def call(self, inputs):
        embedded, keys, mask, *states = inputs
        mask = ops.cast(mask, keys.dtype)
        keys = keys * mask[..., None]  # the tutorial's zero-filled encoder_outputs
        projected = None if self.attention == "tutorial" else self.Ua(keys)

        def step(carry, x_t):
            states = list(carry[:-1])
            if self.attention == "tutorial":
                weights = ops.softmax(self.attn(ops.concatenate([x_t, states[0]], -1)), -1)
                context = ops.einsum("bs,bsh->bh", weights, keys)
                x = ops.relu(self.attn_combine(ops.concatenate([x_t, context], -1)))
            else:
                query = ops.expand_dims(self.Wa(states[0]), 1)
                scores = ops.squeeze(self.Va(ops.tanh(query + projected)), -1)
                weights = _masked_softmax(scores, mask)
                context = ops.einsum("bs,bsh->bh", weights, keys)
                x = ops.concatenate([x_t, context], -1)
            _, new_states = self.cell(x, states)
            carry = (*new_states, weights)
            return carry, carry

        init = (*states, ops.zeros_like(mask))
        final, outputs = ops.scan(step, init, ops.transpose(embedded, (1, 0, 2)))
        return [ops.transpose(outputs[0], (1, 0, 2)), ops.transpose(outputs[-1], (1, 0, 2)),
                *final[:-1]]

    def compute_mask(self, inputs, mask=None):
        return None  # the source mask is an input of its own; the outputs carry none

    def compute_output_shape(self, input_shape):
        embedded, keys = input_shape[0], input_shape[1]
        batch, steps = embedded[0], embedded[1]
        return [(batch, steps, self.units), (batch, steps, keys[1]),
                *[(batch, self.units)] * len(_states(self.cell_name))]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "cell": self.cell_name,
                "attention": self.attention, "max_length": self.max_length,
                "init": self.init, "seed": self.seed}


@keras.saving.register_keras_serializable(package="kerasreports")
class LuongAttention(keras.layers.Layer):
    """Luong et al. (2015)'s "general" attention, after the recurrence: weights =
    softmax_s(h_t . Wa h_s) with padding masked, context = sum_s weights h_s.
    Called on [queries (B, T, H), keys (B, S, H), mask (B, S)] -> [context, weights]."""

    def __init__(self, units: int, *, init: str = "torch", seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.init, self.seed = units, init, seed

    def build(self, input_shape):
        keys = input_shape[1][-1]
        options = _Init(self.init, self.seed).dense(keys)
        options.pop("bias_initializer", None)
        self.Wa = keras.layers.Dense(self.units, use_bias=False, name="Wa", **options)
        self.Wa.build((None, keys))

    def call(self, inputs):
        queries, keys, mask = inputs
        scores = ops.matmul(queries, ops.transpose(self.Wa(keys), (0, 2, 1)))
        weights = _masked_softmax(scores, ops.cast(mask, scores.dtype)[:, None, :])
        return [ops.matmul(weights, keys), weights]

    def compute_mask(self, inputs, mask=None):
        return None  # as AttentionRecurrence's

    def compute_output_shape(self, input_shape):
        queries, keys = input_shape[0], input_shape[1]
        return [(*queries[:2], keys[-1]), (*queries[:2], keys[1])]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "init": self.init,
                "seed": self.seed}


class Seq2Seq(NamedTuple):
    """`seq2seq`'s models; they share their layers (train one, decode with the others).

    training: [source ids (B, S), decoder ids (B, T) = SOS + target[:-1]] -> per-step
        log-probabilities (B, T, tgt_vocab).
    encoder: source ids -> [outputs (B, S, H), source mask (B, S), *states] (the states:
        h, or h and c for an LSTM).
    decoder: with attention, [decoder ids, outputs, mask, *states] -> [log-probs,
        attention weights (B, T, S), *states]; without, [decoder ids, *states] ->
        [log-probs, *states].
    """

    training: keras.Model
    encoder: keras.Model
    decoder: keras.Model
    attention: str | None
    source_length: int | None  # sources are padded to this ("tutorial" attention)
    pad_id: int | None


def seq2seq(*, src_vocab: int = 4345, tgt_vocab: int = 2803, units: int = 256,
            cell: str = "gru", attention: str | None = None, max_length: int = 10,
            dropout: float = 0.1, source_pad_id: int | None = 0, init: str = "torch",
            seed: int = 0) -> Seq2Seq:
    """The source's French -> English encoder-decoder (section 6.13; module docstring).

    Args:
        src_vocab, tgt_vocab: French and English words + SOS + EOS (4,345 and 2,803).
        units: embedding width and hidden size (the tutorial's hidden_size, 256).
        cell: "gru" or "lstm", for encoder and decoder.
        attention: None (the source's models), "tutorial", "bahdanau" or "luong".
        max_length: the "tutorial" attention's source slots (the tutorial's MAX_LENGTH,
            10); its sources are padded to it. Unused by the other decoders.
        dropout: on the decoder's embedding, "tutorial" and "bahdanau" only (the
            tutorials' dropout_p 0.1).
        source_pad_id: padding id of the sources, masked (0 = SOS, in no source
            sentence); None: no padding, nothing masked.
        init: "torch" or "keras" (module docstring).
        seed: seeds every initialiser and dropout.
    """
    if attention not in ATTENTIONS:
        raise ValueError(f"unknown attention {attention!r}; choose one of: "
                         f"{', '.join(map(str, ATTENTIONS))}")
    base, init_ = _base(cell, ("gru", "lstm")), _Init(init, seed)
    source_length = max_length if attention == "tutorial" else None

    source = _ids("source_ids", source_length)
    x = keras.layers.Embedding(src_vocab, units, name="embedding",
                               **init_.embedding())(source)
    mask = PaddingMask(source_pad_id, name="source_mask")(source)
    encoder_rnn = _recurrent(base, units, init_, return_sequences=True, return_state=True,
                             zero_output_for_mask=True, name=base)
    outputs, *states = encoder_rnn(x, mask=None if source_pad_id is None else mask)
    encoder = keras.Model(source, [outputs, mask, *states], name="encoder")

    tokens = _ids("decoder_ids")
    keys = keras.Input((source_length, units), name="encoder_outputs")
    key_mask = keras.Input((source_length,), name="source_mask")
    state_inputs = [keras.Input((units,), name=f"state_{s}") for s in _states(base)]
    y = keras.layers.Embedding(tgt_vocab, units, name="embedding",
                               **init_.embedding())(tokens)
    if attention in ("tutorial", "bahdanau"):
        y = init_.dropout(dropout, "dropout")(y)
        y, weights, *new_states = AttentionRecurrence(
            units, cell=base, attention=attention, max_length=max_length, init=init,
            seed=init_.seed(), name=f"attention_{base}")([y, keys, key_mask, *state_inputs])
    else:
        y = keras.layers.ReLU(name="relu")(y)
        decoder_rnn = _recurrent(base, units, init_, return_sequences=True,
                                 return_state=True, name=base)
        y, *new_states = decoder_rnn(y, initial_state=state_inputs)
        if attention == "luong":
            context, weights = LuongAttention(units, init=init, seed=init_.seed(),
                                              name="attention")([y, keys, key_mask])
            y = keras.layers.Concatenate(name="concat")([context, y])
            y = keras.layers.Dense(units, activation="tanh", name="attn_combine",
                                   **init_.dense(2 * units))(y)
    log_probs = _log_softmax()(keras.layers.Dense(tgt_vocab, name="out",
                                                  **init_.dense(units))(y))
    if attention:
        decoder = keras.Model([tokens, keys, key_mask, *state_inputs],
                              [log_probs, weights, *new_states], name="decoder")
    else:
        decoder = keras.Model([tokens, *state_inputs], [log_probs, *new_states],
                              name="decoder")

    source_in, tokens_in = _ids("source_ids", source_length), _ids("decoder_ids")
    encoded = encoder(source_in)
    decoded = decoder([tokens_in, *encoded] if attention else [tokens_in, *encoded[2:]])
    training = keras.Model([source_in, tokens_in], decoded[0],
                           name=f"seq2seq_{base}" + (f"_{attention}" if attention else ""))
    return Seq2Seq(training, encoder, decoder, attention, source_length, source_pad_id)


def _predict(model, inputs) -> list[np.ndarray]:
    """`model`'s outputs on one batch, in inference mode, as a list of arrays: a compiled
    call (`predict_on_batch`), traced once per input shape and then fast, where an eager
    call runs the recurrent loop op by op (25x slower for a small model on a CPU)."""
    outputs = model.predict_on_batch(inputs)
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def translate(models: Seq2Seq, source_ids, *, max_length: int = 10, sos: int = SOS,
              eos: int = EOS, return_attention: bool = False):
    """Greedy decoding, as the tutorial's `evaluate`: feed SOS, then each step's argmax,
    until EOS (kept, as the source prints `<EOS>`) or `max_length` words.

    Args:
        models: `seq2seq`'s models.
        source_ids: one sentence (1-D ids, EOS included) or a batch (2-D, padded with
            the models' pad id); "tutorial" attention pads them to its max_length.
        return_attention: also return each output word's attention weights over the
            source positions, shape (words, source length), for a figure.

    Returns:
        the target ids (a list; a list of lists for a batch), and with
        `return_attention` a pair (ids, weights).
    """
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1 word, not {max_length}")
    source = np.asarray(source_ids, dtype="int32")
    single = source.ndim == 1
    source = np.atleast_2d(source)
    if models.source_length is not None:
        extra = models.source_length - source.shape[1]
        if extra < 0 or (extra and models.pad_id is None):
            raise ValueError(f"sources need {models.source_length} ids for this decoder, "
                             f"got {source.shape[1]}")
        source = np.pad(source, ((0, 0), (0, extra)), constant_values=models.pad_id or 0)
    keys, mask, *states = _predict(models.encoder, source)
    batch = len(source)
    tokens = np.full((batch, 1), sos, dtype="int32")
    ids, weights = [[] for _ in range(batch)], [[] for _ in range(batch)]
    done = np.zeros(batch, dtype=bool)
    for _ in range(max_length):
        inputs = [tokens, keys, mask, *states] if models.attention else [tokens, *states]
        log_probs, *rest = _predict(models.decoder, inputs)
        attention = rest.pop(0)[:, -1] if models.attention else None
        states = rest
        best = log_probs[:, -1].argmax(-1)
        for b in np.flatnonzero(~done):
            ids[b].append(int(best[b]))
            if attention is not None:
                weights[b].append(attention[b])
        done |= best == eos
        if done.all():
            break
        tokens = best[:, None].astype("int32")
    width = source.shape[1]
    weights = [np.array(w).reshape(len(w), width) for w in weights]
    if single:
        ids, weights = ids[0], weights[0]
    return (ids, weights) if return_attention else ids


# ------------------------------------------------------------ sampling and evaluation

def _choose(logits, rng: np.random.Generator, temperature: float, greedy: bool = False):
    """One id per row of `logits` (batch, vocab): the argmax (greedy, or temperature 0),
    else a draw from softmax(logits / temperature) by inverse CDF."""
    logits = np.asarray(logits, dtype="float64")
    if greedy or temperature <= 0:
        return logits.argmax(-1)
    z = logits / temperature
    p = np.exp(z - z.max(-1, keepdims=True))
    cdf = np.cumsum(p / p.sum(-1, keepdims=True), axis=-1)
    u = rng.random((len(cdf), 1))
    return np.minimum((cdf < u).sum(-1), logits.shape[-1] - 1)


def _generate(model, ids, length, choose, stop=None):
    """Extend `ids` (batch, prompt) to `length` ids a step at a time: step t reads the
    model's scores after id t - 1 and writes choose(scores) at t (`stop` ids written,
    the rows that wrote one are filled with it). One fixed-width buffer (padded with
    `ids`' first column) is re-read whole each step, so that one compiled call serves
    every step: for a causal model (all of this module's) position t - 1 sees ids <= t - 1
    only, the padding after it changes nothing. Returns the buffer and each row's end
    (the index after its stop id, or `length`)."""
    batch, prompt = ids.shape
    buffer = np.repeat(ids[:, :1], length, axis=1).astype("int32")
    buffer[:, :prompt] = ids
    ends = np.full(batch, length)
    for t in range(prompt, length):
        scores = _predict(model, buffer)[0][:, t - 1]
        live = ends == length
        buffer[:, t] = np.where(live, choose(scores), stop if stop is not None else 0)
        if stop is not None:
            ends[live & (buffer[:, t] == stop)] = t + 1
            if not (ends == length).any():
                break
    return buffer, ends


def sample_names(model, alphabet_chars, *, n: int, start_letters=None,
                 temperature: float = 1.0, max_length: int = 20, seed: int = 0,
                 eos: int | None = None, start_id: int | None = None) -> list[str]:
    """`n` names from a character model (`names_source_rnn`, `names_rnn`), as the
    tutorial's `sample`: a start letter, then one letter a step until the end marker or
    `max_length` letters (the start letter included).

    Each step re-runs the model on the names so far (all n as one batch, padded to
    max_length) rather than stepping the cell with its state: names are short, it serves
    every model here unchanged, and it is the same computation (`_generate`).

    Args:
        alphabet_chars: the letters of ids 0, 1, ...; the end marker is `eos`, default
            len(alphabet_chars) (the tutorial's n_letters - 1).
        start_letters: a string or list; name i starts with start_letters[i % len].
            None: drawn (seeded) from the alphabet's capital letters, or all of it.
        temperature: softmax(log p / temperature); 0 is greedy (the tutorial's topk(1)).
        seed: seeds the start letters and the draws.
        start_id: an id fed before the start letter, as models trained on a start
            token (`datasets.names`: <start>) expect; left out of the names. With it,
            `alphabet_chars` may hold tokens of several characters (the vocabulary
            `datasets.names.VOCABULARY`): only its single characters are start letters.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1 letter, not {max_length}")
    chars = list(alphabet_chars)
    eos = len(chars) if eos is None else eos
    index = {c: i for i, c in enumerate(chars)}
    rng = np.random.default_rng(seed)
    letters = [c for c in chars if len(c) == 1]
    if start_letters is None:
        pool = [c for c in letters if c.isupper()] or letters
        starts = [pool[i] for i in rng.integers(0, len(pool), n)]
    else:
        starts = [start_letters[i % len(start_letters)] for i in range(n)]
    unknown = sorted({c for c in starts if c not in index})
    if unknown:
        raise ValueError(f"start letters {unknown} are not in the model's alphabet")
    prefix = [] if start_id is None else [start_id]
    ids = np.array([prefix + [index[c]] for c in starts], dtype="int32")
    # Only letters and the end marker are drawn: an untrained model also scores the
    # padding and start ids, which no name holds.
    banned = np.array([i for i, c in enumerate(chars) if len(c) != 1 and i != eos], int)

    def choose(scores):
        scores = np.array(scores, dtype="float64")
        scores[:, banned] = -np.inf
        return _choose(scores, rng, temperature)

    buffer, ends = _generate(model, ids, max_length + len(prefix), choose, stop=eos)
    return ["".join(chars[i] for i in row[len(prefix):end] if i != eos)
            for row, end in zip(buffer.tolist(), ends)]


def complete(model, prompt_ids, *, steps: int, greedy: bool = True,
             temperature: float = 1.0, seed: int = 0, eos: int | None = None) -> list[int]:
    """Continue `prompt_ids` (1-D) by `steps` ids with a word model (logits or log-probs
    per step): the argmax (greedy) or a draw from softmax(logits / temperature); stops
    early at `eos` (kept) if given. No state is carried: each step re-reads the prompt and
    the continuation as in training (`_generate`). Returns the new ids only."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1 word, not {steps}")
    rng = np.random.default_rng(seed)
    ids = np.asarray(prompt_ids, dtype="int32").reshape(1, -1)
    buffer, ends = _generate(model, ids, ids.shape[1] + steps,
                             lambda scores: _choose(scores, rng, temperature, greedy),
                             stop=eos)
    return buffer[0, ids.shape[1]:ends[0]].tolist()


def perplexity(model, x, y, *, batch_size: int = 64,
               ignore_class: int | None = None) -> float:
    """exp(mean next-token NLL) of a word or character model on ids `x` -> targets `y`
    (batch, steps), in inference mode; tokens `ignore_class` (padding) left out."""
    x, y = np.asarray(x), np.asarray(y)
    total, count = 0.0, 0
    for i in range(0, len(x), batch_size):
        scores = _predict(model, x[i:i + batch_size])[0].astype("float64")
        top = scores.max(-1, keepdims=True)
        log_probs = scores - top - np.log(np.exp(scores - top).sum(-1, keepdims=True))
        target = y[i:i + batch_size]
        keep = target != ignore_class if ignore_class is not None else np.ones(target.shape,
                                                                               bool)
        picked = np.take_along_axis(log_probs, np.where(keep, target, 0)[..., None], -1)
        total -= float(picked[..., 0][keep].sum())
        count += int(keep.sum())
    mean = total / count
    # A diverged model's NLL can pass exp's float range (709): its perplexity is inf.
    return math.exp(mean) if mean < 709 else math.inf


def nll_loss(ignore_class: int | None = None):
    """PyTorch's NLLLoss (and CrossEntropyLoss) for these models: sparse categorical
    cross-entropy from logits, exact on log-softmax outputs too (module docstring)."""
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True,
                                                      ignore_class=ignore_class)


# ------------------------------------------------------------------ parameter counts

_GATES = {"simple_rnn": 1, "gru": 3, "lstm": 4}


def torch_rnn_parameters(cell: str, input_size: int, hidden: int, layers: int = 1) -> int:
    """Parameters of PyTorch's nn.RNN / nn.GRU / nn.LSTM(input_size, hidden, layers):
    gates * (in h + h h + 2h) per layer, the first reading input_size, the others h."""
    gates = _GATES[_base(cell)]
    return sum(gates * ((input_size if i == 0 else hidden) * hidden + hidden * hidden
                        + 2 * hidden) for i in range(layers))


def pytorch_parameter_count(model) -> int:
    """`model`'s parameters as PyTorch counts the same layers: Keras' count plus the
    second bias vector PyTorch's recurrent layers have and Keras' LSTM, SimpleRNN and
    GRU(reset_after=False) do not (module docstring)."""
    extra = 0
    for layer in model._flatten_layers():  # every layer, nested models and cells included
        if not getattr(layer, "use_bias", False):
            continue
        if isinstance(layer, keras.layers.LSTMCell):
            extra += 4 * layer.units
        elif isinstance(layer, keras.layers.GRUCell) and not layer.reset_after:
            extra += 3 * layer.units
        elif isinstance(layer, keras.layers.SimpleRNNCell):
            extra += layer.units
    return model.count_params() + extra
