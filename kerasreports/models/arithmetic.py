"""Sequence-to-sequence arithmetic models of source 001 (R4), and one beyond it.

Text in, text out (`text2text`): the source's encoder-decoder. One-hot queries (5 steps
over 13 characters for +/-, 12 for x) -> `extra_layers` stacked LSTM(256) returning
sequences -> LSTM(256) -> RepeatVector(answer length) -> LSTM(256) returning sequences ->
TimeDistributed Dense softmax. Exactly the source's counts: 1,330,445 (13 characters, 1
extra layer), 1,855,757 (2 extra), 803,852 (12 characters, none), 2,379,788 (3 extra).
(The source's multiplication table repeats 1,330,445 and 1,855,757 for 1 and 2 extra
layers; with 12 characters those models have 1,329,164 and 1,854,476.)

Images in, text out (`image2text_convlstm`, `image2text_conv`): the source names the
layer kinds and sizes of its experiments, not whole models, so the stacks are ours:
- ConvLSTM2D over the (5, 28, 28, 1) image sequence, then the text2text decoder (its
  Table 2: ~0.30 test accuracy);
- TimeDistributed Conv2D (32 filters) + pooling per image, then `lstm_layers` LSTMs in
  all (its Table 3's best: 5 layers of 128/256 units, 0.89 test accuracy).

Text in, images out (`text2image_dense`, `text2image_conv`): the source's
TimeDistributed-Dense decoder with its exact parameter table (276,480 / 525,312 / 32,896
/ 101,136), with `regularized=True` its BatchNormalization + Dropout variant and with
`bidirectional=True` its Bidirectional one (the source gives neither variant's layers:
ours put BatchNormalization and Dropout(0.2) after the decoder LSTM and the Dense(128), and
make both LSTMs bidirectional); and its first, Conv2DTranspose model: LSTM(1024) on the
query (4,251,648 parameters), RepeatVector(49), Reshape(7, 7, 1024), then a decoder that
the source shows only as "Sequential, (28, 28, 3), 2,731,907 parameters". Ours is two
stride-2 Conv2DTranspose layers (256, 128 filters) and a stride-1 one (64), each followed
by BatchNormalization, and a sigmoid Conv2D to one channel per answer character: that
reconstruction has exactly 2,731,907 parameters.

Beyond the source (`read_then_compute`): read each image with a character classifier
trained on single images (`character_classifier`), then hand the per-step character
probabilities to a text2text model. Recognition and arithmetic are learned separately,
each from the data that teaches it best, and the composition is then fine-tuned end to
end on image queries.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from kerasreports.models.recurrent import LSTM, apply_cudnn_setting

IMAGE_SHAPE = (28, 28, 1)


def _check(**sizes):
    for key, value in sizes.items():
        if int(value) != value or value < 0 or (value == 0 and key != "extra_layers"):
            raise ValueError(f"{key} must be a whole number of at least "
                             f"{0 if key == 'extra_layers' else 1}, not {value!r}")


def _decoder(code, *, answer_length: int, chars: int, units: int):
    """RepeatVector -> LSTM returning sequences -> per-step softmax over the characters."""
    x = layers.RepeatVector(answer_length, name="repeat")(code)
    x = LSTM(units, return_sequences=True, name="decoder_lstm")(x)
    return layers.TimeDistributed(layers.Dense(chars, activation="softmax"), name="chars")(x)


def text2text(*, chars: int = 13, query_length: int = 5, answer_length: int = 3,
              extra_layers: int = 1, units: int = 256, name: str | None = None):
    """The source's text-to-text encoder-decoder (section 3.1, Tables 1 and 4).

    Args:
        chars: alphabet size (13 for +/-, 12 for multiplication).
        query_length, answer_length: padded lengths (5 and 3; 5 and 4 for x).
        extra_layers: LSTMs stacked below the encoder's last LSTM (source: 0 to 3).
        units: units of every LSTM (source: 256).
    """
    _check(chars=chars, query_length=query_length, answer_length=answer_length,
           extra_layers=extra_layers, units=units)
    query = keras.Input((query_length, chars), name="query")
    x = query
    for i in range(extra_layers):
        x = LSTM(units, return_sequences=True, name=f"encoder_lstm_{i + 1}")(x)
    code = LSTM(units, name="encoder_lstm")(x)
    out = _decoder(code, answer_length=answer_length, chars=chars, units=units)
    return keras.Model(query, out, name=name or f"text2text_{extra_layers}_extra")


def _image_sequence(query_length: int):
    return keras.Input((query_length, *IMAGE_SHAPE), name="query_images")


def image2text_convlstm(*, chars: int = 13, query_length: int = 5, answer_length: int = 3,
                        filters: int = 32, units: int = 256, name: str = "image2text_convlstm"):
    """ConvLSTM2D(filters, 3x3) over the query's images, pooled, then the text2text decoder."""
    _check(chars=chars, query_length=query_length, answer_length=answer_length,
           filters=filters, units=units)
    images = _image_sequence(query_length)
    x = layers.ConvLSTM2D(filters, 3, strides=2, padding="same", name="conv_lstm")(images)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    code = layers.Dense(units, activation="relu", name="code")(x)
    out = _decoder(code, answer_length=answer_length, chars=chars, units=units)
    return keras.Model(images, out, name=name)


def image_features(*, filters: int | tuple[int, ...] = 32, features: int = 128,
                   name: str = "image_features"):
    """A small CNN for one 28x28 image: Conv2D(3x3) + pooling blocks, then a Dense layer.

    `filters` an int f: two blocks of f and 2f filters (the report's model); a tuple: one
    block per entry (the source's Table 5 names its convolution layers so)."""
    blocks = (filters, 2 * filters) if np.isscalar(filters) else tuple(filters)
    if not blocks or any(int(f) != f or f < 1 for f in blocks):
        raise ValueError(f"filters must be a whole number of at least 1 or a tuple of "
                         f"them, not {filters!r}")
    stack = [keras.Input(IMAGE_SHAPE)]
    for f in blocks:
        stack += [layers.Conv2D(f, 3, activation="relu"), layers.MaxPooling2D(2)]
    return keras.Sequential([*stack, layers.Flatten(),
                             layers.Dense(features, activation="relu")], name=name)


def image2text_conv(*, chars: int = 13, query_length: int = 5, answer_length: int = 3,
                    filters: int | tuple[int, ...] = 32, lstm_layers: int = 5,
                    units: int = 256, first_units: int | None = None,
                    name: str = "image2text_conv"):
    """TimeDistributed CNN per image (`image_features(filters)`), then `lstm_layers` LSTMs
    (at least 2): the encoder gets all but one, the decoder the last. The first encoder
    LSTM has `first_units` (default `units // 2`, as the source's "128/256") when the
    encoder has more than one; every other LSTM `units`."""
    _check(chars=chars, query_length=query_length, answer_length=answer_length,
           units=units, **({} if first_units is None else {"first_units": first_units}))
    if int(lstm_layers) != lstm_layers or lstm_layers < 2:
        raise ValueError(f"lstm_layers must be a whole number of at least 2 (an encoder "
                         f"and a decoder), not {lstm_layers!r}")
    first_units = units // 2 if first_units is None else first_units
    images = _image_sequence(query_length)
    x = layers.TimeDistributed(image_features(filters=filters), name="read_images")(images)
    encoder_layers = lstm_layers - 1
    for i in range(encoder_layers):
        last = i == encoder_layers - 1
        x = LSTM(first_units if i == 0 and not last else units,
                 return_sequences=not last, name=f"encoder_lstm_{i + 1}")(x)
    out = _decoder(x, answer_length=answer_length, chars=chars, units=units)
    return keras.Model(images, out, name=name)


def character_classifier(*, chars: int = 13, filters: int = 32,
                         name: str = "character_classifier"):
    """One 28x28 image -> softmax over the alphabet (digits, operators, blank space)."""
    _check(chars=chars, filters=filters)
    image = keras.Input(IMAGE_SHAPE, name="image")
    x = image_features(filters=filters)(image)
    x = layers.Dropout(0.3)(x)
    out = layers.Dense(chars, activation="softmax", name="character")(x)
    return keras.Model(image, out, name=name)


def read_then_compute(reader: keras.Model, calculator: keras.Model, *,
                      query_length: int = 5, name: str = "read_then_compute"):
    """Images -> `reader` per image (character probabilities) -> `calculator` (text2text).

    The composition gets copies of the two trained models (weights included), so that
    fine-tuning it end to end leaves `reader` a character classifier and `calculator` a
    text model.
    """
    images = _image_sequence(query_length)
    characters = layers.TimeDistributed(_copy(reader), name="read")(images)
    return keras.Model(images, _copy(calculator)(characters), name=name)


def _copy(model: keras.Model) -> keras.Model:
    # Not `keras.models.clone_model`: in Keras 3.15 its copy of a compiled model is still
    # compiled, and a compiled model nested in another adds its own, never-updated loss
    # and metrics to the outer model's (fit then shows loss 0 or fails on "metric has
    # not yet been built"). A model rebuilt from its config is not compiled.
    twin = apply_cudnn_setting(model.__class__.from_config(model.get_config()))
    twin.set_weights(model.get_weights())
    return twin


def text2image_dense(*, chars: int = 13, query_length: int = 5, answer_length: int = 3,
                     units: int = 256, hidden: int = 128, regularized: bool = False,
                     bidirectional: bool = False, dropout: float = 0.2,
                     extra_layers: int = 0, name: str | None = None):
    """The source's TimeDistributed-Dense image generator (section 3.3.2, Figure 10);
    `extra_layers` LSTMs returning sequences below its encoder LSTM (section 3.3.4 tried
    one)."""
    _check(chars=chars, query_length=query_length, answer_length=answer_length,
           units=units, hidden=hidden, extra_layers=extra_layers)

    def lstm(**kwargs):
        cell = LSTM(units, **kwargs)
        return layers.Bidirectional(cell) if bidirectional else cell

    def regularize(x):
        if regularized:
            x = layers.BatchNormalization()(x)
            x = layers.Dropout(dropout)(x)
        return x

    query = keras.Input((query_length, chars), name="query")
    x = query
    for _ in range(extra_layers):
        x = lstm(return_sequences=True)(x)
    x = lstm()(x)
    x = layers.RepeatVector(answer_length)(x)
    x = regularize(lstm(return_sequences=True)(x))
    x = regularize(layers.TimeDistributed(layers.Dense(hidden, activation="relu"))(x))
    x = layers.TimeDistributed(layers.Dense(784, activation="sigmoid"))(x)
    out = layers.Reshape((answer_length, *IMAGE_SHAPE), name="answer_images")(x)
    variant = (("bidirectional_" if bidirectional else "")
               + ("regularized" if regularized else "dense")
               + (f"_{extra_layers}_extra" if extra_layers else ""))
    return keras.Model(query, out, name=name or f"text2image_{variant}")


def text2image_conv(*, chars: int = 13, query_length: int = 5, answer_length: int = 3,
                    units: int = 1024, name: str = "text2image_conv"):
    """The source's first image generator (section 3.3.1, Figure 7): LSTM(1024) ->
    7x7 grid -> Conv2DTranspose decoder -> (28, 28, answer_length), one channel per
    answer character. Use `channels_to_steps` to compare with (n, length, 28, 28, 1)."""
    _check(chars=chars, query_length=query_length, answer_length=answer_length, units=units)
    query = keras.Input((query_length, chars), name="query")
    x = LSTM(units)(query)
    x = layers.RepeatVector(49)(x)
    x = layers.Reshape((7, 7, units))(x)
    decoder = keras.Sequential(name="decoder")
    for filters, stride in ((256, 2), (128, 2), (64, 1)):
        decoder.add(layers.Conv2DTranspose(filters, 3, strides=stride, padding="same",
                                           activation="relu"))
        decoder.add(layers.BatchNormalization())
    decoder.add(layers.Conv2D(answer_length, 3, padding="same", activation="sigmoid"))
    return keras.Model(query, decoder(x), name=name)


def steps_to_channels(images):
    """(n, length, 28, 28[, 1]) answer images -> (n, 28, 28, length), `text2image_conv`'s."""
    images = np.asarray(images)
    return np.moveaxis(images.reshape(images.shape[:4]), 1, -1)


def channels_to_steps(images):
    """(n, 28, 28, length) -> (n, length, 28, 28, 1): the inverse of `steps_to_channels`."""
    return np.moveaxis(np.asarray(images), -1, 1)[..., None]
