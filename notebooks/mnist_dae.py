# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
seed: int = 0  # [0..4294967295] seeds Python, NumPy and Keras: the same seed gives the same numbers
dataset: str = "fashion_mnist"  # [one of fashion_mnist, mnist] the source's numbers are Fashion-MNIST's
data_dir: str = ""  # data root holding fashion-mnist/ or mnist/; "" searches $KERASREPORTS_DATA, ./data, the Keras cache
generated_data: bool = False  # generate stand-in IDX files instead of reading the real ones (smoke profile)
train_limit: int = 0  # [0 or 10..60000] use only the first N training images (at least 10: the DAE validates on a tenth); 0 uses all 60,000
test_limit: int = 0  # [0 or 10..10000] use only the first N test images (at least the 10 shown); 0 uses all 10,000
noise_factor: float = 0.1  # [0..1] training noise: clip(x + noise_factor * N(0, 1), 0, 1), as the source
uniform_noise: str = "clipped_positive"  # [one of clipped_centred, centred, clipped_positive, positive, salt_and_pepper, random_impulse] the reading of the source's "uniform noise of intensity P" for the grids and losses: x + P*U(0, 1), clipped, fits its printed losses best (a table scores all six)
dropout_rate: float = 0.2  # [0..0.9] the DAE's dropout; the source does not give it
dae_epochs: int = 10  # [1..1000] the source trained 100
dae_batch_size: int = 256  # [1..65536] the source: 256
probe_epochs: int = 20  # [1..1000] the source trained 100
probe_batch_size: int = 128  # [1..65536] the source: 128
profile: str = "quick"  # [one of smoke, quick, full] recorded with the results
output_dir: str = ""  # where the report is written; "" writes outputs/mnist_dae/ in the working directory (in Jupyter, beside the notebook)

# %% [markdown]
# # Dense denoising autoencoder and an encoder probe
#
# **Source:** Shervin Halat, *Neural Networks, Homework 5* (`seeds/004_*`). The source
# trains a dense denoising autoencoder (DAE) on Gaussian-noised 28×28 images, shows how
# it cleans images spoiled by *uniform* noise of growing strength P, and then asks whether
# its 196-number bottleneck codes are good features: a small classifier trained on the
# codes is compared with the same classifier trained on the raw 784 pixels.
#
# **Which data set?** The source never names its data set: only 28×28 grey images in 10
# classes. The probe accuracies it prints (0.8752 on codes, 0.8764 on pixels) are
# Fashion-MNIST's: the same classifier on MNIST digits scores about 0.97. We therefore
# default to `fashion_mnist`; `dataset="mnist"` runs the same notebook on the digits.
#
# Run under `kerasreports run mnist_dae --profile smoke|quick|full`, or top to bottom here.

# %%
# In Colab (or any environment without the package), install it first.
try:
    import kerasreports  # noqa: F401
except ImportError:
    import subprocess
    import sys

    # The project's own repository, pinned to the release tag of the package version
    # this notebook belongs to (pyproject.toml's version, with a "v").
    PACKAGE = "kerasreports @ git+https://github.com/kerasreports/kerasreports@v0.1.0"
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", PACKAGE])

# %%
import numpy as np
import keras

from kerasreports import catalog, metrics, plots, record, resume
from kerasreports.datasets import mnist, noise
from kerasreports.models import autoencoders

rec = record.start("mnist_dae", globals())

# %% [markdown]
# ## Data
#
# The four original IDX files, sha256-checked against the published release. The smoke
# profile writes generated images in the same IDX format and reads them through the same
# parser. Pixels are scaled to [0, 1] and flattened to 784 values, as in the source.
#
# The source does not say what it validated the DAE on; we hold out a seeded 10% of the
# training images for the DAE's validation curve and keep the test split for every number
# reported below.

# %%
data = mnist.dae_data(dataset, data_dir=data_dir, generated=generated_data,
                      train_limit=train_limit, test_limit=test_limit,
                      noise_factor=noise_factor, seed=seed)
x_train, y_train, x_test, y_test = data.x_train, data.y_train, data.x_test, data.y_test
rng = data.rng  # the split's and the training noise's generator: the test noise comes next
print(data.description)

# %% [markdown]
# ## The denoising autoencoder
#
# Exactly the source's layers and names (its `model.summary()` is in section 2 of the
# source). Where the source is silent (dropout rate, LeakyReLU slope, which "normal"
# initialiser) `kerasreports.models.autoencoders` states the choice made.

# %%
dae = autoencoders.dense_dae(dropout_rate=dropout_rate)
dae.summary()
dae_counts = autoencoders.parameter_counts(dae)
rec.metric("dae_params_total", dae_counts["total"])
rec.metric("dae_params_trainable", dae_counts["trainable"])
rec.metric("dae_params_non_trainable", dae_counts["non_trainable"])
dae_counts

# %% [markdown]
# Training inputs are the clean images plus Gaussian noise, clipped to [0, 1]:
# `clip(x + 0.1·N(0, 1), 0, 1)`, drawn once as in the source; the target is the clean
# image. Loss: mean squared error (the "reconstruction loss").

# %%
# The source plots the DAE's `epoch_accuracy`: tf.keras 2 resolves metrics=["accuracy"]
# for a 784-wide output under MSE to categorical accuracy, i.e. whether the brightest
# pixel of the reconstruction is the clean image's brightest. A metric only: it does not
# change the training.
dae.compile(optimizer="adam", loss="mse",
            metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")])
dae_history = resume.fit(
    dae, data.x_noisy_train[data.train_idx], x_train[data.train_idx],
    validation_data=(data.x_noisy_train[data.val_idx], x_train[data.val_idx]),
    epochs=dae_epochs, batch_size=dae_batch_size, verbose=2,
).history
rec.metric("dae_final_train_loss", dae_history["loss"][-1])
rec.metric("dae_final_val_loss", dae_history["val_loss"][-1])
rec.figure(plots.learning_curves({"DAE": dae_history}, "loss", ylabel="MSE", logy=True,
                                 title="DAE reconstruction loss (Gaussian noise 0.1)"),
           "dae_loss", "DAE training and validation loss per epoch")
rec.metric("dae_final_val_accuracy", dae_history["val_accuracy"][-1])
rec.figure(plots.learning_curves({"DAE": dae_history}, "accuracy",
                                 ylabel="categorical accuracy (brightest pixel agrees)",
                                 title="DAE accuracy per epoch, as tf.keras 2 computes it"),
           "dae_accuracy", "DAE training and validation 'accuracy' per epoch (the source's "
           "epoch_accuracy plot)")

# %% [markdown]
# ## Denoising uniform noise
#
# The DAE never saw uniform noise. The source adds noise of "intensity P" without a
# formula; the `uniform_noise` parameter chooses the reading (the next section scores all
# six on the trained DAE and says which fits the source). For each P the grid shows the same ten
# test images clean, noisy and denoised, with each image's reconstruction loss (MSE
# against the clean image) above it, as in the source. The curve below averages the loss
# over the whole test split, next to the MSE of the noisy input itself: the gap is what
# the DAE removes.

# %%
noise_levels = (0.05, 0.1, 0.2, 0.3, 0.4)
source_sample_losses = catalog.MNIST_DAE_SAMPLE_LOSSES  # the ten it printed per P
shown = rng.choice(len(x_test), size=10, replace=False)
mean_denoised, mean_noisy, rows = [], [], []
for p in noise_levels:
    x_noisy = noise.uniform_noise(uniform_noise, x_test, p, rng)
    x_denoised = dae.predict(x_noisy, batch_size=1024, verbose=0)
    loss = metrics.per_image_mse(x_test, x_denoised)
    noisy_loss = metrics.per_image_mse(x_test, x_noisy)
    mean_denoised.append(float(loss.mean()))
    mean_noisy.append(float(noisy_loss.mean()))
    rec.metric(f"test_loss_mean_p{p}", loss.mean())
    rec.metric(f"sample_loss_mean_p{p}", loss[shown].mean())
    rows.append({"P": p, "noisy input MSE": noisy_loss.mean(), "denoised MSE": loss.mean(),
                 "10 shown, mean": loss[shown].mean(), "10 shown, min": loss[shown].min(),
                 "10 shown, max": loss[shown].max(),
                 "source's 10, min–max": (f"{min(source_sample_losses[p]):.4f}–"
                                          f"{max(source_sample_losses[p]):.4f}"
                                          if p in source_sample_losses else "not printed")})
    rec.figure(plots.denoising_grid(x_test[shown], x_noisy[shown], x_denoised[shown],
                                    loss[shown], title=f"uniform noise, P = {p}"),
               f"denoising_p{p}", f"Clean / noisy / denoised test images, P = {p}")
rec.table(f"Reconstruction loss under uniform noise ({uniform_noise}; test split). The ten "
          "shown are ten random test images: their mean is a small sample, not the split's",
          rows)

# %%
rec.figure(
    plots.metric_vs_parameter(
        noise_levels, {"denoised (DAE output)": mean_denoised, "noisy input": mean_noisy},
        points={"source: mean of its 10 printed losses": (
            list(source_sample_losses), [np.mean(v) for v in source_sample_losses.values()])},
        xlabel="uniform noise intensity P", ylabel="mean reconstruction MSE",
        title="Reconstruction loss vs noise intensity (test split)"),
    "loss_vs_p", "Mean reconstruction loss over the test split vs P")

# %% [markdown]
# ## Which uniform noise did the source use?
#
# Its printed per-image losses grow with P much faster than ours under
# `clip(x + P·U(-1, 1), 0, 1)`. The same trained DAE (no retraining) is scored on the whole
# test split under six readings of "uniform noise of intensity P"; the fit is the root mean
# square of log(ours / source) at the three P it printed (its ten-image means: the closest
# it gives to a test mean).

# %%
source_means = {p: float(np.mean(v)) for p, v in source_sample_losses.items()}
candidate_losses, fits, fit_rows = {}, {}, []
for index, (kind, formula) in enumerate(noise.UNIFORM_NOISE.items()):
    kind_rng = np.random.default_rng([seed, 4, index])  # apart from the report's own draws
    losses = [float(metrics.per_image_mse(x_test, dae.predict(
        noise.uniform_noise(kind, x_test, p, kind_rng), batch_size=1024, verbose=0)).mean())
        for p in noise_levels]
    candidate_losses[kind] = losses
    fits[kind] = float(np.sqrt(np.mean([np.log(losses[noise_levels.index(p)] / m) ** 2
                                        for p, m in source_means.items()])))
    rec.metric(f"noise_{kind}_fit_rms_log_ratio", fits[kind])
    for p, loss in zip(noise_levels, losses):
        rec.metric(f"noise_{kind}_test_loss_mean_p{p}", loss)
    fit_rows.append({"noise": kind, "definition": formula,
                     **{f"P={p}": loss for p, loss in zip(noise_levels, losses)},
                     "fit (RMS log ratio)": fits[kind]})
fit_rows.append({"noise": "source", "definition": "mean of its 10 printed losses",
                 **{f"P={p}": source_means.get(p) for p in noise_levels},
                 "fit (RMS log ratio)": None})
best_noise = min(fits, key=fits.get)
rec.metric("noise_best_fit", best_noise)
rec.table("Test-split mean reconstruction loss of the trained DAE under each reading of the "
          "source's uniform noise", fit_rows)
rec.note(f"Uniform noise: the reading that best fits the source's printed losses is "
         f"{best_noise} ({noise.UNIFORM_NOISE[best_noise]}), RMS log ratio "
         f"{fits[best_noise]:.2f} (a factor of {np.exp(fits[best_noise]):.2f}); the grids "
         f"and losses above use {uniform_noise}"
         + (" (the best fit)." if uniform_noise == best_noise else
            f", whose fit is {fits[uniform_noise]:.2f}."))

# %%
rec.figure(
    plots.metric_vs_parameter(
        noise_levels, candidate_losses,
        points={"source: mean of its 10 printed losses": (list(source_means),
                                                          list(source_means.values()))},
        xlabel="noise intensity P", ylabel="test-split mean reconstruction MSE",
        title="The trained DAE under six readings of 'uniform noise of intensity P'"),
    "noise_readings", "Test-split mean loss vs P under each reading of the source's noise, "
    "with the source's points")

# %% [markdown]
# ## Probing the codes
#
# Drop the decoder: the encoder maps each clean image to its 196-number bottleneck code.
# The source's classifier (15,146 parameters on codes) is trained on the training
# images' codes and, as the baseline, the same classifier on the raw 784 pixels; Adam,
# categorical cross-entropy, batch 128, validation split 2/9 as in the source. Both are
# scored once, on the test split.

# %%
encoder = autoencoders.encoder_of(dae)
codes_train = encoder.predict(x_train, batch_size=1024, verbose=0)
codes_test = encoder.predict(x_test, batch_size=1024, verbose=0)
num_classes = len(data.class_names)
probe_histories, probe_rows = {}, []
for features, (f_train, f_test) in {"codes": (codes_train, codes_test),
                                    "raw": (x_train, x_test)}.items():
    probe = autoencoders.probe_classifier(input_dim=f_train.shape[1], num_classes=num_classes)
    probe.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    print(f"probe on {features} ({probe.count_params():,} parameters)")
    history = resume.fit(probe, f_train, keras.utils.to_categorical(y_train, num_classes),
                         validation_split=2 / 9, epochs=probe_epochs,
                         batch_size=probe_batch_size, verbose=2).history
    test_accuracy = metrics.accuracy(y_test, probe.predict(f_test, verbose=0))
    probe_histories[f"on {features}"] = history
    rec.metric(f"probe_{features}_test_accuracy", test_accuracy)
    rec.metric(f"probe_{features}_val_accuracy", history["val_accuracy"][-1])
    # Keras' training accuracy of the last epoch (dropout on), as the source's log shows it
    rec.metric(f"probe_{features}_train_accuracy", history["accuracy"][-1])
    test_loss = float(keras.ops.mean(keras.losses.categorical_crossentropy(
        keras.utils.to_categorical(y_test, num_classes), probe.predict(f_test, verbose=0))))
    rec.metric(f"probe_{features}_test_loss", test_loss)
    probe_rows.append({"features": features, "input dim": f_train.shape[1],
                       "parameters": probe.count_params(),
                       "validation accuracy (last epoch)": history["val_accuracy"][-1],
                       "test accuracy": test_accuracy})
    if features == "codes":
        rec.metric("probe_params", probe.count_params())
rec.figure(plots.learning_curves(probe_histories, "accuracy", ylabel="accuracy",
                                 title="Probe accuracy: codes vs raw pixels"),
           "probe_accuracy", "Probe training and validation accuracy per epoch")
rec.table("Probe classifier", probe_rows)

# %% [markdown]
# ## Source vs regenerated
#
# Parameter counts must match exactly. Accuracies and losses depend on the epochs run
# (the `full` profile uses the source's 100) and on the random draw. For the losses under
# uniform noise the source printed only ten images per P (unknown ones), so its rows hold
# the mean of its ten beside our mean over the whole test split: the closest comparison
# its numbers allow (our own ten shown are a sample of the same kind, in the table above).

# %%
gap = rec.metrics["probe_codes_test_accuracy"] - rec.metrics["probe_raw_test_accuracy"]
source_gap = (rec.source("probe_codes_test_accuracy")
              - rec.source("probe_raw_test_accuracy"))
# "On par" as the source found: within one point of test accuracy.
rec.claim("the probe on the 196-d codes is within 0.01 test accuracy of raw pixels",
          abs(gap) < 0.01,
          f"Probe on 196-d codes vs raw 784-d pixels: test accuracy "
          f"{rec.metrics['probe_codes_test_accuracy']:.4f} vs "
          f"{rec.metrics['probe_raw_test_accuracy']:.4f}, {gap:+.4f} "
          f"(source: {source_gap:+.4f}): {'on par' if abs(gap) < 0.01 else 'not on par'} "
          f"(within 0.01).", source_holds=abs(source_gap) < 0.01,
          evidence={"metrics": ["probe_codes_test_accuracy", "probe_raw_test_accuracy"],
                    "relation": "within", "tolerance": 0.01})
helped = [p for p, d, n in zip(noise_levels, mean_denoised, mean_noisy) if d < n]
rec.note("The DAE's output is closer to the clean image than its noisy input "
         + (f"from P = {helped[0]} on" if helped else "at none of the P tried")
         + f"; below that its own reconstruction error ({mean_denoised[0]:.4f} at "
         f"P = {noise_levels[0]}) outweighs the noise ({mean_noisy[0]:.4f}).")
rec.note(f"Uniform noise here: {noise.UNIFORM_NOISE[uniform_noise]} ({uniform_noise}); the "
         f"source gives no formula (see the table of six readings).")
# The source's closing sentence against its own evaluate lines (its section 6).
codes_source, raw_source = (rec.source("probe_codes_test_accuracy"),
                            rec.source("probe_raw_test_accuracy"))
rec.note(f"The source closes with 'codes 89 percent as against raw 87 percent', but its own "
         f"evaluate lines give {codes_source:.4f} (codes) and {raw_source:.4f} (raw): raw "
         f"pixels ahead by {raw_source - codes_source:.4f}, and its printed 0.89 / 0.87 do "
         f"not round from them. Here: codes {rec.metrics['probe_codes_test_accuracy']:.4f}, "
         f"raw {rec.metrics['probe_raw_test_accuracy']:.4f}.")
rec.note("The DAE's validation curve uses a seeded 10% of the training images; every "
         "reported loss and accuracy is on the test split.")
rec.finish()

# %% [markdown]
# ## Hyperparameter search
#
# `kerasreports tune mnist_dae` runs a KerasTuner search over this report's builder
# (`kerasreports/tuning/spaces.py` holds the search space); its latest summary, when one has
# been made, is shown here.

# %%
rec.search_summary()
