"""How long the `rnn_language` report's trainings take under a profile, per task.

As `image_classification_profile_time.py` does for its report: every model the notebook
trains is timed for a few training steps on random ids of the real shapes (the real data
sets' sizes and vocabularies, below), and multiplied by the number of steps its fit takes
under the profile (the notebook's parameters from `parameters.for_profile`, as
`kerasreports run` resolves them). The sum per task is the estimate README's profile
table gives, before committing a machine to it.

Time per step is the median of `--steps` steps after `--warmup` (compilation); one step
is `train_on_batch` with Adam and the notebook's loss. Left out: compilation, the
validation pass of every epoch (a forward pass over the held-out part, about a third of a
training step's cost per example), sampling, decoding and data loading.

    python benchmarks/rnn_language_profile_time.py --profile full [--steps 3]

Prints a table and writes benchmarks/results/rnn_language_profile_time_<profile>_<backend>.json.
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
# The real data sets as the notebook reads them (datasets.names / shakespeare / imdb /
# eng_fra, seed 0): examples trained on, steps per example, vocabulary.
NAMES = (28_830, 16, 29)
WORDS = (6_520, 35, 11_697)
REVIEWS = 40_000
PAIRS = (9_539, 10, 4_345, 2_803)
FASTTEXT_REVIEWS = (40_000, 20_000)  # the source split's, then the official split's


def fits(p: dict) -> list[dict]:
    """Every training of notebooks/rnn_language.py under parameters `p`."""
    from kerasreports import parameters
    from kerasreports.models import rnn_language as menu

    tasks = parameters.choices(p["tasks"], ("names", "words", "sentiment", "translation"),
                               "tasks")
    out = []
    if "names" in tasks:
        out += [dict(task="names", model=m, examples=NAMES[0], batch=p["names_batch_size"],
                     epochs=p["names_epochs"])
                for m in parameters.choices(p["names_models"], menu.NAMES_MODELS, "")]
    if "words" in tasks:
        out += [dict(task="words", model=m, examples=p["words_train_sequences"] or WORDS[0],
                     batch=p["words_batch_size"], epochs=p["words_epochs"])
                for m in parameters.choices(p["word_models"], menu.WORD_MODELS, "")]
    if "sentiment" in tasks:
        for m in parameters.choices(p["sentiment_models"], menu.SENTIMENT_MODELS, ""):
            if m == "fasttext":
                out += [dict(task="sentiment", model=f"fasttext ({n:,} reviews)",
                             examples=n, batch=p["sentiment_batch_size"],
                             epochs=p["fasttext_epochs"]) for n in FASTTEXT_REVIEWS]
            else:
                out.append(dict(task="sentiment", model=m,
                                examples=p["sentiment_train_reviews"] or REVIEWS,
                                batch=p["sentiment_batch_size"], epochs=p["sentiment_epochs"]))
    if "translation" in tasks:
        out += [dict(task="translation", model=m,
                     examples=p["translation_train_pairs"] or PAIRS[0],
                     batch=p["translation_batch_size"], epochs=p["translation_epochs"])
                for m in parameters.choices(p["translation_models"], menu.TRANSLATION_MODELS,
                                            "")]
    for fit in out:
        fit["steps"] = math.ceil(fit["examples"] / fit["batch"]) * fit["epochs"]
    return out


def model_and_batch(fit: dict, p: dict, rng):
    """The fit's model, compiled as the notebook compiles it, and one batch of inputs."""
    import keras

    from kerasreports.models import language
    from kerasreports.models import rnn_language as menu

    b, name = fit["batch"], fit["model"].split(" ")[0]
    if fit["task"] == "names":
        model = menu.names_model(name, alphabet=NAMES[2])
        x = rng.integers(1, NAMES[2], (b, NAMES[1]))
        y, loss = x, language.nll_loss(ignore_class=0)
    elif fit["task"] == "words":
        model = menu.word_model(name, vocab=WORDS[2], units=p["word_model2_units"])
        x = rng.integers(1, WORDS[2], (b, WORDS[1]))
        y, loss = x, language.nll_loss()
    elif fit["task"] == "sentiment":
        vocab = menu.FASTTEXT_VOCAB + 1 if name == "fasttext" else 1_001
        length = 500 if name == "fasttext" else p["sentiment_max_length"]
        model = menu.sentiment_model(name, vocab=vocab)
        x = rng.integers(1, vocab, (b, length))
        y, loss = rng.integers(0, 2, (b, 1)).astype("float32"), "binary_crossentropy"
    else:
        steps, src, tgt = PAIRS[1], PAIRS[2], PAIRS[3]
        model = menu.translation_models(name, src_vocab=src, tgt_vocab=tgt,
                                        max_length=steps).training
        y = rng.integers(2, tgt, (b, steps)).astype("int32")
        x, loss = [rng.integers(2, src, (b, steps)).astype("int32"), y], \
            language.nll_loss(ignore_class=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
    x = x if isinstance(x, list) else x.astype("int32")
    return model, x, y


def seconds_per_step(fit: dict, p: dict, *, steps: int, warmup: int) -> float:
    import keras

    keras.backend.clear_session()
    model, x, y = model_and_batch(fit, p, np.random.default_rng(0))
    from kerasreports import resources

    return resources.seconds_per_step(model, x, y, steps=steps, warmup=warmup)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full", choices=("smoke", "quick", "full"))
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("-p", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="a notebook parameter, as `run -p`")
    args = parser.parse_args(argv)

    import keras

    from kerasreports import parameters as report_parameters, runtime

    p = report_parameters.for_profile("rnn_language", args.profile, **dict(args.p))
    plan = fits(p)
    for fit in plan:
        fit["seconds_per_step"] = seconds_per_step(fit, p, steps=args.steps,
                                                   warmup=args.warmup)
        fit["projected_seconds"] = fit["steps"] * fit["seconds_per_step"]
        print(f"{fit['task']:11} {fit['model']:28} batch {fit['batch']:4}: "
              f"{fit['seconds_per_step'] * 1000:9.1f} ms/step", flush=True)

    print(f"\n{'task':11} {'model':28} {'examples':>8} {'batch':>5} {'epochs':>6} "
          f"{'steps':>7} {'ms/step':>9} {'projected min':>13}")
    for f in plan:
        print(f"{f['task']:11} {f['model']:28} {f['examples']:8} {f['batch']:5} "
              f"{f['epochs']:6} {f['steps']:7} {f['seconds_per_step'] * 1000:9.1f} "
              f"{f['projected_seconds'] / 60:13.1f}")
    tasks: dict[str, float] = {}
    for f in plan:
        tasks[f["task"]] = tasks.get(f["task"], 0.0) + f["projected_seconds"]
    total = sum(tasks.values())
    for task, seconds in tasks.items():
        print(f"{task:11} {seconds / 3600:8.2f} h")
    print(f"\nprofile {args.profile}: {total / 3600:.2f} h of training steps on "
          f"{runtime.device_description()}, backend {keras.backend.backend()} "
          f"(compilation, validation, sampling, decoding and data loading not included)")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"rnn_language_profile_time_{args.profile}_{keras.backend.backend()}.json"
    out.write_text(json.dumps({
        "profile": args.profile, "parameters": p, "fits": plan, "tasks_seconds": tasks,
        "projected_training_seconds": total, "device": runtime.device_description(),
        "backend": keras.backend.backend(), "machine": platform.node(),
        "environment": runtime.environment()}, indent=2, default=str) + "\n")
    print("wrote", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
