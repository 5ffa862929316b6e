"""The dense denoising autoencoder of source 004 and the classifier that probes its codes.

Layer names are the source's (`model.summary()` of its `model_2`), so a reader can put our
summary next to the source's line by line. The auto-numbered names (`dense_23`,
`batch_normalization_21`, ...) are artefacts of the source's notebook session, kept only
for that comparison.

Where the source is silent we choose, and say so here:
- the dropout rate (not given): `dropout_rate=0.2`;
- "normal gaussian initial weights": `RandomNormal(stddev=0.05)`, what the `"normal"`
  initializer string meant in the tf.keras of the source's time;
- LeakyReLU's slope (not given): Keras' default 0.3;
- the bottleneck's activation (not given): linear, the Dense default.
"""

from __future__ import annotations

import keras
from keras import layers

# (units, Dense name, BatchNormalization name, Dropout name or None for no dropout,
# LeakyReLU name) for each hidden block, in the order and with the names of the source's
# summary table.
_ENCODER_BLOCKS = (
    (512, "Encoder", "batch_normalization_21", "dropout_10", "leaky_re_lu_21"),
    (512, "dense_23", "batch_normalization_22", "dropout_11", "leaky_re_lu_22"),
    (256, "dense_24", "batch_normalization_23", None, "leaky_re_lu_23"),
)
_DECODER_BLOCKS = (
    (256, "Decoder", "batch_normalization_24", None, "leaky_re_lu_24"),
    (512, "dense_25", "batch_normalization_25", None, "leaky_re_lu_25"),
)


def dense_dae(*, input_dim=784, code_dim=196, dropout_rate=0.2, name="dae"):
    """The source's dense denoising autoencoder (source 004, section 2).

    784 -> 512 -> 512 -> 256 -> 196 ("BottleNeck") -> 256 -> 512 -> 784 (sigmoid);
    1,438,676 parameters with the defaults, 4,096 of them BatchNormalization statistics.
    """
    init = lambda: keras.initializers.RandomNormal(stddev=0.05)  # noqa: E731
    inputs = keras.Input((input_dim,), name="input_4")
    x = inputs

    def block(x, units, dense_name, bn_name, dropout_name, act_name):
        x = layers.Dense(units, kernel_initializer=init(), name=dense_name)(x)
        x = layers.BatchNormalization(name=bn_name)(x)
        if dropout_name:
            x = layers.Dropout(dropout_rate, name=dropout_name)(x)
        return layers.LeakyReLU(name=act_name)(x)

    for spec in _ENCODER_BLOCKS:
        x = block(x, *spec)
    x = layers.Dense(code_dim, kernel_initializer=init(), name="BottleNeck")(x)
    for spec in _DECODER_BLOCKS:
        x = block(x, *spec)
    outputs = layers.Dense(
        input_dim, activation="sigmoid", kernel_initializer=init(), name="dense_26"
    )(x)
    return keras.Model(inputs, outputs, name=name)


def encoder_of(dae, *, code_layer="BottleNeck"):
    """The DAE's encoder half: its input up to the bottleneck, sharing the trained weights."""
    return keras.Model(dae.inputs, dae.get_layer(code_layer).output, name="encoder")


def probe_classifier(*, input_dim=196, num_classes=10, dropout_rate=0.4, name="probe"):
    """The source's classifier head (source 004, sections 5-6): 15,146 params on 196-d codes.

    Dense 64 relu -> Dropout 0.4 -> Dense 32 relu -> Dropout 0.4 -> BN -> Dense softmax.
    The same head on raw 784-d pixels is the baseline the codes are judged against.
    """
    inputs = keras.Input((input_dim,), name="features")
    x = layers.Dense(64, activation="relu", name="dense_56")(inputs)
    x = layers.Dropout(dropout_rate, name="dropout_13")(x)
    x = layers.Dense(32, activation="relu", name="dense_57")(x)
    x = layers.Dropout(dropout_rate, name="dropout_14")(x)
    x = layers.BatchNormalization(name="batch_normalization_36")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="dense_58")(x)
    return keras.Model(inputs, outputs, name=name)


def parameter_counts(model) -> dict[str, int]:
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    non_trainable = sum(int(w.numpy().size) for w in model.non_trainable_weights)
    return {"total": trainable + non_trainable, "trainable": trainable,
            "non_trainable": non_trainable}
