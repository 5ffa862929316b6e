"""The reports this package regenerates, and what their sources published.

Each `Report` names its notebook, the source report it reproduces (a file in
`shared/seeds/`), the data sets it reads, and the parameter overrides of the `smoke` and
`full` profiles. The `quick` profile is the notebook's own parameters cell, so a notebook
opened in Jupyter runs the quick profile as it stands.

`source_figures` are the numbers the source published, keyed by the metric name the
notebook records, so that `record` can build the "source vs regenerated" table and the
index can put each headline number beside the source's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kerasreports.errors import InvalidValueError, UnknownNameError
from kerasreports import sweeps

PROFILES = ("smoke", "quick", "full")

# A checkout's notebooks/ (what its README links and Colab opens), else the copies a wheel
# carries in the package (report-notebooks/, a link to ../notebooks in the checkout).
CHECKOUT = Path(__file__).resolve().parent.parent
PACKAGED_NOTEBOOKS = Path(__file__).resolve().parent / "report-notebooks"
NOTEBOOK_DIR = (CHECKOUT / "notebooks" if (CHECKOUT / "notebooks" / "mnist_dae.ipynb").is_file()
                else PACKAGED_NOTEBOOKS)
# The committed reports (and their search summaries) in the checkout; installed from a
# wheel, the reports folder of the working directory.
REPORTS_DIR = (CHECKOUT / "reports" if NOTEBOOK_DIR != PACKAGED_NOTEBOOKS
               else Path.cwd() / "reports")


@dataclass(frozen=True)
class SourceFigure:
    """One number the source published, and the metric of ours it compares with."""

    metric: str
    label: str
    value: float | None  # None: the source shows it only in a figure, or not at all
    headline: bool = False  # shown in the reports index next to ours
    # Which way is better, for `kerasreports compare --fail-on-regression`: "higher",
    # "lower", or "" for a headline that is not a score (a chosen learning rate).
    better: str = "higher"
    # Why the source's number and ours are not the same quantity, when they are not: the
    # table then says so in place of their difference, and the index beside the headline.
    not_comparable: str = ""


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    source: str  # file name in shared/seeds/
    datasets: tuple[str, ...]
    profiles: dict[str, dict] = field(default_factory=dict)
    source_figures: tuple[SourceFigure, ...] = ()
    # The figure (figures/NAME.png) the reports index shows as the report's thumbnail.
    key_figure: str = ""

    @property
    def notebook(self) -> Path:
        return NOTEBOOK_DIR / f"{self.name}.ipynb"

    def profile_parameters(self, profile: str) -> dict:
        if profile not in PROFILES:
            raise InvalidValueError(
                f"unknown profile {profile!r}; choose one of: {', '.join(PROFILES)}"
            )
        return dict(self.profiles.get(profile, {}))


# The ten per-image reconstruction losses the source printed for uniform noise of
# intensity P = 0.1, 0.2, 0.3 (its section 4; none for 0.05 and 0.4).
MNIST_DAE_SAMPLE_LOSSES = {
    0.1: (0.0072, 0.0034, 0.0107, 0.0101, 0.0104, 0.0053, 0.0062, 0.0072, 0.0103, 0.0123),
    0.2: (0.0142, 0.0059, 0.0138, 0.0207, 0.0144, 0.0074, 0.0108, 0.0112, 0.0156, 0.0134),
    0.3: (0.0151, 0.0136, 0.0161, 0.0306, 0.0304, 0.0118, 0.0133, 0.0225, 0.0241, 0.0224),
}

MNIST_DAE = Report(
    name="mnist_dae",
    key_figure="denoising_p0.3",
    title="Dense denoising autoencoder and encoder probe",
    source="004_42cbbbf1ce44c5e9.txt",
    datasets=("fashion_mnist", "mnist"),
    profiles={
        "smoke": {
            "generated_data": True,
            "train_limit": 1200,
            "test_limit": 300,
            "dae_epochs": 2,
            "probe_epochs": 2,
        },
        "full": {"dae_epochs": 100, "probe_epochs": 100},
    },
    source_figures=(
        SourceFigure("dae_params_total", "DAE parameters, total", 1_438_676),
        SourceFigure("dae_params_trainable", "DAE parameters, trainable", 1_434_580),
        SourceFigure("dae_params_non_trainable", "DAE parameters, non-trainable", 4_096),
        SourceFigure("probe_params", "probe head parameters (196-d codes)", 15_146),
        SourceFigure("probe_codes_test_accuracy", "probe test accuracy on codes", 0.8752, True),
        SourceFigure("probe_raw_test_accuracy", "probe test accuracy on raw pixels", 0.8764, True),
        # The probes' last training epoch and their test loss, from the source's logs.
        SourceFigure("probe_codes_val_accuracy", "probe on codes: last-epoch validation "
                     "accuracy", 0.8841),
        SourceFigure("probe_codes_train_accuracy", "probe on codes: last-epoch training "
                     "accuracy", 0.8658),
        SourceFigure("probe_codes_test_loss", "probe on codes: test loss", 0.3506, better="lower"),
        SourceFigure("probe_raw_val_accuracy", "probe on raw pixels: last-epoch validation "
                     "accuracy", 0.8791),
        SourceFigure("probe_raw_train_accuracy", "probe on raw pixels: last-epoch training "
                     "accuracy", 0.8683),
        SourceFigure("probe_raw_test_loss", "probe on raw pixels: test loss", 0.3673,
                     better="lower"),
        # The source printed ten per-image losses per P (unknown images): their mean beside
        # our mean over the whole test split, under the notebook's `uniform_noise`.
        *(SourceFigure(f"test_loss_mean_p{p}", f"P={p}: mean loss under uniform noise "
                       f"(source: its 10 printed images; ours: the test split)",
                       round(sum(losses) / len(losses), 5), better="lower")
          for p, losses in MNIST_DAE_SAMPLE_LOSSES.items()),
    ),
)

# The ten translations the source printed per stacked model (its section 4.1.3), its
# <PAD> tokens (id 0, printed after the words) left out. The notebook scores them against
# the reference French as it scores its own models (token accuracy, no padding).
TRANSLATION_SOURCE_SAMPLES = {
    "GRU": (
        "new jersey est parfois calme en mois et et il est neigeux en juillet",
        "les états unis est généralement froid en juillet et il est généralement agréable en",
        "californie est généralement calme en mars et il est généralement chaud en juin",
        "les états unis est parfois doux en juin et il est froid en septembre",
        "votre fruit aimé moins aimé la pomme mais moins aimé est la pomme",
        "son fruit préféré est la citron mais préféré préféré est la pomme",
        "paris est calme en décembre mais il est généralement froid en juillet",
        "new jersey est sec en printemps et il est jamais chaude en mars",
        "notre fruit aimé des est la citron mais mon moins aimé est la pomme",
        "les états unis est parfois occupé en janvier et il est parfois chaud en novembre",
    ),
    "LSTM": (
        "new jersey est parfois calme en mois automne et il est neigeux en avril",
        "les états unis est généralement froid en juillet et il est généralement en avril",
        "californie est généralement calme en mars et il est généralement chaud en juin",
        "les états unis est parfois doux en juin et il est froid en septembre",
        "votre fruit aimé des fruits la raisin raisin mais moins aimé est est pomme pomme",
        "son fruit préféré est la mais son favori est la pêche",
        "paris est relaxant en décembre mais il est généralement froid en juillet",
        "new jersey est occupé en printemps et il est jamais chaud en mars",
        "notre fruit aimé des est la citron mais mon moins aimé est la raisin",
        "les états unis est parfois occupée en janvier et il est parfois chaud en novembre",
    ),
    "SimpleRNN": (
        "new jersey est parfois chaud en l' et il est est en en avril",
        "les états unis est généralement froid en juillet et il est généralement en en",
        "californie est généralement calme habituellement l' et il est généralement "
        "habituellement est en juin",
        "les états unis est parfois doux en juin et il est froid en septembre",
        "votre fruit aimé aimé est la raisin mais mon moins aimé est la",
        "son fruit préféré est la mais mais moins préféré est la",
        "paris est chaud au décembre mais il est généralement froid en juillet",
        "new jersey est occupé en printemps et il est jamais tranquille en mars",
        "notre fruit moins aimé est la citron mais mon moins aimé est la raisin",
        "les états unis est parfois occupé en janvier et il est parfois chaud en novembre",
    ),
}

TRANSLATION = Report(
    name="translation",
    key_figure="val_accuracy",
    title="English to French with stacked SimpleRNN / LSTM / GRU, and a bidirectional model",
    source="000_9fa9807588cf6f9e.txt",
    datasets=("small_vocab",),
    profiles={
        "smoke": {"generated_data": True, "epochs": 2, "beyond_epochs": 2},
        "full": {"recipe": "source", "epochs": 100, "beyond_epochs": 30},
    },
    source_figures=(
        SourceFigure("pairs_like_source", "sentence pairs", 137_861),
        SourceFigure("sequence_length", "padded sequence length", 21),
        SourceFigure("french_vocabulary", "French vocabulary (+1 padding = 345 classes)", 344),
        SourceFigure("simplernn_params", "stacked SimpleRNN parameters", 34_905),
        SourceFigure("lstm_params", "stacked LSTM parameters", 72_345),
        SourceFigure("gru_params", "stacked GRU parameters", 60_249),
        # The source shows accuracy only as curves (Figs. 7-8), with no final number.
        # Test scores are on the test pairs not in training (the corpus repeats lines).
        SourceFigure("lstm_token_accuracy_padded",
                     "stacked LSTM test token accuracy, padding incl. (source: curves only)",
                     None, True),
        # Token accuracy (no padding) of the source's ten printed samples: words in the
        # right place / the references' 134 words. The notebook scores the printed text of
        # TRANSLATION_SOURCE_SAMPLES itself and checks these fractions.
        *(SourceFigure(f"{key}_samples_token_accuracy", f"stacked {label}: token accuracy "
                       f"on the source's ten samples (its printed translations)", hits / 134)
          for key, label, hits in (("simplernn", "SimpleRNN", 98), ("lstm", "LSTM", 106),
                                   ("gru", "GRU", 97))),
        SourceFigure("bidirectional_token_accuracy",
                     "embedding + BiGRU token accuracy, no padding (beyond the source)",
                     None, True),
        SourceFigure("bidirectional_bleu", "embedding + BiGRU BLEU (beyond the source)",
                     None, True),
    ),
)

_DIRTY_LOSS_CAVEAT = ("the source's ~0.06 is worse than returning the dirty page as is and "
                      "than an all-white page (baselines table): another quantity, or a "
                      "model that barely learned")

DIRTY_DOCUMENTS = Report(
    name="dirty_documents",
    key_figure="validation_page",
    title="Convolutional denoising autoencoder for dirty documents, and one at full resolution",
    source="000_9fa9807588cf6f9e.txt",
    datasets=("dirty_documents",),
    profiles={
        "smoke": {"generated_data": True, "source_epochs": 2, "page_epochs": 2,
                  "patches_per_page": 4, "patch_size": 64},
        "full": {"source_epochs": 600, "page_epochs": 60, "patches_per_page": 32},
    },
    source_figures=(
        SourceFigure("source_params_trainable", "source model trainable parameters", 818_115),
        # Read off the source's Figures 9-11 (it prints no final numbers). Its curves sit
        # below what doing nothing scores (the notebook's baselines table): they cannot be
        # the quantity we compute, unless its model barely learned.
        SourceFigure("source_final_train_loss", "source model training loss (Fig. 9: ~0.06)",
                     0.06, better="lower", not_comparable=_DIRTY_LOSS_CAVEAT),
        SourceFigure("source_val_mse_256", "source model validation MSE at 256x256 "
                     "(Fig. 10: ~0.06)", 0.06, better="lower",
                     not_comparable=_DIRTY_LOSS_CAVEAT),
        SourceFigure("source_val_ssim_256", "source model validation SSIM at 256x256 "
                     "(Fig. 11: 0.6-0.7)", 0.65, True,
                     not_comparable="the source's 0.6-0.7 is below the SSIM of the dirty "
                     "page as is at 256x256 (baselines table): another quantity, or a "
                     "model that barely learned"),
        SourceFigure("source_val_ssim", "source model validation SSIM, original size "
                     "(not published)", None),
        SourceFigure("source_val_rmse", "source model validation RMSE, original size "
                     "(not published)", None, better="lower"),
        SourceFigure("page_val_rmse", "ours at native size: validation RMSE (beyond the "
                     "source; target 0.03)", None, True, "lower"),
        SourceFigure("page_val_ssim", "ours at native size: validation SSIM (beyond the "
                     "source; target 0.9)", None, True),
    ),
)

# The source's stacking tables (1 and 4): (task, extra encoder LSTMs) -> parameters,
# train and test accuracy (per character, Keras' `accuracy`). Its Table 4 lists the
# 13-character counts for 1 and 2 extra layers, which a 12-character model cannot have.
ARITHMETIC_STACKING = {("addsub", 1): (1_330_445, 0.9963, 0.9925),
                        ("addsub", 2): (1_855_757, 0.9745, 0.9947),
                        ("mul", 0): (803_852, 0.9137, 0.8243),
                        ("mul", 1): (None, 0.9309, 0.8330),
                        ("mul", 2): (None, 0.9066, 0.8065),
                        ("mul", 3): (2_379_788, 0.8535, 0.7605)}

ARITHMETIC = Report(
    name="arithmetic",
    key_figure="t2i_addsub_answers",
    title="RNNs that add, subtract and multiply, from text and from MNIST digit images",
    source="001_2dfdf2f5b268abfe.txt",
    datasets=("mnist",),
    profiles={
        "smoke": {"generated_data": True, "highest_integer": 9, "text_epochs": 1,
                  "spread_seeds": 2,
                  "image_epochs": 1, "convlstm_epochs": 1, "reader_epochs": 1,
                  "finetune_epochs": 1, "generator_epochs": 1, "conv_generator_epochs": 1,
                  "conv_generator_queries": 0},
        "full": {"text_epochs": 100, "image_epochs": 100, "image_batch_size": 16,
                 "convlstm_epochs": 25, "reader_epochs": 10, "finetune_epochs": 5,
                 "generator_epochs": 200, "conv_generator_epochs": 20,
                 "conv_generator_queries": 0},
    },
    source_figures=(
        *(fig for (task, extra), (params, train, test) in ARITHMETIC_STACKING.items()
          for fig in (
              *((SourceFigure(f"t2t_{task}_{extra}_params",
                              f"text to text {task}, {extra} extra LSTM: parameters",
                              params),) if params else ()),
              SourceFigure(f"t2t_{task}_{extra}_train_char_accuracy",
                           f"text to text {task}, {extra} extra LSTM: train char accuracy",
                           train),
              SourceFigure(f"t2t_{task}_{extra}_test_char_accuracy",
                           f"text to text {task}, {extra} extra LSTM: test char accuracy",
                           test))),
        # The headline: the same model's mean over `spread_seeds` seeds (one run says
        # little of a model that learns in a sudden jump).
        *(SourceFigure(f"t2t_{task}_1_test_char_accuracy_seed_mean",
                       f"text to text {task}, 1 extra LSTM: test char accuracy, mean over "
                       f"seeds (ours; the source: one run)", ARITHMETIC_STACKING[(task, 1)][2],
                       True) for task in ("addsub", "mul")),
        # What a model that ignores its query scores (the source gives no such row).
        *(SourceFigure(f"chance_{task}_test_char_accuracy", f"chance {sign}: the commonest "
                       f"character per answer position, test char accuracy (not in the "
                       f"source)", None) for task, sign in (("addsub", "+/-"), ("mul", "×"))),
        SourceFigure("i2t_addsub_convlstm_test_char_accuracy",
                     "image to text +/-, ConvLSTM2D: test char accuracy (Table 2)", 0.30),
        SourceFigure("i2t_addsub_conv_test_char_accuracy",
                     "image to text +/-, TD Conv2D + LSTMs: test char accuracy (Table 3)",
                     0.89, True),
        SourceFigure("i2t_mul_conv_test_char_accuracy",
                     "image to text ×, TD Conv2D + LSTMs: test char accuracy (Table 5)", 0.88),
        SourceFigure("i2t_addsub_ours_test_char_accuracy",
                     "image to text +/-, read then compute: test char accuracy (beyond the "
                     "source; target 0.97)", None, True),
        SourceFigure("i2t_addsub_ours_test_answer_accuracy",
                     "image to text +/-, read then compute: whole answers right (beyond the "
                     "source)", None),
        SourceFigure("t2i_dense_encoder_params", "text to image: encoder LSTM parameters",
                     276_480),
        SourceFigure("t2i_dense_decoder_lstm_params", "text to image: decoder LSTM parameters",
                     525_312),
        SourceFigure("t2i_dense_hidden_params", "text to image: TD Dense(128) parameters",
                     32_896),
        SourceFigure("t2i_dense_output_params", "text to image: TD Dense(784) parameters",
                     101_136),
        # Its words (section 3.3): "around 40%" and "around 86% right from the first epoch".
        SourceFigure("t2i_addsub_conv_keras_accuracy", "text to image +/-, Conv2DTranspose "
                     "model: Keras 'accuracy' of tf.keras 2 (source: ~40%)", 0.40),
        SourceFigure("t2i_addsub_dense_keras_accuracy", "text to image +/-, TD-Dense model: "
                     "Keras 'accuracy' of tf.keras 2 (source: ~86%)", 0.86),
        SourceFigure("t2i_conv_lstm_params", "text to image, Conv2DTranspose model: "
                     "LSTM(1024) parameters", 4_251_648),
        SourceFigure("t2i_conv_decoder_params", "text to image, Conv2DTranspose model: "
                     "decoder parameters", 2_731_907),
        SourceFigure("t2i_addsub_regularized_readable_answers",
                     "text to image +/-, BN + Dropout: generated answers read correctly "
                     "(source: judged by eye)", None, True),
    ),
)


# Its rows' source numbers and settings live with the code that reads them
# (`kerasreports/sweeps.py`, `ARITHMETIC_SWEEPS`).
ARITHMETIC_SWEEPS_REPORT = Report(
    name="arithmetic_sweeps",
    key_figure="sweeps",
    title="The image-to-text sweeps of the arithmetic report (its Tables 2, 3 and 5), "
          "and its text-to-image epochs",
    source="001_2dfdf2f5b268abfe.txt",
    datasets=("mnist",),
    profiles={
        # Three rows (the batch-size pair of Table 5, one ConvLSTM) on 9x9 queries.
        "smoke": {"generated_data": True, "highest_integer": 9, "epoch_share": 0.01,
                  "rows": "table2:1;table5:10,11", "generator_epochs": 2,
                  "early_epochs": 1, "reader_epochs": 1},
        # Every row at the source's epochs, batch sizes and learning rates.
        "full": {"epoch_share": 1.0, "rows": "all", "generator_epochs": 200,
                 "reader_epochs": 10},
    },
    source_figures=(
        *(SourceFigure(*figure) for figure in sweeps.source_figures()),
        SourceFigure("t2i_early_query_spread", "text to image, TD-Dense after the early "
                     "epochs: spread of the answer images across queries (source: 'the same "
                     "pictures for any scenario' after 5 epochs)", None),
        SourceFigure("t2i_final_query_spread", "text to image, TD-Dense after every epoch: "
                     "spread of the answer images across queries (source: 'much more "
                     "consistent' after 200)", None),
        SourceFigure("t2i_final_readable_answers", "text to image, TD-Dense after every "
                     "epoch: generated answers read correctly (source: judged by eye)",
                     None, True),
        SourceFigure("t2i_extra_readable_answers", "text to image, TD-Dense with an extra "
                     "encoder LSTM: generated answers read correctly (source: 'no "
                     "significant improvement')", None),
    ),
)


SCRATCH_FRAMEWORK = Report(
    name="scratch_framework",
    key_figure="denoised_examples",
    title="A deep-learning framework without autograd, and Noise2Noise denoising with it",
    source="003_a8e62278c1bf901a.txt",
    datasets=("cifar10",),
    profiles={
        "smoke": {"generated_data": True, "train_images": 200, "val_images": 50,
                  "long_images": 300, "long_epochs": 1,
                  "search_epochs": 1, "learning_rates": "2,4", "width": 8,
                  "wide_width": 16, "overlay_images": 100, "overlay_epochs": 1,
                  "unet_epochs": 1, "unet_width": 8,
                  # Tracing costs ~3 s a model; op by op is quicker for these tiny ones.
                  "compiled": False},
        # The source's searches: 5,000 images, batch 100, 25 epochs per point.
        "full": {"train_images": 5000, "search_epochs": 25, "learning_rates": "0.5,1,2,4,8",
                 "val_images": 1000, "overlay_epochs": 5, "unet_epochs": 25,
                 "unet_width": 48, "long_images": 50000, "long_epochs": 25},
    },
    source_figures=(
        # Its searches are reported in words and in figures without numbers.
        SourceFigure("search_best_lr", "best SGD learning rate (source: 4 and 8 best, "
                     "chose 4)", 4.0, True, ""),
        SourceFigure("base_val_psnr", "source's model: validation PSNR, dB (the course's "
                     "bar was 23-24 dB on its own, unpublished data: not comparable)", None,
                     True),
        SourceFigure("noisy_input_val_psnr", "noisy validation input: PSNR, dB", None),
        SourceFigure("unet_val_psnr", "Keras U-Net: validation PSNR, dB (beyond the "
                     "source)", None, True),
        SourceFigure("overlay_max_relative_gap", "scratch vs Keras training loss, largest "
                     "relative gap (beyond the source)", None),
    ),
)

# The source's tables (seeds/002, Tables 1-7), one home for their numbers. Accuracies as
# fractions; seconds and GB are the source's "GPU time" and "GPU memory usage" on an RTX
# A6000 (LeNets 200 epochs on CIFAR-10, 100 on TinyImageNet; ResNets 200 epochs).
# model -> (train, validation, test or None, seconds, GB, parameters)
IMAGE_CLASSIFICATION_TABLES = {
    "cifar10": {  # Tables 1 and 3
        "lenet": (0.6960, 0.5896, 0.5898, 3181.56, 1.70, 62_006),
        "lenet_bn": (0.7577, 0.6042, 0.6077, 3142.94, 1.78, 62_458),
        "lenet_dropout": (0.4728, 0.4592, 0.4650, 3131.83, 1.70, 62_006),
        "lenet_bn_dropout": (0.5768, 0.5400, 0.5423, 3198.16, 1.78, 62_458),
        "lenet_l2": (0.7096, 0.5974, 0.5943, 3071.10, 1.70, 62_006),
        "super_lenet_wrong_init": (0.4749, 0.4322, 0.4447, 2425.49, 1.79, 62_458),
        "super_lenet": (0.7138, 0.6632, 0.6600, 1592.60, 1.79, 62_458),
        "resnet": (0.9858, 0.8878, 0.8610, 3299.12, 7.25, 21_286_346),
        "resnet_dropout": (0.9141, 0.8734, 0.8627, 13638.76, 7.32, 21_286_346),
        "super_resnet_wrong_init": (0.0969, 0.0978, 0.0983, 3091.24, 7.34, 21_286_346),
        "super_resnet": (0.9930, 0.9312, 0.9303, 13853.55, 7.34, 21_286_346),
    },
    "tiny_imagenet": {  # Tables 2 and 4 (no test split)
        "lenet": (0.0800, 0.0965, None, 4507.04, 1.76, 83_072),
        "lenet_bn": (0.1700, 0.0978, None, 4518.99, 1.79, 83_116),
        "lenet_dropout": (0.0401, 0.0490, None, 4504.29, 1.76, 83_072),
        "lenet_bn_dropout": (0.1012, 0.0542, None, 4531.46, 1.79, 83_116),
        "lenet_l2": (0.0813, 0.0962, None, 4505.04, 1.76, 83_072),
        "super_lenet_wrong_init": (0.1724, 0.0836, None, 3973.02, 1.79, 83_116),
        "super_lenet": (0.1182, 0.0589, None, 3966.93, 1.79, 83_116),
        "resnet": (0.7686, 0.3389, None, 3318.45, 2.32, 21_383_816),
        "resnet_dropout": (0.4598, 0.3566, None, 5299.38, 2.33, 21_383_816),
        "super_resnet_wrong_init": (0.0050, 0.0054, None, 1371.86, 2.39, 21_383_816),
        "super_resnet": (0.4535, 0.4011, None, 12715.88, 2.40, 21_383_816),
    },
}
# Tables 5 and 6: the loss before training.
IMAGE_CLASSIFICATION_INITIAL_LOSS = {
    "cifar10": {"super_lenet": 2.2972, "super_lenet_wrong_init": 18.4523,
                "super_resnet": 2.3045, "super_resnet_wrong_init": 40.1472},
    "tiny_imagenet": {"super_lenet": 5.321, "super_lenet_wrong_init": 36.066,
                      "super_resnet": 5.324, "super_resnet_wrong_init": 56.81},
}
# Table 7: SuperResNet on TinyImageNet, 100 epochs, per batch size:
# (train, validation, GB, seconds); batch 16,384 ran out of the A6000's ~46 GB.
IMAGE_CLASSIFICATION_BATCH_SIZES = {
    128: (0.3692, 0.3502, 2.03, 5549.40), 256: (0.4165, 0.3763, 2.48, 4380.53),
    512: (0.4255, 0.3779, 3.11, 3839.92), 1024: (0.4404, 0.3840, 4.50, 3980.64),
    2048: (0.4383, 0.3748, 7.20, 3984.07), 4096: (0.3957, 0.3506, 12.53, 4005.28),
    8192: (0.3492, 0.3211, 23.08, 4164.34),
}
_HEADLINES = {("cifar10", "super_lenet"), ("cifar10", "super_resnet"),
              ("tiny_imagenet", "super_resnet")}


def _image_classification_figures():
    for dataset, rows in IMAGE_CLASSIFICATION_TABLES.items():
        for model, (train, val, test, _seconds, _gb, params) in rows.items():
            prefix = f"{dataset}_{model}"
            yield SourceFigure(f"{prefix}_params", f"{dataset} {model}: trainable "
                               "parameters", params)
            yield SourceFigure(f"{prefix}_train_accuracy", f"{dataset} {model}: train "
                               "accuracy", train)
            yield SourceFigure(f"{prefix}_val_accuracy", f"{dataset} {model}: validation "
                               "accuracy", val, test is None and (dataset, model) in _HEADLINES)
            if test is not None:
                yield SourceFigure(f"{prefix}_test_accuracy", f"{dataset} {model}: test "
                                   "accuracy", test, (dataset, model) in _HEADLINES)
        for model, loss in IMAGE_CLASSIFICATION_INITIAL_LOSS[dataset].items():
            yield SourceFigure(f"{dataset}_{model}_initial_loss", f"{dataset} {model}: loss "
                               "before training", loss)


IMAGE_CLASSIFICATION = Report(
    name="image_classification",
    key_figure="lenet_curves",
    title="The LeNet family and ResNet34 on CIFAR-10 (and TinyImageNet), with the "
          "initialisation and batch-size studies",
    source="002_57527f665d668912.txt",
    datasets=("cifar10", "tiny_imagenet"),
    profiles={
        # Every fit of the smoke profile is at most 24 steps, so it runs eagerly
        # (`training.few_steps`): tracing a step costs more than a few steps of training.
        # It trains the rows its sentences compare (BN vs plain, each init pair); every
        # builder's layers and counts are tested without training (test_image_models.py).
        "smoke": {"generated_data": True, "train_images": 192, "val_images": 32,
                  "test_images": 32, "batch_size": 32, "hockey_steps": 6,
                  "lenet_models": "lenet,lenet_bn,super_lenet_wrong_init,super_lenet",
                  "lenet_epochs": 1, "resnet_models": "super_resnet_wrong_init,super_resnet",
                  "resnet_epochs": 1, "resnet_width": 4, "resnet_train_images": 32,
                  "resnet_eval_images": 32, "batch_sizes": "16,32",
                  "batch_study_images": 96, "batch_study_epochs": 1,
                  "spsa_evaluations": 20},
        # The source's settings: 200 epochs (LeNets, ResNets), 100 for the batch sizes.
        "full": {"lenet_epochs": 200, "resnet_epochs": 200, "resnet_width": 64,
                 "resnet_train_images": 0, "resnet_eval_images": 0,
                 "batch_study_model": "super_resnet", "batch_study_images": 0,
                 "batch_study_epochs": 100,
                 # As many loss evaluations as Adam takes steps in 200 LeNet epochs.
                 "spsa_evaluations": 70400},
    },
    source_figures=tuple(_image_classification_figures()),
)

# What the source printed of its language models (seeds/002 §6.8.5, §6.10.2): names
# sampled before and after training, and the two completions of "think about".
RNN_LANGUAGE_NAMES_BEFORE = ("SI,I,I,I,I,I,I,I,I,I", "AI,I,I,I,I,ZII,I,I,",
                             "C,I,II,I,I,I,II,I,I,I")
RNN_LANGUAGE_NAMES_AFTER = ("Sherter", "Panere", "Anter")
RNN_LANGUAGE_PROMPT = "think about"
RNN_LANGUAGE_COMPLETIONS = {
    "WordModel1": "think about his friends , though his father lives it , a male with the "
                  "friend , as the death of her own mother , is not a political . the "
                  "following",
    "WordModel2": "think about his own life .",
}

RNN_LANGUAGE = Report(
    name="rnn_language",
    key_figure="attention_gru_bahdanau",
    title="Names, Shakespeare, IMDB sentiment and French to English with SimpleRNN / LSTM "
          "/ GRU",
    source="002_57527f665d668912.txt",
    datasets=("names", "tiny_shakespeare", "imdb", "eng_fra"),
    profiles={
        # Generated files in the real formats; two models per task (the source's and one
        # other), fits of at most a few steps, run eagerly (`training.few_steps`).
        "smoke": {"generated_data": True, "names_models": "source,lstm", "names_epochs": 1,
                  "names_samples": 3, "word_models": "word_model1_lstm,word_model2",
                  "word_model2_units": 32, "words_epochs": 1, "words_train_sequences": 64,
                  "completion_steps": 5, "sentiment_models": "lstm,fasttext",
                  "sentiment_epochs": 1, "sentiment_train_reviews": 64,
                  "sentiment_eval_reviews": 32, "sentiment_max_length": 40,
                  "fasttext_epochs": 1, "translation_models": "gru,gru_bahdanau",
                  "translation_epochs": 1, "translation_train_pairs": 128},
        # The source's 13 IMDB epochs on all 40,000 reviews at 500 words, WordModel2 at
        # its width; the other epochs are ours (the source gives none): see the notebook.
        "full": {"names_epochs": 20, "words_epochs": 20, "words_train_sequences": 0,
                 "word_model2_units": 1024, "sentiment_epochs": 13,
                 "sentiment_train_reviews": 0, "sentiment_eval_reviews": 0,
                 "sentiment_max_length": 500, "fasttext_epochs": 10,
                 "translation_epochs": 30, "translation_train_pairs": 0},
    },
    source_figures=(
        SourceFigure("names_read", "names in the data file (ours: makemore's names.txt)",
                     50_000),
        SourceFigure("names_source_cell_59_params", "names: the source's cell, parameters (59 "
                     "characters + 128 hidden)", 46_248),
        SourceFigure("names_source_heldout_nll", "names: the source's cell, held-out NLL "
                     "per character (source: loss curve only)", None, True, "lower"),
        SourceFigure("words_vocab", "Shakespeare: vocabulary (the source's WordModel1: "
                     "21,949, another tokeniser and corpus)", 21_949),
        # PyTorch's count of each listing at its own vocabulary (WordModel1's has no
        # output layer): Embedding + LSTM (two biases a gate) [+ Linear].
        SourceFigure("words_word_model1_listing_params", "WordModel1 listing's parameters "
                     "(Embedding(21949, 256), LSTM(256, 256, 3))", 7_197_952),
        SourceFigure("words_word_model2_listing_params", "WordModel2 listing's parameters "
                     "(Embedding(29473, 1024), LSTM(1024, 1024, 2), Linear(1024, 29473))",
                     77_183_777),
        SourceFigure("words_word_model1_lstm_perplexity", "WordModel1: held-out perplexity "
                     "(source: loss curve only)", None, True, "lower"),
        SourceFigure("imdb_train_reviews", "IMDB training reviews", 40_000),
        SourceFigure("imdb_val_reviews", "IMDB validation reviews", 10_000),
        SourceFigure("imdb_lstm_pytorch_params", "SentimentRNN parameters, PyTorch's "
                     "count (from its listing)", 920_385),
        SourceFigure("imdb_lstm_val_accuracy", "SentimentRNN validation accuracy (Table 8)",
                     0.862, True),
        SourceFigure("imdb_lstm_test_accuracy", "SentimentRNN test accuracy (Table 8; its "
                     "test reviews were not held out: see the notebook)", 0.891125, True),
        SourceFigure("imdb_fasttext_official_test_accuracy", "fastText, official split: "
                     "held-out test accuracy (beyond the source; target 0.90)", None, True),
        SourceFigure("fra_pairs_read", "eng-fra pairs read", 135_842),
        SourceFigure("fra_pairs", "French -> English pairs kept", 10_599),
        SourceFigure("fra_french_words", "French vocabulary (with SOS, EOS)", 4_345),
        SourceFigure("fra_english_words", "English vocabulary (with SOS, EOS)", 2_803),
        SourceFigure("fra_gru_bleu", "GRU encoder-decoder: held-out BLEU (source: six "
                     "samples only)", None, True),
        SourceFigure("fra_gru_bahdanau_bleu", "GRU + Bahdanau attention: held-out BLEU "
                     "(beyond the source)", None, True),
    ),
)

REPORTS: dict[str, Report] = {
    r.name: r for r in (MNIST_DAE, TRANSLATION, DIRTY_DOCUMENTS, ARITHMETIC,
                        ARITHMETIC_SWEEPS_REPORT, SCRATCH_FRAMEWORK, IMAGE_CLASSIFICATION,
                        RNN_LANGUAGE)}


def get(name: str) -> Report:
    try:
        return REPORTS[name]
    except KeyError:
        raise UnknownNameError(
            f"unknown report {name!r}; the catalogue has: {', '.join(REPORTS)}"
        ) from None
