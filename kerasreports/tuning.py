"""Search spaces for KerasTuner: one `keras_tuner.HyperModel` per builder.

Each HyperModel's defaults are the report's own settings (the source's where it gave
them), and its ranges sit around them: a search starts from the report's model and asks
what nearby is better. `fit` tunes the batch size too (KerasTuner's documented way: a
HyperModel's `fit` receives the hyperparameters).

`TASKS` says, for each report and builder, which data a search trains and validates on
(per profile: generated data for `smoke`, real subsets for `quick`, all of it for
`full`), what it optimises, and how the best model is scored afterwards on data the
search never selected on, under the catalogue's metric names, so that it can be put
beside the source's numbers. `kerasreports.search` runs the searches.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import keras
import keras_tuner

from kerasreports import metrics
from kerasreports.errors import UnknownNameError
from kerasreports.models import arithmetic as arithmetic_models
from kerasreports.models import autoencoders, translation
from kerasreports.models import dirty_documents as page_models


def _adam(hp, default: float, low: float, high: float):
    return keras.optimizers.Adam(
        hp.Float("learning_rate", low, high, sampling="log", default=default))


class _BatchSizeHyperModel(keras_tuner.HyperModel):
    batch_sizes: tuple[int, ...] = (64, 128, 256)
    default_batch_size: int = 128

    def fit(self, hp, model, *args, **kwargs):
        batch_size = hp.Choice("batch_size", list(self.batch_sizes),
                               default=self.default_batch_size)
        return model.fit(*args, batch_size=batch_size, **kwargs)


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


@dataclass
class SearchData:
    """What a search trains on (`x`, `y`), selects on (`validation`), and what the best
    model is scored on afterwards (`evaluation`, passed to the task's `evaluate`)."""

    x: object
    y: object
    validation: tuple
    evaluation: dict = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class TuneTask:
    report: str
    builder: str
    hypermodel: Callable[[SearchData], keras_tuner.HyperModel]
    load: Callable[[str, int], SearchData]  # (profile, seed) -> data
    objective: str  # a Keras log name, e.g. "val_loss"; direction inferred by KerasTuner
    evaluate: Callable[[keras.Model, SearchData], dict]  # catalogue metric name -> value
    epochs: dict  # default epochs per profile
    max_trials: dict  # default trials per profile
    needs_data: bool = False  # True: `hypermodel` sizes the search space from the data
    # Scores whose source number has another catalogue name (e.g. our model's SSIM is set
    # beside the SSIM of the source's model): score name -> catalogue metric name.
    source_metrics: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------- R1

def _load_mnist_dae(profile: str, seed: int) -> SearchData:
    from kerasreports.datasets import mnist, noise, synthetic

    if profile == "smoke":
        root = synthetic.write_mnist_like(tempfile.mkdtemp(), "fashion_mnist", seed=seed)
        data, limit = mnist.load("fashion_mnist", root, verify=False), 1200
    else:
        data = mnist.load("fashion_mnist")
        limit = 60_000
    x = data.train.images[:limit].reshape(-1, 784).astype("float32") / 255.0
    x_test = data.test.images.reshape(-1, 784).astype("float32") / 255.0
    if profile == "smoke":
        x_test = x_test[:300]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x))
    n_val = len(x) // 10
    train, val = x[order[n_val:]], x[order[:n_val]]
    return SearchData(
        noise.gaussian(train, 0.1, rng), train,
        (noise.gaussian(val, 0.1, rng), val),
        evaluation={"x_test": x_test, "noisy_test": noise.uniform(x_test, 0.1, rng)},
        description=f"Fashion-MNIST{' (generated)' if profile == 'smoke' else ''}: "
                    f"{len(train)} training / {n_val} validation images, Gaussian noise "
                    f"0.1 as the source; scored on {len(x_test)} test images")


def _evaluate_mnist_dae(model, data: SearchData) -> dict:
    denoised = model.predict(data.evaluation["noisy_test"], batch_size=1024, verbose=0)
    # The source printed ten per-image losses at P = 0.1; we average over the test set.
    return {"sample_loss_mean_p0.1": float(np.mean(
        metrics.per_image_mse(data.evaluation["x_test"], denoised)))}


# ---------------------------------------------------------------------------- R2

def _load_translation(profile: str, seed: int) -> SearchData:
    from kerasreports.datasets import small_vocab, synthetic

    if profile == "smoke":
        root = synthetic.write_small_vocab_like(tempfile.mkdtemp(), n=600, seed=seed)
        english, french = small_vocab.load_pairs(root, verify=False)
    else:
        english, french = small_vocab.load_pairs()
    prepared = small_vocab.prepare(english, french)
    split = small_vocab.split(len(english), seed=seed)
    limit = {"smoke": None, "quick": 30_000, "full": None}[profile]
    train = split.train[:limit]
    x = prepared.x.astype("float32")
    return SearchData(
        x[train], prepared.y[train], (x[split.validation], prepared.y[split.validation]),
        evaluation={"x_test": x[split.test], "y_test": prepared.y[split.test],
                    "steps": prepared.y.shape[1],
                    "src_vocab": prepared.english.vocab_size + 1,
                    "tgt_vocab": prepared.french.vocab_size + 1},
        description=f"small_vocab{' (generated)' if profile == 'smoke' else ''}: "
                    f"{len(train)} training / {len(split.validation)} validation pairs; "
                    f"scored on {len(split.test)} held-out test pairs")


def _as_ids(d: SearchData) -> SearchData:
    """The embedding model reads int ids (n, steps), not (n, steps, 1) floats."""
    ids = lambda a: a[..., 0].astype("int32")  # noqa: E731
    return SearchData(ids(d.x), d.y, (ids(d.validation[0]), d.validation[1]),
                      {**d.evaluation, "x_test": ids(d.evaluation["x_test"])}, d.description)


def _evaluate_translation(key: str):
    def evaluate(model, data: SearchData) -> dict:
        predicted = np.argmax(model.predict(data.evaluation["x_test"], batch_size=1024,
                                            verbose=0), -1)
        y = data.evaluation["y_test"]
        return {f"{key}_padded": metrics.token_accuracy(y, predicted, ignore_padding=False),
                key: metrics.token_accuracy(y, predicted, ignore_padding=True)}
    return evaluate


# ---------------------------------------------------------------------------- R3

def _load_pages(profile: str, seed: int):
    """Pages, and three disjoint sets of whole documents: train, select, score.

    `select` is what the search compares trials on; `score` (the report's validation
    documents) is only used to score the best model, so that number is not chosen on.
    """
    from kerasreports.datasets import dirty_documents, synthetic

    if profile == "smoke":
        root = synthetic.write_dirty_documents_like(tempfile.mkdtemp(), seed=seed)
        pages = dirty_documents.load(root, verify=False)
    else:
        pages = dirty_documents.load()
    rest, score = dirty_documents.split_by_document(pages.clean, 0.15, seed=seed)
    train, select = dirty_documents.split_by_document([pages.clean[i] for i in rest], 0.15,
                                                      seed=seed)
    return pages, rest[train], rest[select], score


def _load_page_patches(profile: str, seed: int) -> SearchData:
    from kerasreports.datasets import dirty_documents

    pages, train, select, score = _load_pages(profile, seed)
    size, per_page = {"smoke": (64, 4), "quick": (96, 8), "full": (96, 48)}[profile]
    rng = np.random.default_rng(seed)
    # One fixed set of patches for every trial, so trials differ only in hyperparameters.
    x, y = dirty_documents.random_patches(pages.dirty, pages.clean, train, size=size,
                                          per_page=per_page, rng=rng)
    vx, vy = dirty_documents.random_patches(pages.dirty, pages.clean, select, size=size,
                                            per_page=per_page, rng=rng)
    return SearchData(
        x, y, (vx, vy),
        evaluation={"dirty": [pages.dirty[i] for i in score],
                    "clean": [pages.clean[i] for i in score]},
        description=f"{len(x)} training patches of {size}x{size} from {len(train)} pages, "
                    f"{len(vx)} selection patches from {len(select)} other pages; the best "
                    f"model scored at native size on the report's {len(score)} validation "
                    f"pages (whole documents, used for nothing else)")


def _load_resized_pages(profile: str, seed: int) -> SearchData:
    pages, train, select, score = _load_pages(profile, seed)
    resize = page_models.resize_pages
    return SearchData(
        resize([pages.dirty[i] for i in train]), resize([pages.clean[i] for i in train]),
        (resize([pages.dirty[i] for i in select]), resize([pages.clean[i] for i in select])),
        evaluation={"dirty": [pages.dirty[i] for i in score],
                    "clean": [pages.clean[i] for i in score]},
        description=f"{len(train)} training / {len(select)} selection pages resized to "
                    f"256x256x3; the best model scored at original size on the report's "
                    f"{len(score)} validation pages (whole documents, used for nothing else)")


def _evaluate_pages(prefix: str, denoise):
    def evaluate(model, data: SearchData) -> dict:
        cleaned = denoise(model, data.evaluation["dirty"])
        return {f"{prefix}_val_rmse": metrics.pages_rmse(cleaned, data.evaluation["clean"]),
                f"{prefix}_val_ssim": metrics.mean_ssim(cleaned, data.evaluation["clean"])}
    return evaluate


# ---------------------------------------------------------------------------- R4

def _load_arithmetic(task_name: str, inputs: str, outputs: str):
    """Loader for an R4 search: the report's query split (test share 0.25); a seeded 15%
    of the *training* queries to select on; scored on the test queries (MNIST test
    images), which the search never sees. `inputs`/`outputs`: "text" or "images";
    outputs "channels" for `text2image_conv`, "characters" for the character classifier."""
    def load(profile: str, seed: int) -> SearchData:
        from kerasreports.datasets import arithmetic, mnist, synthetic

        generated = profile == "smoke"
        if generated:
            root = synthetic.write_mnist_like(tempfile.mkdtemp(), "mnist", n_train=2000,
                                              n_test=500, seed=seed)
            digits = mnist.load("mnist", root, verify=False)
        else:
            digits = mnist.load("mnist")
        task = arithmetic.tasks(9 if generated else 99)[task_name]
        rng = arithmetic.split_rng(seed, "split", task_name)  # the report's split
        size = {"chars": len(task.chars), "query_length": task.query_length,
                "answer_length": task.answer_length}
        if outputs == "characters":
            x, y = arithmetic.character_images(digits.train, task.chars, rng=rng)
            x_test, y_test = arithmetic.character_images(digits.test, task.chars, rng=rng)
            n_select = len(x) * 15 // 100
            one_hot = lambda labels: keras.utils.to_categorical(labels, len(task.chars))  # noqa: E731
            return SearchData(
                x[n_select:, ..., None], one_hot(y[n_select:]),
                (x[:n_select, ..., None], one_hot(y[:n_select])),
                evaluation={**size, "x_test": x_test[..., None], "y_test": y_test},
                description=f"MNIST{' (generated)' if generated else ''} digits, drawn "
                            f"operators and blanks: {len(x) - n_select} training / "
                            f"{n_select} selection images; scored on {len(x_test)} images "
                            f"from MNIST's test split")
        train, test = arithmetic.split_with_images(task, 0.25, digits, rng=rng)
        n_select = len(train.x_text) * 15 // 100

        def side(data, part):
            x = (arithmetic.encode_labels(data.x_text[part], task.chars) if inputs == "text"
                 else data.x_img[part][..., None])
            if outputs == "text":
                y = arithmetic.encode_labels(data.y_text[part], task.chars)
            elif outputs == "channels":
                y = arithmetic_models.steps_to_channels(data.y_img[part])
            else:
                y = data.y_img[part][..., None]
            return x, y

        x, y = side(train, slice(n_select, None))
        x_test, y_test = side(test, slice(None))
        return SearchData(
            x, y, side(train, slice(None, n_select)),
            evaluation={**size, "x_test": x_test, "y_test": y_test, "y_text": test.y_text,
                        "alphabet": task.chars},
            description=f"{task_name} queries (highest integer {task.highest_integer}, "
                        f"{inputs} to {outputs}): {len(x)} training / {n_select} selection "
                        f"queries, both from the report's training side; scored on the "
                        f"{len(test.x_text)} test queries"
                        + ("" if inputs == outputs == "text" else
                           f" (images from MNIST's test split{' (generated)' if generated else ''})"))
    return load


def _evaluate_answers(prefix: str):
    def evaluate(model, data: SearchData) -> dict:
        from kerasreports.datasets import arithmetic

        e = data.evaluation
        predicted = arithmetic.decode_labels(
            model.predict(e["x_test"], batch_size=512, verbose=0), e["alphabet"])
        return {f"{prefix}_test_char_accuracy": metrics.character_accuracy(e["y_text"],
                                                                           predicted),
                f"{prefix}_test_answer_accuracy": metrics.answer_accuracy(e["y_text"],
                                                                          predicted)}
    return evaluate


def _evaluate_reader(prefix: str):
    def evaluate(model, data: SearchData) -> dict:
        e = data.evaluation
        return {f"{prefix}_test_accuracy": metrics.accuracy(
            e["y_test"], model.predict(e["x_test"], batch_size=1024, verbose=0))}
    return evaluate


def _evaluate_images(prefix: str):
    def evaluate(model, data: SearchData) -> dict:
        e = data.evaluation
        images = model.predict(e["x_test"], batch_size=256, verbose=0)
        return {f"{prefix}_test_mse": float(np.mean((images - e["y_test"]) ** 2))}
    return evaluate


def _arithmetic_hypermodel(cls):
    def make(d: SearchData):
        e = d.evaluation
        return cls(chars=e["chars"], query_length=e["query_length"],
                   answer_length=e["answer_length"])
    return make


def _arithmetic_task(builder, cls, task_name, inputs, outputs, objective, evaluate, *,
                     epochs, trials, source_metrics=None):
    return TuneTask("arithmetic", builder, _arithmetic_hypermodel(cls),
                    _load_arithmetic(task_name, inputs, outputs), objective, evaluate,
                    epochs=epochs, max_trials=trials, needs_data=True,
                    source_metrics=source_metrics or {})


def _text2text_task(builder: str, task_name: str) -> TuneTask:
    """A text2text search; its scores set beside the report's 1-extra-layer model's."""
    prefix = f"t2t_{task_name}"
    return _arithmetic_task(
        builder, Text2TextHyperModel, task_name, "text", "text", "val_accuracy",
        _evaluate_answers(prefix), epochs={"smoke": 1, "quick": 15, "full": 100},
        trials={"smoke": 2, "quick": 6, "full": 30},
        source_metrics={f"{prefix}_test_{kind}_accuracy": f"{prefix}_1_test_{kind}_accuracy"
                        for kind in ("char", "answer")})


def _translation_hypermodel(kind):
    def make(d: SearchData):
        e = d.evaluation
        if kind == "stacked":
            return StackedRNNHyperModel(steps=e["steps"], vocab=e["tgt_vocab"])
        return BidirectionalHyperModel(steps=e["steps"], src_vocab=e["src_vocab"],
                                       tgt_vocab=e["tgt_vocab"])
    return make


_FEW = {"smoke": 1, "quick": 3, "full": 20}

TASKS: dict[str, dict[str, TuneTask]] = {
    "mnist_dae": {
        "dae": TuneTask("mnist_dae", "dae", lambda d: DenseDAEHyperModel(), _load_mnist_dae,
                        "val_loss", _evaluate_mnist_dae, epochs={"smoke": 1, "quick": 5,
                                                                 "full": 30},
                        max_trials={"smoke": 2, "quick": 8, "full": 30}),
    },
    "translation": {
        "stacked": TuneTask("translation", "stacked", _translation_hypermodel("stacked"),
                            _load_translation, "val_accuracy",
                            _evaluate_translation("stacked_token_accuracy"), epochs=_FEW,
                            max_trials={"smoke": 2, "quick": 6, "full": 30}, needs_data=True),
        "bidirectional": TuneTask(
            "translation", "bidirectional", _translation_hypermodel("bidirectional"),
            lambda profile, seed: _as_ids(_load_translation(profile, seed)),
            "val_accuracy", _evaluate_translation("bidirectional_token_accuracy"),
            epochs=_FEW, max_trials={"smoke": 2, "quick": 6, "full": 30}, needs_data=True),
    },
    "dirty_documents": {
        "page": TuneTask("dirty_documents", "page", lambda d: PageDenoiserHyperModel(),
                         _load_page_patches, "val_loss",
                         _evaluate_pages("page", page_models.denoise_native),
                         epochs={"smoke": 1, "quick": 4, "full": 30},
                         max_trials={"smoke": 2, "quick": 8, "full": 30},
                         source_metrics={"page_val_ssim": "source_val_ssim"}),
        "source": TuneTask("dirty_documents", "source",
                           lambda d: SourceAutoencoderHyperModel(), _load_resized_pages,
                           "val_loss", _evaluate_pages("source", page_models.denoise_resized),
                           epochs={"smoke": 1, "quick": 10, "full": 100},
                           max_trials={"smoke": 2, "quick": 6, "full": 20}),
    },
    "arithmetic": {
        "text2text": _text2text_task("text2text", "addsub"),
        "text2text_mul": _text2text_task("text2text_mul", "mul"),
        "image2text": _arithmetic_task(
            "image2text", Image2TextHyperModel, "addsub", "images", "text", "val_accuracy",
            _evaluate_answers("i2t_addsub_conv"), epochs={"smoke": 1, "quick": 4, "full": 100},
            trials={"smoke": 2, "quick": 4, "full": 20}),
        "convlstm": _arithmetic_task(
            "convlstm", ConvLSTMHyperModel, "addsub", "images", "text", "val_accuracy",
            _evaluate_answers("i2t_addsub_convlstm"), epochs={"smoke": 1, "quick": 2,
                                                              "full": 25},
            trials={"smoke": 2, "quick": 4, "full": 20}),
        "reader": _arithmetic_task(
            "reader", ReaderHyperModel, "addsub", "images", "characters", "val_accuracy",
            _evaluate_reader("reader_addsub"), epochs={"smoke": 1, "quick": 2, "full": 10},
            trials={"smoke": 2, "quick": 4, "full": 20}),
        "text2image": _arithmetic_task(
            "text2image", Text2ImageHyperModel, "addsub", "text", "images", "val_loss",
            _evaluate_images("t2i_addsub"), epochs={"smoke": 1, "quick": 5, "full": 200},
            trials={"smoke": 2, "quick": 6, "full": 30}),
        "text2image_conv": _arithmetic_task(
            "text2image_conv", Text2ImageConvHyperModel, "addsub", "text", "channels",
            "val_loss", _evaluate_images("t2i_addsub_conv"),
            epochs={"smoke": 1, "quick": 1, "full": 20},
            trials={"smoke": 2, "quick": 3, "full": 10}),
    },
}


def task(report: str, builder: str | None = None) -> TuneTask:
    """The search for `report`'s `builder` (default: the report's first, its main one)."""
    if report not in TASKS:
        raise UnknownNameError(f"no search is defined for report {report!r}; "
                               f"tunable: {', '.join(TASKS)}")
    builders = TASKS[report]
    if builder is None:
        return next(iter(builders.values()))
    if builder not in builders:
        raise UnknownNameError(f"report {report!r} has no builder {builder!r}; "
                               f"choose one of: {', '.join(builders)}")
    return builders[builder]
