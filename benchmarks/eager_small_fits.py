"""A fit of a few steps: compiled step functions against eager execution.

The smoke profile trains dozens of models for one or two epochs on a few hundred
examples: a handful of steps each. Compiling (tracing) a recurrent model's train and
predict functions then costs more than the steps themselves. This times, for the
arithmetic report's builders at its smoke sizes (150 training queries), one epoch of
`training.compile_and_fit` plus two predictions (training and test side, as the
notebook scores them), compiled and eager, each in the same process, and prints the
ratio. `training.Recipe(eager="auto")` runs fits of at most `training.EAGER_STEPS` steps
eagerly because of it.

    python benchmarks/eager_small_fits.py [--examples 150] [--batch 64] [--repeats 2]

Prints a table and writes benchmarks/results/eager_small_fits_<backend>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def builders():
    from kerasreports.models import arithmetic as models

    text, images = (5, 13), (5, 28, 28, 1)
    return {"text2text": (models.text2text, text, (3, 13), "categorical_crossentropy"),
            "image2text_conv": (models.image2text_conv, images, (3, 13),
                                "categorical_crossentropy"),
            "text2image_dense": (models.text2image_dense, text, (3, 28, 28, 1), "mse")}


def time_fit(build, x, y, loss: str, *, eager: bool, batch: int) -> float:
    from kerasreports import runtime, training

    runtime.set_seed(0)
    model = build()
    recipe = training.Recipe(model.name, batch, 0.001, drop_remainder=True, eager=eager)
    started = time.perf_counter()
    training.compile_and_fit(model, recipe, x, y, validation=None, epochs=1, loss=loss,
                             metrics=(), verbose=0)
    model.predict(x, batch_size=512, verbose=0)
    model.predict(x[: len(x) // 3], batch_size=512, verbose=0)
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=150)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)

    import keras

    from kerasreports import runtime

    rng = np.random.default_rng(0)
    rows = []
    for name, (build, x_shape, y_shape, loss) in builders().items():
        x = rng.random((args.examples, *x_shape), dtype="float32")
        y = rng.random((args.examples, *y_shape), dtype="float32")
        times = {mode: statistics.median(
            time_fit(build, x, y, loss, eager=mode == "eager", batch=args.batch)
            for _ in range(args.repeats)) for mode in ("compiled", "eager")}
        rows.append({"model": name, "steps": -(-args.examples // args.batch),
                     "compiled_s": times["compiled"], "eager_s": times["eager"],
                     "speedup": times["compiled"] / times["eager"]})
        print(f"{name:18} compiled {times['compiled']:6.2f} s  eager {times['eager']:6.2f} s"
              f"  x{rows[-1]['speedup']:.1f}", flush=True)
    print(f"\n{args.examples} examples, batch {args.batch}, one epoch and two predictions "
          f"on {runtime.device_description()}, backend {keras.backend.backend()}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"eager_small_fits_{keras.backend.backend()}.json"
    out.write_text(json.dumps({"rows": rows, "examples": args.examples, "batch": args.batch,
                               "repeats": args.repeats, "machine": platform.node(),
                               "environment": runtime.environment()}, indent=2) + "\n")
    print("wrote", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
