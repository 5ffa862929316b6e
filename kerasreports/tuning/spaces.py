"""Search spaces for KerasTuner: one `keras_tuner.HyperModel` per builder.

Each HyperModel's defaults are the report's own settings (the source's where it gave
them), and its ranges sit around them: a search starts from the report's model and asks
what nearby is better. `fit` tunes the batch size too (KerasTuner's documented way: a
HyperModel's `fit` receives the hyperparameters). `kerasreports.tuning.tasks` says which
data each search trains on; `kerasreports.tuning.runner` runs them.
"""

from __future__ import annotations

import math

import keras
import keras_tuner
import numpy as np

from kerasreports import training
from kerasreports.models import arithmetic as arithmetic_models
from kerasreports.models import autoencoders, translation
from kerasreports.models import dirty_documents as page_models
from kerasreports.models import image_classification as image_models
from kerasreports.models import language, noise2noise


def _adam(hp, default: float, low: float, high: float):
    return keras.optimizers.Adam(
        hp.Float("learning_rate", low, high, sampling="log", default=default))


class _BatchSizeHyperModel(keras_tuner.HyperModel):
    batch_sizes: tuple[int, ...] = (64, 128, 256)
    default_batch_size: int = 128

    def fit(self, hp, model, x, *args, **kwargs):
        batch_size = hp.Choice("batch_size", list(self.batch_sizes),
                               default=self.default_batch_size)
        return _fit(model, x, *args, batch_size=batch_size, **kwargs)


def _fit(model, x, *args, batch_size: int, **kwargs):
    # A trial of a few steps (a smoke search) traces for far longer than it trains:
    # run it eagerly, as the reports' own fits do (`training.Recipe.run_eagerly`).
    steps = math.ceil(_length(x) / batch_size) * kwargs.get("epochs", 1)
    if training.few_steps(steps):
        model.run_eagerly = True
    return model.fit(x, *args, batch_size=batch_size, **kwargs)


def _length(x) -> int:
    """How many examples `x` holds: an array, or a model's several inputs."""
    if isinstance(x, dict):
        x = list(x.values())
    return len(x[0]) if isinstance(x, (list, tuple)) else len(x)


class DenseDAEHyperModel(_BatchSizeHyperModel):
    """`autoencoders.dense_dae` (R1): dropout, learning rate, batch size around the source's."""

    batch_sizes = (64, 128, 256, 512)
    default_batch_size = 256  # the source's

    def build(self, hp):
        model = autoencoders.dense_dae(
            dropout_rate=hp.Float("dropout_rate", 0.0, 0.5, step=0.1, default=0.2))
        model.compile(optimizer=_adam(hp, 1e-3, 1e-4, 1e-2), loss="mse")
        return model


class StackedRNNHyperModel(_BatchSizeHyperModel):
    """`translation.stacked_rnn` (R2): cell type, units, depth, learning rate, batch size."""

    def __init__(self, *, steps: int, vocab: int, **kwargs):
        super().__init__(**kwargs)
        self.steps, self.vocab = steps, vocab

    def build(self, hp):
        model = translation.stacked_rnn(
            cell=hp.Choice("cell", ["simplernn", "lstm", "gru"], default="lstm"),
            units=hp.Int("units", 32, 128, step=32, default=64),
            depth=hp.Int("depth", 1, 3, default=2),
            steps=self.steps, vocab=self.vocab)
        model.compile(optimizer=_adam(hp, 1e-2, 1e-3, 3e-2),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model


class BidirectionalHyperModel(_BatchSizeHyperModel):
    """`translation.embedding_bidirectional` (R2, beyond): widths, cell, learning rate."""

    def __init__(self, *, steps: int, src_vocab: int, tgt_vocab: int, **kwargs):
        super().__init__(**kwargs)
        self.steps, self.src_vocab, self.tgt_vocab = steps, src_vocab, tgt_vocab

    def build(self, hp):
        model = translation.embedding_bidirectional(
            src_vocab=self.src_vocab, tgt_vocab=self.tgt_vocab, steps=self.steps,
            embed_dim=hp.Choice("embed_dim", [32, 64, 128], default=64),
            units=hp.Choice("units", [32, 64, 128], default=64),
            cell=hp.Choice("cell", ["gru", "lstm"], default="gru"))
        model.compile(optimizer=_adam(hp, 8e-3, 1e-3, 3e-2),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model


class PageDenoiserHyperModel(_BatchSizeHyperModel):
    """`dirty_documents.page_denoiser` (R3, beyond): width, depth, learning rate, batch."""

    batch_sizes = (8, 16, 32)
    default_batch_size = 16

    def build(self, hp):
        model = page_models.page_denoiser(width=hp.Choice("width", [8, 16, 24, 32], default=16),
                                          depth=hp.Int("depth", 1, 3, default=2))
        model.compile(optimizer=_adam(hp, 2e-3, 3e-4, 1e-2), loss="mse")
        return model


class SourceAutoencoderHyperModel(_BatchSizeHyperModel):
    """`dirty_documents.source_autoencoder` (R3): the source's layers; learning rate, batch."""

    batch_sizes = (4, 8, 16)
    default_batch_size = 8

    def build(self, hp):
        model = page_models.source_autoencoder()
        model.compile(optimizer=_adam(hp, 1e-3, 1e-4, 1e-2), loss="mse")
        return model


def _compiled_classifier(hp, model, default: float, low: float, high: float):
    """`model` compiled with Adam (learning rate tuned) and categorical cross-entropy."""
    model.compile(optimizer=_adam(hp, default, low, high), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


class _ArithmeticHyperModel(_BatchSizeHyperModel):
    """An R4 builder's search: the task's alphabet and lengths, then `make(hp, size)`."""

    batch_sizes = (32, 64, 128)
    default_batch_size = 64

    def __init__(self, *, chars: int, query_length: int, answer_length: int, **kwargs):
        super().__init__(**kwargs)
        self.size = dict(chars=chars, query_length=query_length, answer_length=answer_length)


class Text2TextHyperModel(_ArithmeticHyperModel):
    """`arithmetic.text2text` (R4): encoder depth, LSTM width, learning rate, batch size."""

    def build(self, hp):
        model = arithmetic_models.text2text(
            extra_layers=hp.Int("extra_layers", 0, 3, default=1),
            units=hp.Choice("units", [128, 256, 384], default=256), **self.size)
        return _compiled_classifier(hp, model, 3e-3, 3e-4, 1e-2)


class Image2TextHyperModel(_ArithmeticHyperModel):
    """`arithmetic.image2text_conv` (R4): filters, LSTMs, width, learning rate, batch."""

    batch_sizes = (16, 32, 64, 128)

    def build(self, hp):
        model = arithmetic_models.image2text_conv(
            filters=hp.Choice("filters", [16, 32, 64], default=32),
            lstm_layers=hp.Int("lstm_layers", 2, 6, default=5),
            units=hp.Choice("units", [128, 256], default=256), **self.size)
        return _compiled_classifier(hp, model, 1e-3, 1e-4, 1e-2)


class ConvLSTMHyperModel(_ArithmeticHyperModel):
    """`arithmetic.image2text_convlstm` (R4): filters, width, learning rate, batch size."""

    def build(self, hp):
        model = arithmetic_models.image2text_convlstm(
            filters=hp.Choice("filters", [16, 32, 64], default=32),
            units=hp.Choice("units", [128, 256], default=256), **self.size)
        return _compiled_classifier(hp, model, 1e-3, 1e-4, 1e-2)


class ReaderHyperModel(_ArithmeticHyperModel):
    """`arithmetic.character_classifier` (R4, ours): filters, learning rate, batch size."""

    batch_sizes = (64, 128, 256)
    default_batch_size = 128

    def build(self, hp):
        model = arithmetic_models.character_classifier(
            chars=self.size["chars"], filters=hp.Choice("filters", [16, 32, 64], default=32))
        return _compiled_classifier(hp, model, 1e-3, 1e-4, 1e-2)


class Text2ImageHyperModel(_ArithmeticHyperModel):
    """`arithmetic.text2image_dense` (R4): the source's variants, hidden width, dropout,
    learning rate, batch size."""

    def build(self, hp):
        regularized = hp.Boolean("regularized", default=False)
        with hp.conditional_scope("regularized", [True]):
            dropout = hp.Float("dropout", 0.0, 0.5, step=0.1, default=0.2)
        model = arithmetic_models.text2image_dense(
            regularized=regularized, dropout=dropout if regularized else 0.2,
            bidirectional=hp.Boolean("bidirectional", default=False),
            hidden=hp.Choice("hidden", [128, 256], default=128), **self.size)
        model.compile(optimizer=_adam(hp, 1e-3, 1e-4, 1e-2), loss="mse")
        return model


class Text2ImageConvHyperModel(_ArithmeticHyperModel):
    """`arithmetic.text2image_conv` (R4): encoder width, learning rate, batch size."""

    def build(self, hp):
        model = arithmetic_models.text2image_conv(
            units=hp.Choice("units", [256, 512, 1024], default=1024), **self.size)
        model.compile(optimizer=_adam(hp, 1e-3, 1e-4, 1e-2), loss="mse")
        return model



class _ImageClassifierHyperModel(_BatchSizeHyperModel):
    """R5's classifiers: logits, sparse labels, Adam around the report's 0.001."""

    def __init__(self, *, classes: int, input_shape, **kwargs):
        super().__init__(**kwargs)
        self.classes = classes
        self.input_shape = tuple(input_shape)

    def _compile(self, hp, model):
        model.compile(optimizer=_adam(hp, 1e-3, 1e-4, 1e-2),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
        return model


class SuperLeNetHyperModel(_ImageClassifierHyperModel):
    """`image_classification.super_lenet` (R5, Fig. 6): its one dropout's rate (the
    source's 0.2), the learning rate and the batch size."""

    def build(self, hp):
        rate = hp.Float("dropout", 0.0, 0.5, step=0.1, default=0.2)
        model = image_models.build("super_lenet", classes=self.classes,
                                   input_shape=self.input_shape,
                                   dropout=(0.0, 0.0, rate, 0.0, 0.0))
        return self._compile(hp, model)


class SuperResNetHyperModel(_ImageClassifierHyperModel):
    """`image_classification.super_resnet` (R5, section 2.5): spatial dropout (ours 0.2),
    L2 weight decay (the source's 0.01), the learning rate and the batch size, at the
    first-stage width the report trains (`resnet_width`; the source's 64)."""

    def __init__(self, *, width: int, **kwargs):
        super().__init__(**kwargs)
        self.width = width

    def build(self, hp):
        model = image_models.build(
            "super_resnet", classes=self.classes, input_shape=self.input_shape,
            width=self.width,
            spatial_dropout=hp.Float("spatial_dropout", 0.0, 0.4, step=0.1, default=0.2),
            weight_decay=hp.Float("weight_decay", 1e-4, 1e-1, sampling="log", default=0.01))
        return self._compile(hp, model)


# ---------------------------------------------------------------------------- R7

class SentimentHyperModel(_BatchSizeHyperModel):
    """`rnn_language`'s SentimentRNN (R7, section 6.11): its recurrent cell (the source's
    LSTM, or GRU / SimpleRNN), width (256), dropout (0.3), the learning rate and the
    batch size; the source's Tanh-then-Sigmoid head and binary cross-entropy as they are."""

    batch_sizes = (32, 64, 128)
    default_batch_size = 64

    def __init__(self, *, vocab: int, **kwargs):
        super().__init__(**kwargs)
        self.vocab = vocab

    def build(self, hp):
        model = language.sentiment_lstm(
            vocab=self.vocab, cell=hp.Choice("cell", ["lstm", "gru", "simplernn"],
                                             default="lstm"),
            units=hp.Choice("units", [64, 128, 256], default=256),
            dropout=hp.Float("dropout", 0.0, 0.5, step=0.1, default=0.3))
        model.compile(optimizer=_adam(hp, 1e-3, 1e-4, 1e-2), loss="binary_crossentropy",
                      metrics=["accuracy"])
        return model


class NamesHyperModel(_BatchSizeHyperModel):
    """`rnn_language`'s character models (R7, section 6.8): the source's cell or a Keras
    recurrent layer, the learning rate and the batch size; NLL on log-probabilities."""

    batch_sizes = (32, 64, 128)
    default_batch_size = 64

    def __init__(self, *, alphabet: int, **kwargs):
        super().__init__(**kwargs)
        self.alphabet = alphabet

    def build(self, hp):
        from kerasreports.models import rnn_language

        model = rnn_language.names_model(
            hp.Choice("cell", list(rnn_language.NAMES_MODELS), default="source"),
            alphabet=self.alphabet)
        model.compile(optimizer=_adam(hp, 1e-3, 1e-4, 1e-2),
                      loss=language.nll_loss(ignore_class=0))
        return model


# ---------------------------------------------------------------------------- R8

class SourceDenoiserHyperModel(keras_tuner.HyperModel):
    """`scratch_framework`'s denoiser (R8) as Keras layers (`noise2noise.keras_twin`): the
    source's own four searches (SGD learning rate, activation, width, Upsampling vs
    TransposeConv2d) as one KerasTuner search, with the source's SGD, MSE and batch of 100.
    Every trial starts from PyTorch's default initialisation drawn from one seed, as the
    report's search points do, so trials differ only in their hyperparameters."""

    batch_size = 100  # the source's

    def build(self, hp):
        scratch_model = noise2noise.source_denoiser(
            width=hp.Choice("width", [32, 64, 96, 128, 256], default=96),
            activation=hp.Choice("activation", list(noise2noise.ACTIVATIONS), default="relu"),
            upsampling=hp.Choice("upsampling", list(noise2noise.UPSAMPLINGS),
                                 default="nearest"),
            rng=np.random.default_rng(0))
        model = noise2noise.keras_twin(scratch_model)
        model.compile(optimizer=keras.optimizers.SGD(hp.Float(
            "learning_rate", 0.25, 16.0, sampling="log", default=4.0)), loss="mse")
        return model

    def fit(self, hp, model, x, *args, **kwargs):
        return _fit(model, x, *args, batch_size=self.batch_size, **kwargs)


class Noise2NoiseUNetHyperModel(_BatchSizeHyperModel):
    """`noise2noise.unet` (R8, beyond the source): width, depth, Adam's learning rate and the
    batch size around the report's U-Net (width 32, depth 2, Adam 0.001, batch 100)."""

    batch_sizes = (50, 100, 200)
    default_batch_size = 100

    def build(self, hp):
        model = noise2noise.unet(width=hp.Choice("width", [16, 32, 48, 64], default=32),
                                 depth=hp.Int("depth", 1, 3, default=2))
        model.compile(optimizer=_adam(hp, 1e-3, 1e-4, 1e-2), loss="mse")
        return model
