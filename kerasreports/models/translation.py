"""English->French translation models of source 000 (part 1), and one beyond it.

`stacked_rnn` is the source's model: English word ids fed as one float feature per step
(shape (21, 1)), two stacked recurrent layers of 64 units returning sequences, then a
per-step Dense(345) and a softmax over the French vocabulary (344 words + padding).
With the defaults it has exactly the source's parameter counts: 34,905 (SimpleRNN),
72,345 (LSTM), 60,249 (GRU; Keras' default `reset_after=True`, whose two bias vectors
give the source's 12,864 and 24,960). Layer names are those of the source's three summary
tables, auto-numbered by its notebook session (`simple_rnn_2`, `time_distributed_3`, ...),
kept only so that a reader can compare the tables line by line.

`embedding_bidirectional` goes beyond the source: word ids (shape (21,)) -> Embedding ->
a bidirectional GRU encoder returning its states at every step -> a GRU decoder over
those states -> per-step Dense softmax. Every output step sees the whole English sentence
(the encoder's backward half), not only the words before it. We first built the
capstone's bottleneck variant (encoder to one vector, RepeatVector, decoder): on the
2-core CPU it reached 0.946 test token accuracy (padding excluded) after 15 epochs, this
one 0.963 after 4. Defaults, our choice: 64-wide embedding, 64 units per encoder
direction, a 128-unit decoder; no padding mask (the trailing zeros are words to it).
"""

from __future__ import annotations

import keras
from keras import layers

from kerasreports.models.recurrent import LSTM
from kerasreports.training import Recipe

# cell -> (layer class, layer base name, number of its first layer, number of the
# TimeDistributed and Activation layers): the names in the source's three tables.
_CELLS = {
    "simplernn": (layers.SimpleRNN, "simple_rnn", 2, 1),
    "lstm": (LSTM, "lstm", 0, 2),  # keras.layers.LSTM, cuDNN off on JAX (see recurrent)
    "gru": (layers.GRU, "gru", 0, 3),
}


def _cell(cell: str, allowed=tuple(_CELLS)):
    key = cell.lower().replace("_", "")
    if key not in allowed:
        raise ValueError(f"unknown cell {cell!r}; choose one of: {', '.join(allowed)}")
    return _CELLS[key]


def _numbered(base: str, i: int) -> str:
    # Keras' naming: the first layer of a kind is `lstm`, then `lstm_1`, `lstm_2`, ...
    return base if i == 0 else f"{base}_{i}"


def stacked_rnn(*, cell="lstm", units=64, depth=2, steps=21, features=1, vocab=345,
                name=None):
    """The source's stacked recurrent translator (source 000, section 3.1, Figs. 1-3).

    Args:
        cell: "simplernn", "lstm" or "gru" (case and underscores ignored).
        units: units of each recurrent layer (source: 64).
        depth: number of stacked recurrent layers, all returning sequences (source: 2).
        steps: sequence length, the padded French length (source: 21).
        features: features per step (source: 1, the English word id as a number).
        vocab: output classes per step, French words + padding (source: 345).
        name: the model's name; default `stacked_<cell>`.
    """
    layer_class, base, first, head = _cell(cell)
    inputs = keras.Input((steps, features), name="english_ids")
    x = inputs
    for i in range(depth):
        x = layer_class(units, return_sequences=True, name=_numbered(base, first + i))(x)
    x = layers.TimeDistributed(layers.Dense(vocab), name=f"time_distributed_{head}")(x)
    outputs = layers.Activation("softmax", name=f"activation_{head}")(x)
    return keras.Model(inputs, outputs, name=name or f"stacked_{base.replace('_', '')}")


def embedding_bidirectional(*, src_vocab=200, tgt_vocab=345, steps=21, embed_dim=64,
                            units=64, cell="gru", name=None):
    """Embedding + bidirectional encoder + recurrent decoder (beyond the source).

    Args:
        src_vocab: English ids, words + padding (199 + 1 on the real data).
        tgt_vocab: French classes per step, words + padding (344 + 1).
        steps: input and output length, the padded French length (21); the input is
            int ids of shape (steps,), i.e. `prepare(...).x[..., 0]`.
        embed_dim: width of the word embedding.
        units: units per direction of the encoder; the decoder has 2 * units.
        cell: "gru" or "lstm", for encoder and decoder.
        name: the model's name; default `embedding_bidirectional_<cell>`.
    """
    layer_class, base, _, _ = _cell(cell, allowed=("gru", "lstm"))
    inputs = keras.Input((steps,), dtype="int32", name="english_ids")
    x = layers.Embedding(src_vocab, embed_dim, name="embedding")(inputs)
    x = layers.Bidirectional(layer_class(units, return_sequences=True), name="encoder")(x)
    x = layer_class(2 * units, return_sequences=True, name="decoder")(x)
    x = layers.TimeDistributed(layers.Dense(tgt_vocab), name="time_distributed")(x)
    outputs = layers.Activation("softmax", name="activation")(x)
    return keras.Model(inputs, outputs, name=name or f"embedding_bidirectional_{base}")


# How the stacked models are trained. SOURCE_RECIPE is the source's (Adam, batch 16; its
# learning rate is not given, so Keras' default 0.001; NumPy arrays into fit). FAST_RECIPE
# trains the same architecture sooner on a CPU: 8x the batch, 10x the peak learning rate
# with cosine decay, full batches only. XLA and unrolling the 21 steps were tried and
# were slower on the 2-core CPU. benchmarks/translation_time_to_accuracy.py measures it.
SOURCE_RECIPE = Recipe("source", batch_size=16, learning_rate=0.001)
FAST_RECIPE = Recipe("fast", batch_size=128, learning_rate=0.01, schedule="cosine",
                     drop_remainder=True)
RECIPES = {r.name: r for r in (SOURCE_RECIPE, FAST_RECIPE)}
