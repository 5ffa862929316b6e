"""How long the `image_classification` report's trainings take under a profile, per section.

As `arithmetic_profile_time.py` does for its report: every kind of training step the
notebook takes (each model at the batch size the profile gives it) is timed on random
images of the real shape, and multiplied by the number of steps the notebook's fits take
under the profile (its parameters from `parameters.for_profile`, as `kerasreports run`
resolves them). The sum per section (LeNets, ResNets, batch sizes, SPSA) is the estimate
README's profile table gives, before committing a machine to it.

Time per step is the median of `--steps` steps after `--warmup` (compilation); one step
is `train_on_batch` with Adam and the notebook's loss. A batch larger than `--max-batch`
is timed at `--max-batch` and scaled by the batch ratio (marked "scaled"): on a CPU a
step's time grows in proportion to its batch, and a full-width ResNet34 step of 8,192
images does not fit in this machine's memory. The estimate leaves out compilation,
validation and test scoring (a forward pass per image, roughly a third of a training
step's cost per image, once an epoch over 5,000 images) and data loading.

    python benchmarks/image_classification_profile_time.py --profile full [--steps 5]

Prints a table and writes
benchmarks/results/image_classification_profile_time_<profile>_<backend>.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = {"cifar10": (45_000, (32, 32, 3), 10), "tiny_imagenet": (100_000, (64, 64, 3), 200)}


def fits(p: dict) -> list[dict]:
    """Every training of notebooks/image_classification.py under parameters `p`."""
    total, shape, classes = SIZES[p["dataset"]]
    lenet_images = p["train_images"] or total
    resnet_images = p["resnet_train_images"] or lenet_images
    out = [dict(section="LeNets", model=m, images=lenet_images, batch=p["batch_size"],
                epochs=p["lenet_epochs"])
           for m in p["lenet_models"].split(",") if m.strip()]
    out += [dict(section="ResNets", model=m, images=resnet_images, batch=p["batch_size"],
                 epochs=p["resnet_epochs"], width=p["resnet_width"])
            for m in p["resnet_models"].split(",") if m.strip()]
    study_images = p["batch_study_images"] or (
        resnet_images if p["batch_study_model"] == "super_resnet" else lenet_images)
    out += [dict(section="batch sizes", model=p["batch_study_model"], images=study_images,
                 batch=int(b), epochs=p["batch_study_epochs"], width=p["resnet_width"])
            for b in p["batch_sizes"].split(",") if b.strip()]
    if p["spsa_evaluations"]:
        out.append(dict(section="SPSA vs Adam", model="lenet (Adam)", batch=p["batch_size"],
                        images=p["batch_size"], epochs=p["spsa_evaluations"]))
        out.append(dict(section="SPSA vs Adam", model="lenet (SPSA)", batch=p["batch_size"],
                        images=p["batch_size"], epochs=p["spsa_evaluations"] // 2))
    for fit in out:
        fit["steps"] = math.ceil(fit["images"] / fit["batch"]) * fit["epochs"]
        fit.setdefault("width", None)
    return out, shape, classes


def seconds_per_step(fit: dict, shape, classes, *, steps: int, warmup: int,
                     max_batch: int) -> float:
    """Seconds per step of `fit`'s model at min(batch, max_batch)."""
    import keras

    from kerasreports import spsa
    from kerasreports.models import image_classification as models

    keras.backend.clear_session()
    name = fit["model"].split(" ")[0]
    options = {"width": fit["width"]} if "resnet" in name else {}
    model = models.build(name, classes=classes, input_shape=shape, **options)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    batch = min(fit["batch"], max_batch)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (batch, *shape)).astype("float32")
    y = rng.integers(0, classes, batch)
    if fit["model"].endswith("(SPSA)"):
        spsa.spsa_fit(model, x, y, loss_fn=loss, steps=warmup, batch_size=batch)
        started = time.perf_counter()
        spsa.spsa_fit(model, x, y, loss_fn=loss, steps=steps, batch_size=batch)
        return (time.perf_counter() - started) / steps
    model.compile(optimizer="adam", loss=loss)
    from kerasreports import resources

    return resources.seconds_per_step(model, x, y, steps=steps, warmup=warmup)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full", choices=("smoke", "quick", "full"))
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--max-batch", type=int, default=256)
    parser.add_argument("-p", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="a notebook parameter, as `run -p`")
    args = parser.parse_args(argv)

    import keras

    from kerasreports import parameters as report_parameters, runtime

    parameters = report_parameters.for_profile("image_classification", args.profile,
                                               **dict(args.p))
    plan, shape, classes = fits(parameters)
    timed: dict[tuple, float] = {}
    for fit in plan:
        # Batches above --max-batch are timed once, at --max-batch, and scaled.
        key = (fit["model"], min(fit["batch"], args.max_batch), fit["width"])
        if key not in timed:
            timed[key] = seconds_per_step(fit, shape, classes, steps=args.steps,
                                          warmup=args.warmup, max_batch=args.max_batch)
            print(f"{fit['model']:24} batch {key[1]:5}: {timed[key] * 1000:9.1f} ms/step",
                  flush=True)
        fit["seconds_per_step"] = timed[key] * fit["batch"] / key[1]
        fit["scaled"] = fit["batch"] > key[1]
        fit["projected_seconds"] = fit["steps"] * fit["seconds_per_step"]

    print(f"\n{'section':13} {'model':24} {'images':>7} {'batch':>5} {'epochs':>6} "
          f"{'steps':>8} {'ms/step':>9} {'projected h':>11}")
    for f in plan:
        print(f"{f['section']:13} {f['model']:24} {f['images']:7} {f['batch']:5} "
              f"{f['epochs']:6} {f['steps']:8} {f['seconds_per_step'] * 1000:9.1f} "
              f"{f['projected_seconds'] / 3600:11.2f}{' scaled' if f['scaled'] else ''}")
    sections = {}
    for f in plan:
        sections[f["section"]] = sections.get(f["section"], 0.0) + f["projected_seconds"]
    total = sum(sections.values())
    for section, seconds in sections.items():
        print(f"{section:13} {seconds / 3600:8.2f} h")
    print(f"\nprofile {args.profile}: {total / 3600:.1f} h of training steps on "
          f"{runtime.device_description()}, backend {keras.backend.backend()} "
          f"(compilation, validation, test scoring and data loading not included)")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / (f"image_classification_profile_time_{args.profile}_"
                     f"{keras.backend.backend()}.json")
    out.write_text(json.dumps({
        "profile": args.profile, "parameters": parameters, "fits": plan,
        "sections_seconds": sections, "projected_training_seconds": total,
        "device": runtime.device_description(), "backend": keras.backend.backend(),
        "machine": platform.node(), "environment": runtime.environment()},
        indent=2, default=str) + "\n")
    print("wrote", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
