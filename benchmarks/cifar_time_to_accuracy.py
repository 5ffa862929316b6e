"""Time to a CIFAR-10 accuracy: an airbench94-style network and a ResNet-18, in Keras.

"Beyond the source" for R5 `image_classification` (the source trained its ResNet34 for
13,854 s). The issue's targets: a ResNet to >= 93% test accuracy in <= 139 s of training on
one H100 (JAX backend, mixed precision), and an airbench-style network to >= 94% in as few
seconds as possible (airbench94 reaches 94% in 2.6 s on an A100 in PyTorch). This script
measures, on whatever machine it runs on:

- `--model airbench`: `kerasreports.models.fast_cifar.airbench_net` with airbench94's recipe
  (`fast_cifar.AIRBENCH94`: 9.9 epochs of batch 1024, Nesterov SGD, label smoothing 0.2,
  triangular schedule, Lookahead, alternating flip + 2-pixel translation, 6-view TTA).
- `--model resnet`: a CIFAR ResNet-18 (3x3 stride-1 stem, no max-pool, BasicBlocks
  [2, 2, 2, 2] at 64/128/256/512 channels, identity shortcut in stage 1, global average
  pooling: 11.2M parameters) from the report's builder
  `kerasreports.models.image_classification.build("resnet", blocks=..., widths=...,
  first_stage_projection=False, init="kaiming", weight_decay=5e-4)`, or, where that module
  or those options are missing, the same layout defined here (`compact_resnet`; the JSON's
  `resnet_builder` says which). Recipe `fast_cifar.RESNET18`: 20 epochs of batch 512,
  Nesterov SGD (momentum 0.9) peaking at lr 0.4 at 25% (one-cycle triangle, from 0.04 to 0),
  L2 5e-4, label smoothing 0.1, alternating flip + 4-pixel zero-padded translation, flip
  TTA. `--resnet-blocks 3,4,6,3` gives the source's ResNet34 layout. This recipe is a
  choice from the usual fast-ResNet settings; it has not been run on a GPU here.

Protocol: the 50,000 official training images are split by a seeded permutation
(`--split-seed`, the report's `cifar10.classification_data`): its first 45,000 train, its
last 5,000 are the validation split. After every epoch the clock stops and the validation
split is scored (plain and with the recipe's TTA); the target counts as reached at the
first epoch whose TTA validation accuracy is >= `--target` (airbench's 94% is a TTA
accuracy). The test set is scored once, at the end, and reported beside it: nothing is
chosen or tuned on it. Seconds are training seconds: data preparation (the flipped copies),
the whitening (airbench) and the steps, without the per-epoch evaluations and without
compiling the step, which a warm-up on a dummy batch does first (as airbench, which times
runs after a warm-up run) and which is reported as `warmup_seconds`. airbench also counts
its final TTA pass over the 10,000 test images: `airbench_comparable_seconds` is the
seconds to target plus that pass (`test_tta_seconds`).

    python benchmarks/cifar_time_to_accuracy.py --model airbench
    python benchmarks/cifar_time_to_accuracy.py --model resnet --mixed-precision

On a GPU, with JAX (`pip install "jax[cuda12]"`) and mixed precision (the flag sets
`keras.mixed_precision.set_global_policy("mixed_bfloat16")` for the model; give
`--mixed-precision mixed_float16` for float16 with loss scaling):

    KERAS_BACKEND=jax python benchmarks/cifar_time_to_accuracy.py --model airbench \\
        --mixed-precision --seeds 0 1 2 3 4
    KERAS_BACKEND=jax python benchmarks/cifar_time_to_accuracy.py --model resnet \\
        --mixed-precision

Prints a table per run and writes JSON (`--json`, default
benchmarks/results/cifar_time_to_accuracy_<model>_<backend>.json). Needs the real CIFAR-10
(KERASREPORTS_DATA, or ./data: `cifar-10/cifar10.npz` or the official python batches).

Measured: a CPU quick run, the only machine this has run on so far (2 cores of an AMD EPYC
VM, no GPU, shared with other people's jobs at the time, so the seconds are indicative
only; TensorFlow 2.21, Keras 3.15.1, float32; the same numbers on a second run):

    KERASREPORTS_DATA=/work/shared/data python benchmarks/cifar_time_to_accuracy.py \\
        --model airbench --train-images 2000 --eval-images 500 --epochs 1 \\
        --batch-size 256

    epoch  steps   train s    loss  val acc  val TTA       lr
        1      7     69.15  2.9314   0.2600   0.2580   0.0844
    target 94% (validation, TTA) not reached: best 0.2580 at epoch 1; compile warm-up
    23.4 s (not counted), data preparation + whitening 0.5 s (counted); test accuracy
    0.2100, with TTA 0.2240 (TTA pass over the 500 test images: 41.0 s)

That checks the pipeline end to end; it is not a result: 7 steps of 256 images cannot
reach 94% (airbench takes 426 steps of 1,024 on all 45,000). At the 26 training images a
second measured here, the full airbench schedule would take about 4.7 hours on this CPU.
Nothing has been measured on a GPU: no GPU time to 94% (airbench) or to 93% (ResNet) is
claimed here; run the commands above on one.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np

from kerasreports import runtime
from kerasreports.models import fast_cifar

RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {"airbench": 0.94, "resnet": 0.93}
EVAL_BATCH = 500  # divides 1,000, 5,000 and 10,000: one compiled shape for every split


# --------------------------------------------------------------------------------- data

def load_data(*, data_dir=None, n_train=0, n_val=0, n_test=0, seed=0) -> dict:
    """CIFAR-10's train / validation / test parts (uint8 images, int labels): the report's
    `cifar10.classification_data` where it exists, otherwise the same split made here
    from `cifar10.images` (a permutation of the 50,000 training images drawn from `seed`:
    its first 45,000 train, its last 5,000 validate). n_*: the first n of each part, 0
    all of it."""
    from kerasreports.datasets import cifar10

    if hasattr(cifar10, "classification_data"):
        data = cifar10.classification_data(data_dir=data_dir, n_train=n_train,
                                           n_val=n_val, n_test=n_test, seed=seed)
        return {"x_train": data.x_train, "y_train": data.y_train, "x_val": data.x_val,
                "y_val": data.y_val, "x_test": data.x_test, "y_test": data.y_test,
                "description": data.description}
    images = cifar10.images(data_dir=data_dir)
    order = np.random.default_rng(seed).permutation(len(images.x_train))
    train, val = order[:45000][:n_train or None], order[45000:][:n_val or None]
    test = slice(0, n_test or None)
    return {"x_train": images.x_train[train], "y_train": images.y_train[train],
            "x_val": images.x_train[val], "y_val": images.y_train[val],
            "x_test": images.x_test[test], "y_test": images.y_test[test],
            "description": f"CIFAR-10 cifar10.npz: {len(train)} training and {len(val)} "
                           f"validation images of a permutation (seed {seed}) of the "
                           f"50,000 training images; {len(images.x_test[test])} test"}


# ------------------------------------------------------------------------------- models

def compact_resnet(*, blocks=(2, 2, 2, 2), width=64, classes=10, seed=0,
                   weight_decay=fast_cifar.RESNET18_WEIGHT_DECAY) -> keras.Model:
    """A CIFAR ResNet (ResNet-18 by default) for when the report's builder is missing:
    3x3 stem, BasicBlocks with identity shortcuts except where the shape changes (1x1
    conv + BN), global average pooling, a linear head; Kaiming-normal convolutions."""
    from keras import layers

    reg = keras.regularizers.L2(weight_decay / 2) if weight_decay else None
    seeds = iter(np.random.default_rng(seed).integers(2**31 - 1, size=1000).tolist())

    def conv(x, filters, size, stride):
        return layers.Conv2D(filters, size, strides=stride, padding="same", use_bias=False,
                             kernel_regularizer=reg, kernel_initializer=
                             keras.initializers.HeNormal(next(seeds)))(x)

    def bn(x):
        return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, beta_regularizer=reg,
                                         gamma_regularizer=reg)(x)

    inputs = keras.Input((32, 32, 3))
    x = fast_cifar.normalization()(inputs)
    x = layers.ReLU()(bn(conv(x, width, 3, 1)))
    channels = width
    for stage, count in enumerate(blocks):
        filters = width * 2**stage
        for b in range(count):
            stride = 2 if stage and not b else 1
            shortcut = x
            if stride > 1 or channels != filters:
                shortcut = bn(conv(x, filters, 1, stride))
            h = layers.ReLU()(bn(conv(x, filters, 3, stride)))
            h = bn(conv(h, filters, 3, 1))
            x = layers.ReLU()(layers.Add()([h, shortcut]))
            channels = filters
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(classes, kernel_regularizer=reg, bias_regularizer=reg,
                           kernel_initializer=keras.initializers.HeNormal(next(seeds)))(x)
    return keras.Model(inputs, outputs, name="compact_resnet")


def build_resnet(*, blocks, width, seed, weight_decay=fast_cifar.RESNET18_WEIGHT_DECAY):
    """(model, which builder): the report's ResNet builder where it takes these options."""
    widths = tuple(width * 2**i for i in range(len(blocks)))
    try:
        from kerasreports.models import image_classification
    except ImportError as error:
        why = f"compact_resnet (benchmark file; image_classification: {error})"
    else:
        try:
            model = image_classification.build(
                "resnet", classes=10, seed=seed, blocks=tuple(blocks), widths=widths,
                first_stage_projection=False, init="kaiming", weight_decay=weight_decay)
            return model, "kerasreports.models.image_classification.build('resnet')"
        except TypeError as error:  # an option the builder does not (or no longer) take
            why = f"compact_resnet (benchmark file; image_classification.build: {error})"
    return compact_resnet(blocks=tuple(blocks), width=width, seed=seed,
                          weight_decay=weight_decay), why


# ---------------------------------------------------------------------------------- runs

def run_once(args, data, seed: int, recipe: fast_cifar.Recipe, target: float) -> dict:
    """One training run with per-epoch validation, then one test scoring."""
    builder = None
    with fast_cifar.precision(args.mixed_precision):
        if args.model == "airbench":
            model = fast_cifar.airbench_net(widths=args.airbench_widths, seed=seed)
        else:
            model, builder = build_resnet(blocks=args.resnet_blocks,
                                          width=args.resnet_width, seed=seed)
    setup = None
    if args.model == "airbench":  # timed inside `train`, as airbench times it
        def setup(m):
            fast_cifar.whiten_stem(m, data["x_train"][:fast_cifar.WHITEN_IMAGES])
    rows: list[dict] = []
    reached: dict = {}

    def on_epoch(record):
        started = time.perf_counter()
        plain = fast_cifar.predict_tta(model, data["x_val"], level=0,
                                       batch_size=EVAL_BATCH)
        tta = fast_cifar.predict_tta(model, data["x_val"], level=recipe.tta_level,
                                     batch_size=EVAL_BATCH)
        record["val_accuracy"] = fast_cifar.accuracy(plain, data["y_val"])
        record["val_accuracy_tta"] = fast_cifar.accuracy(tta, data["y_val"])
        record["eval_seconds"] = time.perf_counter() - started
        rows.append(record)
        print(f"  {record['epoch']:>5} {record['steps']:>6} {record['train_seconds']:>9.2f} "
              f"{record['loss']:>7.4f} {record['val_accuracy']:>8.4f} "
              f"{record['val_accuracy_tta']:>8.4f} {record['lr']:>8.4f}", flush=True)
        if not reached and record["val_accuracy_tta"] >= target:
            reached.update(epoch=record["epoch"], seconds=record["train_seconds"])
        return bool(reached) and args.stop_at_target

    epochs = recipe.epochs if args.epochs is None else args.epochs
    batch = args.batch_size or recipe.batch_size
    print(f"\nseed {seed}: {recipe.describe()}")
    print(f"  this run: {epochs:g} epochs of batch {batch} (lr "
          f"{recipe.lr * batch / recipe.batch_size:.4g}) on {len(data['x_train'])} images")
    print(f"  {'epoch':>5} {'steps':>6} {'train s':>9} {'loss':>7} {'val acc':>8} "
          f"{'val TTA':>8} {'lr':>8}")
    result = fast_cifar.train(model, data["x_train"], data["y_train"], recipe,
                              epochs=args.epochs, batch_size=args.batch_size, seed=seed,
                              on_epoch=on_epoch, setup=setup, warmup=not args.no_warmup)
    # The validation passes compiled this batch shape already (EVAL_BATCH divides both).
    started = time.perf_counter()
    test_tta = fast_cifar.predict_tta(model, data["x_test"], level=recipe.tta_level,
                                      batch_size=EVAL_BATCH)
    test_tta_seconds = time.perf_counter() - started
    test_plain = fast_cifar.predict_tta(model, data["x_test"], level=0,
                                        batch_size=EVAL_BATCH)
    best = max(rows, key=lambda r: r["val_accuracy_tta"]) if rows else {}
    run = {
        "seed": seed,
        "parameters": int(sum(math.prod(w.shape) for w in model.trainable_weights)),
        "epochs": rows,
        "steps": result.steps,
        "reached": bool(reached),
        "epoch_reached": reached.get("epoch"),
        "seconds_to_target": reached.get("seconds"),
        "best_val_accuracy_tta": best.get("val_accuracy_tta"),
        "best_epoch": best.get("epoch"),
        "final_val_accuracy_tta": rows[-1]["val_accuracy_tta"] if rows else None,
        "train_seconds": result.train_seconds,
        "warmup_seconds": result.warmup_seconds,
        "stopped_at_target": result.stopped_early,
        "test_accuracy": fast_cifar.accuracy(test_plain, data["y_test"]),
        "test_accuracy_tta": fast_cifar.accuracy(test_tta, data["y_test"]),
        "test_tta_seconds": test_tta_seconds,
        "airbench_comparable_seconds": (reached["seconds"] + test_tta_seconds
                                        if reached else None),
    }
    if builder:
        run["resnet_builder"] = builder
    if reached:
        print(f"  target {target:.2%} (validation, TTA) reached at epoch {reached['epoch']} "
              f"after {reached['seconds']:.2f} s of training")
    else:
        print(f"  target {target:.2%} (validation, TTA) not reached: best "
              f"{run['best_val_accuracy_tta']:.4f} at epoch {run['best_epoch']}")
    print(f"  trained {result.train_seconds:.2f} s ({result.steps} steps; compile warm-up "
          f"{result.warmup_seconds:.2f} s not counted); test accuracy "
          f"{run['test_accuracy']:.4f}, with TTA {run['test_accuracy_tta']:.4f} "
          f"(TTA pass {test_tta_seconds:.2f} s)")
    return run


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(","))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("airbench", "resnet"), default="airbench")
    parser.add_argument("--target", type=float, default=None,
                        help="validation TTA accuracy to reach (0.94 airbench, 0.93 resnet)")
    parser.add_argument("--epochs", type=float, default=None,
                        help="the recipe's by default (9.9 airbench, 20 resnet)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="the recipe's by default; the learning rate scales with it")
    parser.add_argument("--train-images", type=int, default=0,
                        help="the first N of the 45,000 training images (0: all)")
    parser.add_argument("--eval-images", type=int, default=0,
                        help="the first N validation and N test images (0: 5,000 / 10,000)")
    parser.add_argument("--mixed-precision", nargs="?", const="mixed_bfloat16",
                        default=None, metavar="POLICY",
                        help="a Keras mixed policy for the model (flag alone: "
                             "mixed_bfloat16; or mixed_float16)")
    parser.add_argument("--seed", "--seeds", dest="seeds", type=int, nargs="+",
                        default=[0])
    parser.add_argument("--split-seed", type=int, default=0,
                        help="seed of the train/validation permutation (the report's: 0)")
    parser.add_argument("--stop-at-target", action="store_true",
                        help="stop a run at the first epoch that reaches the target")
    parser.add_argument("--no-warmup", action="store_true",
                        help="do not compile on a dummy batch first (then the first "
                             "epoch's seconds include compilation)")
    parser.add_argument("--airbench-widths", type=_ints, default=(64, 256, 256))
    parser.add_argument("--resnet-blocks", type=_ints, default=(2, 2, 2, 2))
    parser.add_argument("--resnet-width", type=int, default=64)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--json", default=None, help="where to write the results")
    args = parser.parse_args(argv)

    recipe = fast_cifar.AIRBENCH94 if args.model == "airbench" else fast_cifar.RESNET18
    target = TARGETS[args.model] if args.target is None else args.target
    backend = keras.backend.backend()
    started = time.perf_counter()
    data = load_data(data_dir=args.data_dir, n_train=args.train_images,
                     n_val=args.eval_images, n_test=args.eval_images, seed=args.split_seed)
    load_seconds = time.perf_counter() - started
    quick = bool(args.train_images or args.eval_images or args.epochs is not None
                 or args.batch_size or args.airbench_widths != (64, 256, 256))
    device = runtime.device_description()
    print(f"{args.model} on {device}, backend {backend}, "
          f"precision {args.mixed_precision or 'float32'}; "
          f"{len(data['x_train'])} training, {len(data['x_val'])} validation, "
          f"{len(data['x_test'])} test images (loaded in {load_seconds:.1f} s)"
          f"{'; a QUICK run, not the full protocol' if quick else ''}")

    runs = [run_once(args, data, seed, recipe, target) for seed in args.seeds]
    reached = [r["seconds_to_target"] for r in runs if r["reached"]]
    summary = {
        "runs": len(runs),
        "reached": len(reached),
        "median_seconds_to_target": statistics.median(reached) if reached else None,
        "mean_test_accuracy_tta": statistics.fmean(r["test_accuracy_tta"] for r in runs),
        "mean_best_val_accuracy_tta": statistics.fmean(
            r["best_val_accuracy_tta"] for r in runs),
        "mean_train_seconds": statistics.fmean(r["train_seconds"] for r in runs),
    }
    print(f"\n{'seed':>5} {'to target s':>12} {'train s':>9} {'best val TTA':>13} "
          f"{'test':>7} {'test TTA':>9}")
    for r in runs:
        to_target = f"{r['seconds_to_target']:.2f}" if r["reached"] else "not reached"
        print(f"{r['seed']:>5} {to_target:>12} {r['train_seconds']:>9.2f} "
              f"{r['best_val_accuracy_tta']:>13.4f} {r['test_accuracy']:>7.4f} "
              f"{r['test_accuracy_tta']:>9.4f}")
    print(f"target {target:.2%} on the validation split (TTA): reached in "
          f"{len(reached)}/{len(runs)} runs")

    result = {
        "benchmark": "cifar_time_to_accuracy",
        "model": args.model,
        "recipe": {**vars(recipe), "describe": recipe.describe()},
        "epochs": args.epochs if args.epochs is not None else recipe.epochs,
        "batch_size": args.batch_size or recipe.batch_size,
        "airbench_widths": list(args.airbench_widths) if args.model == "airbench" else None,
        "resnet_blocks": list(args.resnet_blocks) if args.model == "resnet" else None,
        "resnet_width": args.resnet_width if args.model == "resnet" else None,
        "target": target,
        "target_split": "validation (TTA); test scored once at the end",
        "quick": quick,
        "backend": backend,
        "device": device,
        "mixed_precision": args.mixed_precision or "float32",
        "seeds": args.seeds,
        "split_seed": args.split_seed,
        "data": {"description": data["description"], "n_train": len(data["x_train"]),
                 "n_val": len(data["x_val"]), "n_test": len(data["x_test"]),
                 "load_seconds": load_seconds},
        "runs": runs,
        "summary": summary,
        "machine": f"{platform.node()}, {device}",
        "environment": runtime.environment(),
    }
    path = Path(args.json or RESULTS / f"cifar_time_to_accuracy_{args.model}_{backend}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=float) + "\n")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
