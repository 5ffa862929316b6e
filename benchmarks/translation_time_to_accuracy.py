"""Time to the same accuracy: the source's recipe vs a fast recipe, stacked LSTM (R2).

In one run:
1. train the source's stacked LSTM with the source's recipe (Adam 0.001, batch 16, no
   XLA) for `--source-epochs` epochs and measure its validation accuracy (Keras'
   `accuracy`: every position, padding included, as the source's curves);
2. train the same architecture with `models.translation.FAST_RECIPE`, checking the
   validation accuracy every `--check-every` fraction of an epoch, until it reaches the
   source recipe's accuracy (or `--max-fast-epochs` pass);
3. print both training wall times (validation checks excluded from both) and their
   ratio, and write JSON to benchmarks/results/.

    python benchmarks/translation_time_to_accuracy.py --source-epochs 2

Needs the real small_vocab data (KERASREPORTS_DATA or ./data).
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

import keras  # noqa: E402

from kerasreports import resume, runtime  # noqa: E402
from kerasreports.datasets import small_vocab  # noqa: E402
from kerasreports.models import translation  # noqa: E402


class StopAtAccuracy(keras.callbacks.Callback):
    """Every `every` batches, pause the clock, measure validation accuracy, stop at target."""

    def __init__(self, x_val, y_val, target, every):
        super().__init__()
        self.x_val, self.y_val, self.target, self.every = x_val, y_val, target, every
        self.checks: list[tuple[float, float]] = []  # (training seconds, val accuracy)

    def on_train_begin(self, logs=None):
        self.train_seconds, self.mark, self.batches = 0.0, time.perf_counter(), 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        if self.batches % self.every:
            return
        self.train_seconds += time.perf_counter() - self.mark
        accuracy = self.model.evaluate(self.x_val, self.y_val, batch_size=2048, verbose=0,
                                       return_dict=True)["accuracy"]
        self.checks.append((self.train_seconds, accuracy))
        print(f"  fast: {self.batches} batches, {self.train_seconds:.1f} s, "
              f"val accuracy {accuracy:.4f}", flush=True)
        if accuracy >= self.target:
            self.model.stop_training = True
        self.mark = time.perf_counter()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-epochs", type=int, default=2)
    parser.add_argument("--max-fast-epochs", type=int, default=10)
    parser.add_argument("--check-every", type=float, default=0.1,
                        help="fraction of an epoch between the fast recipe's checks")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()

    corpus = small_vocab.report_data(data_dir=args.data_dir, seed=args.seed)  # the report's
    data, split = corpus.prepared, corpus.split
    x = data.x.astype("float32")
    x_train, y_train = x[split.train], data.y[split.train]
    x_val, y_val = x[split.validation], data.y[split.validation]
    loss = "sparse_categorical_crossentropy"

    runtime.set_seed(args.seed)
    source = translation.SOURCE_RECIPE
    model = translation.stacked_rnn(cell="lstm")
    model.compile(optimizer=source.optimizer(0, args.source_epochs), loss=loss,
                  metrics=["accuracy"], jit_compile=source.jit_compile)
    print(f"source recipe: {source.describe()}, {args.source_epochs} epochs", flush=True)
    started = time.perf_counter()
    resume.fit(model, x_train, y_train, batch_size=source.batch_size,
               epochs=args.source_epochs, verbose=2, seed=args.seed)
    source_seconds = time.perf_counter() - started
    target = model.evaluate(x_val, y_val, batch_size=2048, verbose=0,
                            return_dict=True)["accuracy"]
    print(f"source recipe: {source_seconds:.1f} s, validation accuracy {target:.4f}")

    runtime.set_seed(args.seed)
    fast = translation.FAST_RECIPE
    steps = math.ceil(len(x_train) / fast.batch_size)
    model = translation.stacked_rnn(cell="lstm")
    model.compile(optimizer=fast.optimizer(steps, args.max_fast_epochs), loss=loss,
                  metrics=["accuracy"], jit_compile=fast.jit_compile)
    stopper = StopAtAccuracy(x_val, y_val, target, max(1, round(steps * args.check_every)))
    print(f"fast recipe: {fast.describe()}, until validation accuracy {target:.4f}")
    resume.fit(model, x_train, y_train, batch_size=fast.batch_size,
               drop_remainder=fast.drop_remainder, epochs=args.max_fast_epochs, verbose=0,
               callbacks=[stopper], seed=args.seed)
    reached = bool(stopper.checks) and stopper.checks[-1][1] >= target
    fast_seconds = stopper.train_seconds if reached else float("nan")

    result = {
        "benchmark": "translation_time_to_accuracy",
        "model": "stacked LSTM (72,345 params)",
        "source_recipe": source.describe(),
        "source_epochs": args.source_epochs,
        "source_seconds": round(source_seconds, 2),
        "target_val_accuracy": target,
        "fast_recipe": fast.describe(),
        "fast_reached_target": reached,
        "fast_seconds": round(fast_seconds, 2),
        "fast_checks": stopper.checks,
        "speedup": round(source_seconds / fast_seconds, 2) if reached else None,
        "machine": f"{platform.node()}, {runtime.device_description()}",
        "environment": runtime.environment(),
    }
    print()
    print(f"{'recipe':<8} {'train seconds':>14} {'val accuracy':>13}")
    print(f"{'source':<8} {source_seconds:>14.1f} {target:>13.4f}")
    print(f"{'fast':<8} {fast_seconds:>14.1f} "
          f"{stopper.checks[-1][1] if stopper.checks else float('nan'):>13.4f}")
    print(f"speedup (source time / fast time to the same accuracy): {result['speedup']}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "translation_time_to_accuracy.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
