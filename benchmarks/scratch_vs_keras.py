"""The scratch framework's forward + backward against Keras' layers, same shapes and backend.

For `Conv2d`, `TransposeConv2d` and the whole R8 model (`noise2noise.source_denoiser`),
times one forward and one backward pass of a batch (the scratch modules' hand-written
`backward`; for Keras, the backend's automatic gradient of the same layers with the same
weights), and prints scratch / Keras as a ratio. Keras is timed twice: op by op (eager)
and compiled (`tf.function` with XLA, or `jax.jit`), which is how Keras' fit trains; the scratch modules
too, op by op and compiled (the same hand-written passes traced by the same compilers, as
`scratch.fit` runs them by default). The scratch modules also report where their time goes: forward vs backward.

    python benchmarks/scratch_vs_keras.py [--batch 100] [--repeats 5] [--width 96]

Prints a table and writes benchmarks/results/scratch_vs_keras_<backend>.json.
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


def cases(width: int):
    from kerasreports import scratch
    from kerasreports.models import noise2noise

    rng = np.random.default_rng(0)
    half = width // 2
    return {
        f"Conv2d {half}->{width}, k3 s2 p1, 16x16": (
            scratch.Conv2d(half, width, 3, stride=2, padding=1, rng=rng), (16, 16, half)),
        f"Conv2d {half}->3, k3 s1 p1, 32x32 (last layer)": (
            scratch.Conv2d(half, 3, 3, padding=1, rng=rng), (32, 32, half)),
        f"TransposeConv2d {width}->{half}, k4 s2 p1, 8x8": (
            scratch.TransposeConv2d(width, half, 4, stride=2, padding=1, rng=rng),
            (8, 8, width)),
        f"source model, width {width}": (
            noise2noise.source_denoiser(width=width, rng=rng), (32, 32, 3)),
    }


def keras_of(module):
    """The Keras layers of `module` with its weights, as a model (via the R8 twin)."""
    import keras

    from kerasreports import scratch
    from kerasreports.models import noise2noise

    model = module if isinstance(module, scratch.Sequential) else scratch.Sequential(module)
    twin = noise2noise.keras_twin(model)
    return keras.Model(twin.inputs, twin.outputs)


def median_time(step, repeats: int) -> float:
    step()  # warm-up: tracing, allocation
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def scratch_steps(module, x, grad):
    from keras import ops

    def forward():
        return ops.convert_to_numpy(module(x))

    def both():
        module.zero_grad()
        module(x)
        return ops.convert_to_numpy(module.backward(grad))

    return forward, both


def scratch_compiled_step(module, x, grad):
    """The same forward + backward traced by the backend's compiler, as `scratch.fit` runs
    it by default (`kerasreports/scratch/compiled.py`)."""
    from keras import ops

    from kerasreports.scratch import compiled

    params = module.param()
    values = [p.value for p in params]

    def both(values, x, grad):
        for parameter, value in zip(params, values):
            parameter.value = value
        module.zero_grad()
        module(x)
        return module.backward(grad), [p.grad for p in params]

    traced = (compiled.compiler() or (lambda function: function))(both)

    def step():
        result = ops.convert_to_numpy(traced(values, x, grad)[0])
        for parameter, value in zip(params, values):  # tracing rebinds them to graph tensors
            parameter.value = value
        return result

    return step


def keras_steps(model, x, grad):
    """Eager and compiled forward + backward (input and weight gradients) of `model`."""
    import keras

    backend = keras.backend.backend()
    weights = model.trainable_variables
    if backend == "tensorflow":
        import tensorflow as tf

        def both():
            with tf.GradientTape() as tape:
                tape.watch(x)
                loss = tf.reduce_sum(model(x) * grad)
            return tape.gradient(loss, [x, *weights])

        # XLA, as Keras' own fit compiles on TensorFlow (jit_compile="auto" picks it for
        # these layers unless op determinism is on).
        compiled = tf.function(both, jit_compile=True)
        return (lambda: [g.numpy() for g in both()]), (lambda: [g.numpy() for g in compiled()])
    if backend == "jax":
        import jax

        values = [w.value for w in weights]

        def loss(inputs, values):
            out, _ = model.stateless_call(values, [], inputs)
            return (out * grad).sum()

        grad_fn = jax.grad(loss, argnums=(0, 1))
        compiled = jax.jit(grad_fn)
        return ((lambda: jax.block_until_ready(grad_fn(x, values))),
                (lambda: jax.block_until_ready(compiled(x, values))))
    raise SystemExit(f"backend {backend} is not measured here; use tensorflow or jax")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--width", type=int, default=96)
    args = parser.parse_args(argv)

    import keras
    from keras import ops

    from kerasreports import runtime

    rng = np.random.default_rng(1)
    rows = []
    for name, (module, shape) in cases(args.width).items():
        x = ops.convert_to_tensor(rng.random((args.batch, *shape), dtype="float32"))
        grad = ops.convert_to_tensor(rng.random(ops.shape(module(x)), dtype="float32"))
        forward, both = scratch_steps(module, x, grad)
        compiled_both = scratch_compiled_step(module, x, grad)
        keras_eager, keras_compiled = keras_steps(keras_of(module), x, grad)
        row = {"case": name,
               "scratch_forward_s": median_time(forward, args.repeats),
               "scratch_forward_backward_s": median_time(both, args.repeats),
               "scratch_compiled_s": median_time(compiled_both, args.repeats),
               "keras_eager_s": median_time(keras_eager, args.repeats),
               "keras_compiled_s": median_time(keras_compiled, args.repeats)}
        row["ratio_vs_eager"] = row["scratch_forward_backward_s"] / row["keras_eager_s"]
        row["ratio_vs_compiled"] = row["scratch_forward_backward_s"] / row["keras_compiled_s"]
        row["ratio_compiled_vs_compiled"] = row["scratch_compiled_s"] / row["keras_compiled_s"]
        rows.append(row)
        print(f"{name:48} scratch {row['scratch_forward_backward_s'] * 1000:8.1f} ms "
              f"(forward {row['scratch_forward_s'] * 1000:7.1f})  Keras eager "
              f"{row['keras_eager_s'] * 1000:8.1f} ms  compiled "
              f"{row['keras_compiled_s'] * 1000:8.1f} ms  ratio x{row['ratio_vs_eager']:.2f}"
              f" / x{row['ratio_vs_compiled']:.2f}; scratch compiled "
              f"{row['scratch_compiled_s'] * 1000:8.1f} ms, x{row['ratio_compiled_vs_compiled']:.2f}"
              " Keras compiled", flush=True)
    print(f"\nforward + backward of a batch of {args.batch}, median of {args.repeats}, on "
          f"{runtime.device_description()}, backend {keras.backend.backend()}; ratio = "
          "scratch op by op / Keras (eager / compiled), then scratch compiled / Keras compiled")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"scratch_vs_keras_{keras.backend.backend()}.json"
    out.write_text(json.dumps({"rows": rows, "batch": args.batch, "repeats": args.repeats,
                               "width": args.width, "machine": platform.node(),
                               "environment": runtime.environment()}, indent=2) + "\n")
    print("wrote", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
