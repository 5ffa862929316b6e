"""Time to the same accuracy: the source's recipe vs a fast recipe, stacked LSTM (R2).

In one run, each phase in a process of its own (Keras fixes its backend at import):
1. train the source's stacked LSTM with the source's recipe (Adam 0.001, batch 16) on
   the package's default backend, TensorFlow, for `--source-epochs` epochs and measure
   its validation accuracy (Keras' `accuracy`: every position, padding included, as the
   source's curves);
2. train the same architecture with `models.translation.FAST_RECIPE` on
   `--fast-backend` (JAX: the faster backend for this recurrent model here, see
   benchmarks/recipe_speed.py), checking the validation accuracy every `--check-every`
   fraction of an epoch, until it reaches the source recipe's accuracy (or
   `--max-fast-epochs` pass);
3. print both training wall times (validation checks excluded from both) and their
   ratio, and write JSON to benchmarks/results/.

    python benchmarks/translation_time_to_accuracy.py [--source-epochs 3]

Needs the real small_vocab data (KERASREPORTS_DATA or ./data) and JAX.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from kerasreports import resume, runtime, training  # noqa: E402
from kerasreports.datasets import small_vocab  # noqa: E402
from kerasreports.models import translation  # noqa: E402


LOSS = "sparse_categorical_crossentropy"


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


def _corpus(args):
    corpus = small_vocab.report_data(data_dir=args.data_dir, seed=args.seed)  # the report's
    data, split = corpus.prepared, corpus.split
    x = data.x.astype("float32")
    return (x[split.train], data.y[split.train]), (x[split.validation], data.y[split.validation])


def source_phase(args) -> dict:
    """The source's recipe for `--source-epochs` epochs: its time and validation accuracy."""
    (x_train, y_train), (x_val, y_val) = _corpus(args)
    runtime.set_seed(args.seed)
    source = translation.SOURCE_RECIPE
    model = translation.stacked_rnn(cell="lstm")
    model.compile(optimizer=source.optimizer(0, args.source_epochs), loss=LOSS,
                  metrics=["accuracy"], jit_compile=source.jit_compile)
    print(f"source recipe on {keras.backend.backend()}: {source.describe()}, "
          f"{args.source_epochs} epochs", file=sys.stderr, flush=True)
    timer = training.EpochTimer()
    resume.fit(model, x_train, y_train, batch_size=source.batch_size,
               epochs=args.source_epochs, verbose=2, seed=args.seed, callbacks=[timer])
    target = model.evaluate(x_val, y_val, batch_size=2048, verbose=0,
                            return_dict=True)["accuracy"]
    return {"backend": keras.backend.backend(), "recipe": source.describe(),
            "seconds": timer.seconds[-1], "val_accuracy": target}


def fast_phase(args, target: float) -> dict:
    """FAST_RECIPE until it reaches `target` (checked every --check-every of an epoch)."""
    (x_train, y_train), (x_val, y_val) = _corpus(args)
    runtime.set_seed(args.seed)
    fast = translation.FAST_RECIPE
    steps = len(x_train) // fast.batch_size
    model = translation.stacked_rnn(cell="lstm")
    model.compile(optimizer=fast.optimizer(steps, args.max_fast_epochs), loss=LOSS,
                  metrics=["accuracy"], jit_compile=fast.jit_compile)
    stopper = StopAtAccuracy(x_val, y_val, target, max(1, round(steps * args.check_every)))
    print(f"fast recipe on {keras.backend.backend()}: {fast.describe()}, until validation "
          f"accuracy {target:.4f}", file=sys.stderr, flush=True)
    resume.fit(model, x_train, y_train, batch_size=fast.batch_size,
               drop_remainder=fast.drop_remainder, epochs=args.max_fast_epochs, verbose=0,
               callbacks=[stopper], seed=args.seed)
    reached = bool(stopper.checks) and stopper.checks[-1][1] >= target
    return {"backend": keras.backend.backend(), "recipe": fast.describe(),
            "reached": reached, "seconds": stopper.train_seconds if reached else None,
            "epochs": stopper.batches / steps, "checks": stopper.checks}


def _phase_in_subprocess(phase: str, backend: str, args, target=None) -> dict:
    command = [sys.executable, __file__, "--phase", phase, "--source-epochs",
               str(args.source_epochs), "--max-fast-epochs", str(args.max_fast_epochs),
               "--check-every", str(args.check_every), "--seed", str(args.seed)]
    if args.data_dir:
        command += ["--data-dir", args.data_dir]
    if target is not None:
        command += ["--target", repr(target)]
    done = subprocess.run(command, env={**os.environ, "KERAS_BACKEND": backend},
                          stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the {phase} phase on {backend} failed (messages above)")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-epochs", type=int, default=3)
    parser.add_argument("--source-backend", default="tensorflow",
                        help="the baseline: the package's default backend")
    parser.add_argument("--fast-backend", default="jax",
                        help="where the fast recipe runs (the faster backend for it here)")
    parser.add_argument("--max-fast-epochs", type=int, default=10)
    parser.add_argument("--check-every", type=float, default=0.1,
                        help="fraction of an epoch between the fast recipe's checks")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--phase", choices=("source", "fast"), help=argparse.SUPPRESS)
    parser.add_argument("--target", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    if args.phase == "source":
        print(json.dumps(source_phase(args)))
        return
    if args.phase == "fast":
        print(json.dumps(fast_phase(args, args.target)))
        return

    source = _phase_in_subprocess("source", args.source_backend, args)
    fast = _phase_in_subprocess("fast", args.fast_backend, args, target=source["val_accuracy"])
    speedup = source["seconds"] / fast["seconds"] if fast["reached"] else None
    result = {
        "benchmark": "translation_time_to_accuracy",
        "model": "stacked LSTM (72,345 params)",
        "source_epochs": args.source_epochs,
        "source": source,
        "fast": fast,
        "speedup": round(speedup, 2) if speedup else None,
        "machine": f"{platform.node()}, {runtime.cpu_model()}, {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"),
    }
    print()
    print(f"{'recipe':<8} {'backend':<11} {'train seconds':>14} {'val accuracy':>13}")
    print(f"{'source':<8} {source['backend']:<11} {source['seconds']:>14.1f} "
          f"{source['val_accuracy']:>13.4f}")
    last = fast["checks"][-1][1] if fast["checks"] else float("nan")
    shown = f"{fast['seconds']:.1f}" if fast["reached"] else "not reached"
    print(f"{'fast':<8} {fast['backend']:<11} {shown:>14} {last:>13.4f}")
    print(f"speedup (source time / fast time to the same accuracy): {result['speedup']}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "translation_time_to_accuracy.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
