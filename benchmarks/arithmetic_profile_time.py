"""How long the `arithmetic` report's trainings take under a profile, on this machine.

The report trains 30-odd models. This times each kind of training step (every builder
at the batch size the profile gives it) on random inputs of the real shapes, then
multiplies by the number of steps each of the notebook's fits takes under the profile
(its parameters from `parameters.for_profile`, as `kerasreports run` resolves them), so that the whole profile's
training time can be judged before committing a machine to it, e.g. `full` on a GPU.

Time per step is the median of `--steps` steps after `--warmup` steps (compilation);
the projection leaves out compilation, data generation and predictions, so the real run
takes longer. One step is `model.train_on_batch` with Adam and the notebook's loss.

    python benchmarks/arithmetic_profile_time.py --profile full [--steps 20]

Prints a table and writes benchmarks/results/arithmetic_profile_time_<profile>_<backend>.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def fits(p: dict) -> list[dict]:
    """Every training in notebooks/arithmetic.py under parameters `p`: what it trains, on
    how many examples, at which batch size, for how many epochs."""
    from kerasreports.datasets import arithmetic

    out = []
    for name, task in arithmetic.tasks(p["highest_integer"]).items():
        queries = len(arithmetic.queries(task.highest_integer, 2, task.operands)[0])
        train = queries - round(p["test_size"] * queries)
        text = dict(task=name, batch=p["text_batch_size"], epochs=p["text_epochs"])
        if name == "addsub":
            for share in sorted({0.25, 0.5, 0.75, 0.9, p["test_size"]}):
                out.append(dict(text, model="text2text_1", examples=queries - round(share * queries)))
            out.append(dict(text, model="text2text_2", examples=train))
        else:
            out += [dict(text, model=f"text2text_{k}", examples=train) for k in range(4)]
        image = dict(task=name, batch=p["image_batch_size"], examples=train)
        out.append(dict(image, model="image2text_convlstm", epochs=p["convlstm_epochs"]))
        out.append(dict(image, model="image2text_conv", epochs=p["image_epochs"]))
        characters = 60_000 + 6_000 * len(task.operands) + 600
        out.append(dict(task=name, model="character_classifier", examples=characters,
                        batch=128, epochs=p["reader_epochs"]))
        if p["finetune_epochs"]:
            out.append(dict(image, model="read_then_compute", epochs=p["finetune_epochs"]))
        for kind in ("dense", "regularized", "bidirectional"):
            out.append(dict(task=name, model=f"text2image_{kind}", examples=train, batch=64,
                            epochs=p["generator_epochs"]))
        out.append(dict(task=name, model="text2image_conv", batch=64,
                        examples=min(train, p["conv_generator_queries"] or train),
                        epochs=p["conv_generator_epochs"]))
    for fit in out:
        fit["steps"] = math.ceil(fit["examples"] / fit["batch"]) * fit["epochs"]
    return out


def build(model: str, task):
    """The model and a random (x, y) batch maker for one kind of fit."""
    from kerasreports.models import arithmetic as models

    size = dict(chars=len(task.chars), query_length=task.query_length,
                answer_length=task.answer_length)
    text = (task.query_length, len(task.chars))
    images = (task.query_length, 28, 28, 1)
    answer = (task.answer_length, len(task.chars))
    answer_images = (task.answer_length, 28, 28, 1)
    if model.startswith("text2text_"):
        return models.text2text(extra_layers=int(model[-1]), **size), text, answer, "cce"
    if model == "image2text_convlstm":
        return models.image2text_convlstm(**size), images, answer, "cce"
    if model == "image2text_conv":
        return models.image2text_conv(**size), images, answer, "cce"
    if model == "character_classifier":
        return models.character_classifier(chars=len(task.chars)), (28, 28, 1), \
            (len(task.chars),), "cce"
    if model == "read_then_compute":
        reader = models.character_classifier(chars=len(task.chars))
        calculator = models.text2text(extra_layers=1, **size)
        return models.read_then_compute(reader, calculator, query_length=task.query_length), \
            images, answer, "cce"
    if model == "text2image_conv":
        return models.text2image_conv(**size), text, (28, 28, task.answer_length), "mse"
    kind = model.removeprefix("text2image_")
    return models.text2image_dense(regularized=kind == "regularized",
                                   bidirectional=kind == "bidirectional", **size), \
        text, answer_images, "mse"


def seconds_per_step(model: str, task, batch: int, *, steps: int, warmup: int) -> float:
    import keras

    keras.backend.clear_session()
    net, x_shape, y_shape, loss = build(model, task)
    net.compile(optimizer="adam", loss="categorical_crossentropy" if loss == "cce" else "mse")
    rng = np.random.default_rng(0)
    x = rng.random((batch, *x_shape), dtype="float32")
    y = rng.random((batch, *y_shape), dtype="float32")
    if loss == "cce":
        y = np.eye(y_shape[-1], dtype="float32")[rng.integers(0, y_shape[-1], y.shape[:-1])]
    from kerasreports import resources

    return resources.seconds_per_step(net, x, y, steps=steps, warmup=warmup)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full", choices=("smoke", "quick", "full"))
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args(argv)

    import keras

    from kerasreports import parameters as report_parameters, runtime
    from kerasreports.datasets import arithmetic

    parameters = report_parameters.for_profile("arithmetic", args.profile)
    tasks = arithmetic.tasks(parameters["highest_integer"])
    plan = fits(parameters)
    timed: dict[tuple, float] = {}
    for fit in plan:
        key = (fit["model"], fit["task"], fit["batch"])
        if key not in timed:
            timed[key] = seconds_per_step(fit["model"], tasks[fit["task"]], fit["batch"],
                                          steps=args.steps, warmup=args.warmup)
            print(f"{fit['task']:7} {fit['model']:22} batch {fit['batch']:4}: "
                  f"{timed[key] * 1000:8.2f} ms/step", flush=True)
        fit["seconds_per_step"] = timed[key]
        fit["projected_seconds"] = fit["steps"] * timed[key]

    total = sum(f["projected_seconds"] for f in plan)
    print(f"\n{'task':7} {'model':22} {'examples':>8} {'batch':>5} {'epochs':>6} "
          f"{'steps':>8} {'ms/step':>8} {'projected s':>11}")
    for f in plan:
        print(f"{f['task']:7} {f['model']:22} {f['examples']:8} {f['batch']:5} "
              f"{f['epochs']:6} {f['steps']:8} {f['seconds_per_step'] * 1000:8.2f} "
              f"{f['projected_seconds']:11.0f}")
    print(f"\nprofile {args.profile}: {total:.0f} s ({total / 60:.1f} min) of training steps "
          f"on {runtime.device_description()}, backend {keras.backend.backend()} "
          f"(compilation, data and predictions not included)")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"arithmetic_profile_time_{args.profile}_{keras.backend.backend()}.json"
    out.write_text(json.dumps({
        "profile": args.profile, "parameters": parameters, "fits": plan,
        "projected_training_seconds": total, "device": runtime.device_description(),
        "backend": keras.backend.backend(), "machine": platform.node(),
        "environment": runtime.environment()}, indent=2, default=str) + "\n")
    print("wrote", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
