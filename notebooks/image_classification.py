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
data_dir: str = ""  # data root holding cifar-10/ or tiny-imagenet-200/; "" searches $KERASREPORTS_DATA, ./data, the Keras cache
generated_data: bool = False  # generate a stand-in in the real on-disk format instead of reading the real files (smoke profile)
dataset: str = "cifar10"  # [one of cifar10, tiny_imagenet] CIFAR-10 (Tables 1, 3, 5) or TinyImageNet (Tables 2, 4, 6)
train_images: int = 0  # [0 or 100..100000] training images of the LeNets; 0 uses all (CIFAR-10: 45,000, TinyImageNet: 100,000)
val_images: int = 0  # [0 or 10..10000] validation images; 0 uses all (CIFAR-10: 5,000, TinyImageNet: 10,000)
test_images: int = 0  # [0 or 10..10000] CIFAR-10 test images; 0 uses all (TinyImageNet has no labelled test split: ignored)
batch_size: int = 128  # [1..16384] training batch of every table but the batch-size study (the source does not give it)
learning_rate: float = 0.001  # [0.00001..1] Adam's learning rate (the source: Adam, rate not given; PyTorch's default)
lenet_models: str = "lenet,lenet_bn,lenet_dropout,lenet_bn_dropout,lenet_l2,super_lenet_wrong_init,super_lenet"  # comma-separated, Table 1's rows
lenet_epochs: int = 3  # [1..1000] epochs of each LeNet (the source: 200 on CIFAR-10, 100 on TinyImageNet)
resnet_models: str = "resnet,resnet_dropout,super_resnet_wrong_init,super_resnet"  # comma-separated, Table 3's rows; "" skips the ResNets
resnet_epochs: int = 2  # [1..1000] epochs of each ResNet34 (the source: 200)
resnet_width: int = 8  # [4..64, multiple of 4] channels of the ResNet34's first stage, doubled per stage (the source: 64)
resnet_train_images: int = 1000  # [0 or 32..100000] training images of the ResNets; 0: as train_images
resnet_eval_images: int = 500  # [0 or 16..10000] validation and test images the ResNets are scored on; 0: all of them
hockey_steps: int = 200  # [2..100000] first training steps drawn in the hockey-stick figure
batch_sizes: str = "128,256,512,1024,2048,4096,8192"  # the batch-size study's sizes, comma-separated (Table 7's)
batch_study_model: str = "super_lenet"  # [one of super_lenet, super_resnet] model of the batch-size study (the source: SuperResNet)
batch_study_epochs: int = 2  # [1..1000] epochs per batch size (the source: 100)
batch_study_images: int = 10000  # [0 or 32..100000] training images of the batch-size study; 0: as its model's (train_images or resnet_train_images)
spsa_evaluations: int = 1000  # [0 or 20..1000000] loss evaluations given to SPSA and to Adam on LeNet; 0 skips the comparison
profile: str = "quick"  # [one of smoke, quick, full] recorded with the results
output_dir: str = ""  # where the report is written; "" writes outputs/image_classification/ in the working directory (in Jupyter, beside the notebook)

# %% [markdown]
# # The LeNet family and ResNet34 on CIFAR-10, with the initialisation and batch-size studies
#
# **Source:** C. Ravuru, *RnD Project Report* (January 2023; `seeds/002_*`, chapters 1-4),
# PyTorch on an NVIDIA RTX A6000. It trains seven LeNet variants (batch normalisation,
# dropout, L2 weight decay, and a "SuperLeNet" that combines LeakyReLU, BN, dropout and
# Kaiming initialisation) and four ResNet34 variants on CIFAR-10 and TinyImageNet, then
# studies how the initial weights and the batch size change training.
#
# **Here:** the same models as Keras builders (`kerasreports.models.image_classification`,
# the source's layer listings and parameter counts, tested), the source's split of
# CIFAR-10 (45,000 / 5,000 / 10,000), every table regenerated with time and peak memory
# measured by this notebook, and the source's second learning algorithm, SPSA, against
# Adam. `-p dataset tiny_imagenet` runs the same notebook on TinyImageNet (Tables 2, 4, 6)
# when its files are present.
#
# Run under `kerasreports run image_classification --profile smoke|quick|full`, or top to
# bottom here. The `quick` profile (this cell) is a preview sized for a 2-core CPU: 3
# LeNet epochs on all 45,000 training images; ResNet34 at an eighth of its width (8
# channels in its first stage) on 1,000 images for 2 epochs, scored on 500; the
# batch-size study on SuperLeNet, 10,000 images, 2 epochs per size; SPSA and Adam with
# 1,000 loss evaluations each. `full` is the source's settings, for a GPU.

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
import math

import keras
from IPython.display import display

from kerasreports import catalog, parameters, plots, record, resources, resume, spsa, training
from kerasreports.datasets import classification
from kerasreports.models import image_classification as models

rec = record.start("image_classification", globals())
rec.compare_only(f"{dataset}_")  # the source's tables for the data set this run reads


lenets = parameters.choices(lenet_models, models.LENETS, "lenet_models")
resnets = parameters.choices(resnet_models, models.RESNETS, "resnet_models")
study_sizes = [int(v) for v in batch_sizes.split(",") if v.strip()]
if not study_sizes:
    raise ValueError(f"batch_sizes must list at least one batch size, got {batch_sizes!r}")

# %% [markdown]
# ## Data
#
# CIFAR-10 split as the source: the 50,000 official training images in an order drawn
# from `seed`, the first 45,000 for training and the last 5,000 for validation, and the
# 10,000 official test images. Images stay 0-255 integers; each model normalises them per
# channel itself. TinyImageNet: its 100,000 training and 10,000 validation images (the
# source used no test split there).

# %%
data = classification.report_data(dataset, data_dir=data_dir, generated=generated_data,
                                  n_train=train_images, n_val=val_images,
                                  n_test=test_images, seed=seed)
print(data.description)
classes = len(data.class_names)
has_test = data.x_test is not None and len(data.x_test) > 0
source_rows = catalog.IMAGE_CLASSIFICATION_TABLES[dataset]
source_initial = catalog.IMAGE_CLASSIFICATION_INITIAL_LOSS[dataset]


def subset(x, n):
    return x if x is None or not n else x[:n]


resnet_data = dict(x_train=subset(data.x_train, resnet_train_images),
                   y_train=subset(data.y_train, resnet_train_images),
                   x_val=subset(data.x_val, resnet_eval_images),
                   y_val=subset(data.y_val, resnet_eval_images),
                   x_test=subset(data.x_test, resnet_eval_images),
                   y_test=subset(data.y_test, resnet_eval_images))
lenet_data = dict(x_train=data.x_train, y_train=data.y_train, x_val=data.x_val,
                  y_val=data.y_val, x_test=data.x_test, y_test=data.y_test)
study_data = resnet_data if batch_study_model == "super_resnet" else lenet_data
study_data = study_data | {key: subset(study_data[key], batch_study_images)
                           for key in ("x_train", "y_train")}
# Refuse impossible batch sizes before anything trains.
for label, size, n in [("batch_size", batch_size, len(data.x_train)),
                       *((f"batch_sizes ({s})", s, len(study_data["x_train"]))
                         for s in study_sizes)]:
    if not 0 < size <= n:
        raise ValueError(f"{label} must be from 1 to the {n:,} training images it batches, "
                         f"got {size}")

# %% [markdown]
# ## Training, the same way for every model
#
# Adam (the source's optimiser) at `learning_rate`, cross-entropy on the logits, the
# same seed for every model. Each row's time and peak memory are measured here around
# `fit` (`kerasreports.resources`: the accelerator's peak when there is one, else the
# process's peak resident memory, data included). The train accuracy is the last epoch's
# running accuracy in training mode, as a PyTorch loop reports it; validation and test
# are scored in inference mode. Nothing is chosen on the test split.

# %%
LOSS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
results = {}  # model label -> row numbers, history, step losses


def train(name, *, epochs, x_train, y_train, x_val, y_val, x_test, y_test,
          batch=batch_size, label=None, source_params=None, **options):
    """Train one model and record its row; `source_params`: the parameter count to set
    beside the source's when the model trained is narrower than the source's."""
    label = label or name
    keras.utils.set_random_seed(seed)
    model = models.build(name, classes=classes, input_shape=data.x_train.shape[1:],
                         seed=seed, **options)
    steps = math.ceil(len(x_train) / batch)
    # Keras' "loss" adds the L2 penalty of the weight-decay models; PyTorch's weight decay
    # lives in the optimiser and its reported loss is the bare cross-entropy, which is
    # what the curves, the hockey stick and the loss before training show here.
    cross_entropy = keras.metrics.SparseCategoricalCrossentropy(from_logits=True,
                                                                name="cross_entropy")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=LOSS,
                  metrics=["accuracy", cross_entropy],
                  run_eagerly=training.few_steps(steps * epochs))
    step_losses = training.StepLosses(max(1, hockey_steps), key="cross_entropy")
    print(f"{label}: {models.trainable_count(model):,} trainable parameters, "
          f"{len(x_train):,} images, batch {batch}, {epochs} epochs", flush=True)
    timer = training.EpochTimer()  # counts on over a resumed fit's earlier epochs
    with resources.measure() as usage:
        history = resume.fit(model, x_train, y_train, batch_size=batch, epochs=epochs,
                             validation_data=(x_val, y_val), callbacks=[step_losses, timer],
                             verbose=2).history
    # The loss before training is the first step's: computed on the first batch in
    # training mode (batch statistics in BatchNorm, dropout on) before the first update,
    # as a PyTorch loop logs its iteration 0 (seeds/002 Tables 5-6).
    initial = step_losses.losses[0]
    row = {"train": history["accuracy"][-1], "val": history["val_accuracy"][-1],
           "test": None, "seconds": timer.seconds[-1], "peak_gb": usage.peak_gb,
           "memory_kind": usage.memory_kind, "params": models.trainable_count(model),
           "initial_loss": initial, "history": history, "step_losses": step_losses.losses,
           "epochs": epochs, "images": len(x_train)}
    if x_test is not None and len(x_test):
        row["test"] = model.evaluate(x_test, y_test, batch_size=256, verbose=0,
                                     return_dict=True)["accuracy"]
    results[label] = row
    metric_names = {"train": "train_accuracy", "val": "val_accuracy",
                    "test": "test_accuracy", "initial_loss": "initial_loss",
                    "seconds": "seconds", "peak_gb": "peak_gb"}
    prefix = f"{dataset}_{label.replace(' ', '_')}"
    for key, metric in metric_names.items():
        if row[key] is not None:
            rec.metric(f"{prefix}_{metric}", row[key])
    rec.metric(f"{prefix}_params", source_params or row["params"])
    if source_params:
        rec.metric(f"{prefix}_trained_params", row["params"])
    return model


def table_rows(labels):
    rows = []
    for label in labels:
        ours, theirs = results[label], source_rows.get(label)
        row = {"model": models.SOURCE_NAMES.get(label, label),
               "train acc": ours["train"], "val acc": ours["val"]}
        if has_test:
            row["test acc"] = ours["test"]
        row |= {"time (s)": ours["seconds"],
                f"peak memory (GB, {ours['memory_kind'] or 'n/a'})": ours["peak_gb"],
                "parameters": ours["params"], "epochs": ours["epochs"],
                "images": ours["images"]}
        if theirs:
            train, val, test, seconds, gb, _ = theirs
            row |= {"source train": train, "source val": val}
            if has_test:
                row["source test"] = test
            row |= {"source GPU time (s)": seconds, "source GPU memory (GB)": gb}
        rows.append(row)
    return rows


# %% [markdown]
# ## The LeNet family (the source's Table 1 / Table 2, Figs. 8-14 / 15-21)
#
# Seven variants of the same small network (tanh, average pooling, 5×5 convolutions
# 3→6→16, fully connected 400→120→84→classes; on TinyImageNet the source's 83,072-parameter
# LeNet has no hidden fully connected layers): batch normalisation after every tanh,
# dropout (0.2 on the input, 0.5 after activations), L2 weight decay, both, and the
# SuperLeNet with Kaiming and with deliberately wrong initial weights.

# %%
for name in lenets:
    train(name, epochs=lenet_epochs, **lenet_data)
if lenets:
    display(rec.table(f"LeNet family on {dataset} (source: Table "
                      f"{'1' if dataset == 'cifar10' else '2'})", table_rows(lenets)))
    rec.figure(plots.accuracy_and_loss({label: results[label]["history"] for label in lenets},
                                       title=f"LeNet family on {dataset}",
                                       loss="cross_entropy"),
               "lenet_curves", "Accuracy and loss per epoch of each LeNet variant "
               "(the source's Figs. 8-14, one panel for all)")

# %% [markdown]
# ## ResNet34 (Table 3 / Table 4, Figs. 22-29)
#
# The CIFAR-style ResNet34 whose parameter count is the source's (21,286,346 for 10
# classes: a 3×3 stem without max-pool, and a projection shortcut on the first block of
# every stage; see the builder's docstring), without dropout, with spatial dropout, and
# the "SuperResNet" (Kaiming initialisation, spatial dropout, L2 0.01, random flip, crop
# and colour jitter) with Kaiming and with wrong initial weights. `resnet_width` below 64
# trains a narrower network of the same depth (quick: 8); the source-width count is
# recorded either way.

# %%
source_width_params = models.trainable_count(
    models.build("resnet", classes=classes, input_shape=data.x_train.shape[1:]))
rec.metric(f"{dataset}_resnet_source_width_params", source_width_params)
for name in resnets:
    train(name, epochs=resnet_epochs, width=resnet_width, **resnet_data,
          source_params=source_width_params if resnet_width != 64 else None)
if resnets:
    display(rec.table(f"ResNet34 family on {dataset}, first-stage width {resnet_width} "
                      f"(source: Table {'3' if dataset == 'cifar10' else '4'}, width 64)",
                      table_rows(resnets)))
    rec.figure(plots.accuracy_and_loss({label: results[label]["history"]
                                        for label in resnets},
                                       title=f"ResNet34 family on {dataset}",
                                       loss="cross_entropy"),
               "resnet_curves", "Accuracy and loss per epoch of each ResNet34 variant "
               "(the source's Figs. 22-25)")

# %% [markdown]
# ## Initialisation (Table 5 / Table 6, Figs. 30-37)
#
# A model that guesses every class with the same probability scores ln(classes) (2.303
# for 10 classes, 5.298 for 200): a well-initialised model starts near it. Large Gaussian
# weights and biases of 0.1 start far above it, and the first steps of training are spent
# coming down — the "hockey stick" of the loss curve.

# %%
pairs = [(good, bad) for good, bad in (("super_lenet", "super_lenet_wrong_init"),
                                      ("super_resnet", "super_resnet_wrong_init"))
         if good in results and bad in results]
init_rows = []
for good, bad in pairs:
    for label in (good, bad):
        ours = results[label]
        row = {"model": models.SOURCE_NAMES.get(label, label),
               "loss before training": ours["initial_loss"],
               "source": source_initial.get(label), "ln(classes)": math.log(classes),
               "train acc": ours["train"], "val acc": ours["val"]}
        if has_test:
            row["test acc"] = ours["test"]
        init_rows.append(row | {"time (s)": ours["seconds"]})
if init_rows:
    display(rec.table(f"Effect of initialisation on {dataset} (source: Table "
                      f"{'5' if dataset == 'cifar10' else '6'})", init_rows))
    rec.figure(plots.step_losses(
        {models.SOURCE_NAMES.get(label, label): results[label]["step_losses"]
         for pair in pairs for label in pair},
        title=f"The first {hockey_steps} training steps", reference=math.log(classes),
        reference_label=f"ln {classes}, a uniform guess"),
        "hockey_stick", "Training loss per step from the start, Kaiming vs wrong "
        "initialisation (the source's hockey-stick panels, Figs. 30-33)")

# %% [markdown]
# ## Batch size (Table 7, Fig. 38)
#
# The source trained SuperResNet on TinyImageNet for 100 epochs at batch sizes 128 to
# 8,192 and found 1,024 best, with train and validation accuracy drifting apart as the
# batch grows. Here the same sweep on `dataset` with `batch_study_model`, the same
# learning rate at every size (as the source), `batch_study_epochs` epochs each.

# %%
study = []
for size in study_sizes:
    label = f"{batch_study_model} batch {size}"
    options = {"width": resnet_width} if batch_study_model == "super_resnet" else {}
    train(batch_study_model, epochs=batch_study_epochs, batch=size, label=label,
          **options, **study_data)
    study.append((size, results[label]))
source_study = catalog.IMAGE_CLASSIFICATION_BATCH_SIZES
display(rec.table(f"Batch size: {batch_study_model} on {dataset}, {batch_study_epochs} "
                  "epochs (source: SuperResNet on TinyImageNet, 100 epochs)", [
    {"batch size": size, "train acc": r["train"], "val acc": r["val"],
     "time (s)": r["seconds"], f"peak memory (GB, {r['memory_kind'] or 'n/a'})": r["peak_gb"],
     "source train": source_study.get(size, (None,) * 4)[0],
     "source val": source_study.get(size, (None,) * 4)[1],
     "source GPU memory (GB)": source_study.get(size, (None,) * 4)[2],
     "source GPU time (s)": source_study.get(size, (None,) * 4)[3]} for size, r in study]))
rec.figure(plots.batch_size_study(
    [size for size, _ in study],
    {"train (ours)": [r["train"] for _, r in study], "validation (ours)": [r["val"] for _, r in study]},
    [r["seconds"] for _, r in study], title=f"Batch size: {batch_study_model} on {dataset}",
    source={"source train (TinyImageNet)": (list(source_study), [v[0] for v in source_study.values()]),
            "source validation (TinyImageNet)": (list(source_study), [v[1] for v in source_study.values()])}),
    "batch_size", "Train and validation accuracy, and training time, per batch size "
    "(the source's Fig. 38 and Table 7)")
best_size = max(study, key=lambda item: item[1]["val"])[0]
rec.metric(f"{dataset}_batch_study_best_size", best_size)

# %% [markdown]
# ## SPSA against Adam (§2.7.2)
#
# The source describes Simultaneous Perturbation Stochastic Approximation as its second
# learning algorithm: each step perturbs every weight at once by ±c·Δ (Δ random signs),
# evaluates the loss twice, and steps along the resulting gradient estimate — no
# backpropagation. LeNet from the same initial weights is trained with SPSA and with Adam
# for the same number of loss evaluations (`kerasreports.spsa` says how they are counted).

# %%
if spsa_evaluations:
    comparison = spsa.compare_with_adam(
        lambda: models.build("lenet", classes=classes, input_shape=data.x_train.shape[1:],
                             seed=seed),
        data.x_train, data.y_train, data.x_val, data.y_val,
        evaluations=spsa_evaluations, batch_size=batch_size, learning_rate=learning_rate,
        seed=seed)
    display(rec.table(f"LeNet with SPSA and with Adam, {spsa_evaluations:,} loss "
                      "evaluations each", [
        {"learning algorithm": algorithm, "loss evaluations": r["evaluations"],
         "steps": r["steps"], "final training loss": r["loss"][-1],
         "val acc": r["val_accuracy"][-1], "time (s)": r["seconds"]}
        for algorithm, r in comparison.items()]))
    for algorithm, r in comparison.items():
        rec.metric(f"{dataset}_lenet_{algorithm.lower()}_val_accuracy", r["val_accuracy"][-1])
    rec.figure(plots.metric_vs_parameter(
        comparison["Adam"]["evaluated_at"],
        {algorithm: r["val_accuracy"] for algorithm, r in comparison.items()},
        xlabel="loss evaluations", ylabel="validation accuracy",
        title="LeNet: SPSA vs Adam at equal loss evaluations"),
        "spsa_vs_adam", "Validation accuracy of LeNet trained with SPSA and with Adam")

# %% [markdown]
# ## Source vs regenerated
#
# Each sentence is computed from this run's numbers, beside what the source found.

# %%
def score(label):
    row = results[label]
    return row["test"] if has_test else row["val"]


split = "test" if has_test else "validation"
split_metric = "test_accuracy" if has_test else "val_accuracy"
for a, b, claim in (("lenet_bn", "lenet", "BatchNorm helps LeNet"),
                    ("lenet", "lenet_dropout", "dropout alone hurts LeNet"),
                    ("super_lenet", "super_lenet_wrong_init", "Kaiming beats wrong init"),
                    ("super_resnet", "super_resnet_wrong_init", "Kaiming beats wrong init"),
                    ("super_resnet", "resnet", "SuperResNet beats plain ResNet")):
    if a in results and b in results:
        theirs = source_rows[a][2 if has_test else 1] > source_rows[b][2 if has_test else 1]
        ours = score(a) > score(b)
        rec.claim(f"{claim} ({models.SOURCE_NAMES[a]} > {models.SOURCE_NAMES[b]}, {split} "
                  f"accuracy)", ours,
                  f"{claim}? {models.SOURCE_NAMES[a]} {score(a):.4f} vs "
                  f"{models.SOURCE_NAMES[b]} {score(b):.4f} {split} accuracy: "
                  f"{'yes' if ours else 'no'} here, {'yes' if theirs else 'no'} in the "
                  f"source ({source_rows[a][2 if has_test else 1]:.4f} vs "
                  f"{source_rows[b][2 if has_test else 1]:.4f}).", source_holds=theirs,
                  evidence={"metrics": [f"{dataset}_{label}_{split_metric}" for label in (a, b)],
                            "relation": ">"})
chance = [label for label in lenets + resnets if score(label) < 1.5 / classes]
if chance:
    steps = {label: math.ceil(results[label]["images"] / batch_size) * results[label]["epochs"]
             for label in chance}
    rec.note(f"At chance level (below 1.5/{classes} {split} accuracy): "
             + ", ".join(f"{models.SOURCE_NAMES[label]} after {steps[label]} steps"
                         for label in chance)
             + ". So few steps train little, and BatchNorm's running statistics, which "
             "inference uses, move only 10% of the way per step from their initial 0 and "
             "1: they are not yet the data's.")
if lenets:
    best = max(lenets, key=score)
    rec.metric(f"{dataset}_best_lenet", best)
    rec.note(f"Best LeNet by {split} accuracy: {models.SOURCE_NAMES[best]} "
             f"({score(best):.4f}); the source's: SuperLeNet with proper init.")
for good, bad in pairs:
    width = (f" at first-stage width {resnet_width} (the source: 64; a wrong init's "
             "logits spread with the width of the layer before them)"
             if "resnet" in good and resnet_width != 64 else "")
    rec.note(f"Loss before training{width}: {models.SOURCE_NAMES[good]} "
             f"{results[good]['initial_loss']:.4f} (ln {classes} = {math.log(classes):.4f}; "
             f"source {source_initial[good]}), {models.SOURCE_NAMES[bad]} "
             f"{results[bad]['initial_loss']:.4f} (source {source_initial[bad]}).")
rec.note(f"Batch size: best validation accuracy at {best_size} of "
         f"{', '.join(map(str, study_sizes))} with {batch_study_model} on {dataset} after "
         f"{batch_study_epochs} epochs (source: 1024, SuperResNet on TinyImageNet, 100 epochs).")
if spsa_evaluations:
    better = max(comparison, key=lambda a: comparison[a]["val_accuracy"][-1])
    rec.note(f"SPSA vs Adam at {spsa_evaluations:,} loss evaluations: {better} ends higher "
             f"(validation accuracy SPSA {comparison['SPSA']['val_accuracy'][-1]:.4f}, "
             f"Adam {comparison['Adam']['val_accuracy'][-1]:.4f}); the source reports no "
             "SPSA number.")
rec.note(f"Data: {data.description}. Profile {profile}: LeNets {lenet_epochs} epochs, "
         f"ResNets {resnet_epochs} epochs at width {resnet_width} on "
         f"{len(resnet_data['x_train']):,} images (the source: 200 epochs, width 64, all).")
rec.finish()
