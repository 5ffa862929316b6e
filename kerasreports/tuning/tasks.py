"""The searches: for each report and builder, a `TuneTask` in `TASKS`; `task()` picks one.

`TASKS` says, for each report and builder, which data a search trains and validates on
(per profile: generated data for `smoke`, real subsets for `quick`, all of it for
`full`; the loaders are `kerasreports.tuning.loaders`), what it optimises, and how the
best model is scored afterwards on data the search never selected on, under the
catalogue's metric names, so that it can be put beside the source's numbers. The search
spaces are `kerasreports.tuning.spaces`; `kerasreports.tuning.runner` runs the searches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import keras
import keras_tuner

from kerasreports.errors import UnknownNameError
from kerasreports.models import dirty_documents as page_models
from kerasreports.tuning.loaders import (  # noqa: F401 (SearchData: also this module's)
    SearchData, as_ids, evaluate_answers, evaluate_image_classifier, evaluate_images,
    evaluate_mnist_dae, evaluate_names, evaluate_noise2noise, evaluate_pages, evaluate_reader,
    evaluate_sentiment, evaluate_translation, load_arithmetic, load_image_classification,
    load_imdb_sentiment, load_mnist_dae, load_names, load_noise2noise, load_page_patches,
    load_resized_pages, load_translation)
from kerasreports.tuning.spaces import (
    BidirectionalHyperModel, ConvLSTMHyperModel, DenseDAEHyperModel, Image2TextHyperModel,
    NamesHyperModel, Noise2NoiseUNetHyperModel, PageDenoiserHyperModel, ReaderHyperModel,
    SentimentHyperModel, SourceAutoencoderHyperModel, SourceDenoiserHyperModel,
    StackedRNNHyperModel, SuperLeNetHyperModel, SuperResNetHyperModel,
    Text2ImageConvHyperModel, Text2ImageHyperModel, Text2TextHyperModel)


@dataclass(frozen=True)
class TuneTask:
    report: str
    builder: str
    hypermodel: Callable[[SearchData], keras_tuner.HyperModel]
    # (profile, seed, data_dir) -> data; data_dir: the data root to look in first (None:
    # the default search), ignored by the generated smoke data
    load: Callable[[str, int, object], SearchData]
    objective: str  # a Keras log name, e.g. "val_loss"; direction inferred by KerasTuner
    evaluate: Callable[[keras.Model, SearchData], dict]  # catalogue metric name -> value
    epochs: dict  # default epochs per profile
    max_trials: dict  # default trials per profile
    needs_data: bool = False  # True: `hypermodel` sizes the search space from the data
    # Scores whose source number has another catalogue name (e.g. our model's SSIM is set
    # beside the SSIM of the source's model): score name -> catalogue metric name.
    source_metrics: dict = field(default_factory=dict)


def _arithmetic_hypermodel(cls):
    def make(d: SearchData):
        e = d.evaluation
        return cls(chars=e["chars"], query_length=e["query_length"],
                   answer_length=e["answer_length"])
    return make


def _arithmetic_task(builder, cls, task_name, inputs, outputs, objective, evaluate, *,
                     epochs, trials, source_metrics=None):
    return TuneTask("arithmetic", builder, _arithmetic_hypermodel(cls),
                    load_arithmetic(task_name, inputs, outputs), objective, evaluate,
                    epochs=epochs, max_trials=trials, needs_data=True,
                    source_metrics=source_metrics or {})


def _text2text_task(builder: str, task_name: str) -> TuneTask:
    """A text2text search; its scores set beside the report's 1-extra-layer model's."""
    prefix = f"t2t_{task_name}"
    return _arithmetic_task(
        builder, Text2TextHyperModel, task_name, "text", "text", "val_accuracy",
        evaluate_answers(prefix), epochs={"smoke": 1, "quick": 15, "full": 100},
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
        "dae": TuneTask("mnist_dae", "dae", lambda d: DenseDAEHyperModel(), load_mnist_dae,
                        "val_loss", evaluate_mnist_dae, epochs={"smoke": 1, "quick": 5,
                                                                "full": 30},
                        max_trials={"smoke": 2, "quick": 8, "full": 30}),
    },
    "translation": {
        "stacked": TuneTask("translation", "stacked", _translation_hypermodel("stacked"),
                            load_translation, "val_accuracy",
                            evaluate_translation("stacked_token_accuracy"), epochs=_FEW,
                            max_trials={"smoke": 2, "quick": 6, "full": 30}, needs_data=True),
        "bidirectional": TuneTask(
            "translation", "bidirectional", _translation_hypermodel("bidirectional"),
            lambda profile, seed, data_dir: as_ids(load_translation(profile, seed, data_dir)),
            "val_accuracy", evaluate_translation("bidirectional_token_accuracy"),
            epochs=_FEW, max_trials={"smoke": 2, "quick": 6, "full": 30}, needs_data=True),
    },
    "dirty_documents": {
        "page": TuneTask("dirty_documents", "page", lambda d: PageDenoiserHyperModel(),
                         load_page_patches, "val_loss",
                         evaluate_pages("page", page_models.denoise_native),
                         epochs={"smoke": 1, "quick": 4, "full": 30},
                         max_trials={"smoke": 2, "quick": 8, "full": 30}),
        "source": TuneTask("dirty_documents", "source",
                           lambda d: SourceAutoencoderHyperModel(), load_resized_pages,
                           "val_loss", evaluate_pages("source", page_models.denoise_resized),
                           epochs={"smoke": 1, "quick": 10, "full": 100},
                           max_trials={"smoke": 2, "quick": 6, "full": 20}),
    },
    "arithmetic": {
        "text2text": _text2text_task("text2text", "addsub"),
        "text2text_mul": _text2text_task("text2text_mul", "mul"),
        "image2text": _arithmetic_task(
            "image2text", Image2TextHyperModel, "addsub", "images", "text", "val_accuracy",
            evaluate_answers("i2t_addsub_conv"), epochs={"smoke": 1, "quick": 4, "full": 100},
            trials={"smoke": 2, "quick": 4, "full": 20}),
        "convlstm": _arithmetic_task(
            "convlstm", ConvLSTMHyperModel, "addsub", "images", "text", "val_accuracy",
            evaluate_answers("i2t_addsub_convlstm"), epochs={"smoke": 1, "quick": 2,
                                                             "full": 25},
            trials={"smoke": 2, "quick": 4, "full": 20}),
        "reader": _arithmetic_task(
            "reader", ReaderHyperModel, "addsub", "images", "characters", "val_accuracy",
            evaluate_reader("reader_addsub"), epochs={"smoke": 1, "quick": 2, "full": 10},
            trials={"smoke": 2, "quick": 4, "full": 20}),
        "text2image": _arithmetic_task(
            "text2image", Text2ImageHyperModel, "addsub", "text", "images", "val_loss",
            evaluate_images("t2i_addsub"), epochs={"smoke": 1, "quick": 5, "full": 200},
            trials={"smoke": 2, "quick": 6, "full": 30}),
        "text2image_conv": _arithmetic_task(
            "text2image_conv", Text2ImageConvHyperModel, "addsub", "text", "channels",
            "val_loss", evaluate_images("t2i_addsub_conv"),
            epochs={"smoke": 1, "quick": 1, "full": 20},
            trials={"smoke": 2, "quick": 3, "full": 10}),
    },
    "image_classification": {
        "super_lenet": TuneTask(
            "image_classification", "super_lenet",
            lambda d: SuperLeNetHyperModel(classes=d.evaluation["classes"],
                                           input_shape=d.evaluation["input_shape"]),
            load_image_classification("lenet"), "val_accuracy",
            evaluate_image_classifier("super_lenet"),
            epochs={"smoke": 1, "quick": 3, "full": 200},
            max_trials={"smoke": 2, "quick": 6, "full": 30}, needs_data=True),
        "super_resnet": TuneTask(
            "image_classification", "super_resnet",
            lambda d: SuperResNetHyperModel(classes=d.evaluation["classes"],
                                            input_shape=d.evaluation["input_shape"],
                                            width=d.evaluation["width"]),
            load_image_classification("resnet"), "val_accuracy",
            evaluate_image_classifier("super_resnet"),
            epochs={"smoke": 1, "quick": 2, "full": 200},
            max_trials={"smoke": 2, "quick": 4, "full": 20}, needs_data=True),
    },
    "rnn_language": {
        # Held out: the official split's test reviews (the source's split has none).
        "sentiment": TuneTask(
            "rnn_language", "sentiment",
            lambda d: SentimentHyperModel(vocab=d.evaluation["vocab"]),
            load_imdb_sentiment, "val_accuracy", evaluate_sentiment,
            epochs={"smoke": 1, "quick": 1, "full": 13},
            max_trials={"smoke": 2, "quick": 4, "full": 20}, needs_data=True,
            source_metrics={"imdb_search_official_test_accuracy": "imdb_lstm_val_accuracy"}),
        "names": TuneTask(
            "rnn_language", "names",
            lambda d: NamesHyperModel(alphabet=d.evaluation["alphabet"]),
            load_names, "val_loss", evaluate_names,
            epochs={"smoke": 1, "quick": 3, "full": 20},
            max_trials={"smoke": 2, "quick": 4, "full": 12}, needs_data=True,
            source_metrics={"names_search_heldout_nll": "names_source_heldout_nll"}),
    },
    "scratch_framework": {
        # The source's model as Keras layers, trained by Keras: the scratch framework itself
        # is not a Keras model, and its notebook checks that the two train alike.
        "source": TuneTask(
            "scratch_framework", "source", lambda d: SourceDenoiserHyperModel(),
            load_noise2noise, "val_loss", evaluate_noise2noise("source_search"),
            epochs={"smoke": 1, "quick": 8, "full": 25},
            max_trials={"smoke": 2, "quick": 6, "full": 30}),
        "unet": TuneTask(
            "scratch_framework", "unet", lambda d: Noise2NoiseUNetHyperModel(),
            load_noise2noise, "val_loss", evaluate_noise2noise("unet_search"),
            epochs={"smoke": 1, "quick": 8, "full": 25},
            max_trials={"smoke": 2, "quick": 6, "full": 20}),
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
