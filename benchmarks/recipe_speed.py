"""Each report's source recipe, per training step, on TensorFlow (default, fused steps,
XLA) and on JAX, as ratios in one run; with the FLOPs of a step and the share of this
CPU's measured matmul rate that it reaches.

    python benchmarks/recipe_speed.py [--steps 200] [--recipes translation_lstm,...]

Prints a table and writes benchmarks/results/recipe_speed.json.

How it measures. One process per backend (Keras fixes its backend at import), one recipe
at a time: the package's own builder, random data of the real shapes, Adam and the
report's loss, trained through `resume.fit` as the notebooks train (batches from a
seeded `PyDataset`). Two epochs of `--steps` steps; the second is timed from its first
step's end to its last's, so compilation, the first epoch's warm-up and the start of an
epoch are left out. The convolutional autoencoder's steps take seconds, so it gets
`--slow-steps` (at least 3: two intervals). With `steps_per_execution` k, the interval
runs from one fused execution's end to the last's.

How FLOPs are counted. XLA's own cost analysis (`jax.jit(...).lower(...).compile()
.cost_analysis()["flops"]`, a dot product of m×k by k×n counting 2mkn) of the loss and
its gradient for one batch, on a copy of the model whose recurrent layers are unrolled
(XLA counts a `while` loop's body once, not once per time step), plus 10 FLOPs per
parameter for Adam's update. The matmul rate is measured on JAX at each recipe's own
main shape (its largest matrix product; for convolutions the im2col product of its
largest layer), with the same batch: "share" is the step's FLOP/s over that rate.

Where the time goes in the slowest recipe (dirty_documents' autoencoder on JAX, 15x
slower than on TensorFlow here: 56 s against 3.75 s a step of 16 pages): XLA's CPU
convolutions. Its step counts 152 GFLOP, most of them in the six 3x3 convolutions and
transposed convolutions (BatchNorm and ReLU cost a few operations per activation), and it
runs at 2.7 GFLOP/s on JAX against 40.6 on TensorFlow (oneDNN), whose rate is close to
JAX's own for a plain matmul of the largest layer's im2col shape (43.6): XLA on this CPU
does not turn these convolutions into matmuls of that speed. `--profile-slowest` times
the forward pass, the gradient and each convolution alone (forward + gradient, batch 16)
on JAX; run 2026-12-04 on a 2-core Intel Xeon (AMX), results/recipe_speed_slowest.json:

    forward pass, whole model                0.53 s
    forward + gradient, whole model         35.6 s
    e1 / e2 / e3 conv (stride 2)             0.11 / 0.42 / 0.33 s
    d1 / d2 Conv2DTranspose (stride 2)      11.6 / 22.6 s
    d3 Conv2DTranspose (stride 2, 3 ch.)     0.64 s

So the time is the gradient, not the forward pass (67x), and nearly all of it (34.2 of
35.6 s) is in the two wide strided transposed convolutions of the decoder. Their
forward pass is a cheap dilated-input convolution, but their gradients are convolutions
with dilated inputs and strided windows. XLA's CPU backend does not seem to route those
to its fast Eigen/oneDNN convolution, and TensorFlow's oneDNN kernels run the same
layers ~15x faster. What would remove it on JAX: write each stride-2 transposed
convolution as a sub-pixel convolution (stride-1 convolutions of the input, then
depth-to-space), which is the same function with the weights rearranged. That has not
been tried here; the report keeps this model on TensorFlow (`backends.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from kerasreports import runtime  # noqa: E402  (imports neither Keras nor a backend)

RESULTS = Path(__file__).resolve().parent / "results"

# name: (report, batch, main matmul (m, k, n) at that batch, what it is)
RECIPES = {
    "translation_lstm": ("translation", 16, (16, 128, 256),
                         "stacked LSTM(64), 21 steps: gate matmul [x, h] @ W"),
    "arithmetic_text2text": ("arithmetic", 16, (16, 512, 1024),
                             "LSTM(256) encoder + 1 extra + decoder: gate matmul"),
    "mnist_dae": ("mnist_dae", 256, (256, 784, 512), "dense 784 -> 512"),
    # Its largest layer, d2 (64x64x256 -> 128x128x64), as im2col has 16*128*128 rows:
    # 2.4 GB of float32, so the rate is measured on 16*32*32 of them.
    "dirty_documents_ae": ("dirty_documents", 16, (16 * 32 * 32, 9 * 256, 64),
                           "conv AE: d2 transposed conv as im2col (rows cut)"),
    "arithmetic_tdconv": ("arithmetic", 16, (16 * 5 * 11 * 11, 9 * 32, 64),
                          "per-image CNN's 2nd conv as im2col"),
}
SLOW = {"dirty_documents_ae"}
# TensorFlow variants: Keras' default, fused steps, XLA.
TF_VARIANTS = {"default": {}, "spe32": {"steps_per_execution": 32},
               "spe250": {"steps_per_execution": 250}, "xla": {"jit_compile": True}}
TF_VARIANTS_PER_RECIPE = {"translation_lstm": tuple(TF_VARIANTS)}


def build(recipe: str):
    """(model, x, y, loss) for one recipe, x and y one epoch's worth of batches later."""
    import keras

    if recipe == "translation_lstm":
        from kerasreports.models import translation

        return translation.stacked_rnn(cell="lstm"), (21, 1), ("ids", 21, 345), \
            "sparse_categorical_crossentropy"
    if recipe == "arithmetic_text2text":
        from kerasreports.models import arithmetic

        return arithmetic.text2text(extra_layers=1), (5, 13), ("onehot", 3, 13), \
            "categorical_crossentropy"
    if recipe == "arithmetic_tdconv":
        from kerasreports.models import arithmetic

        return arithmetic.image2text_conv(), (5, 28, 28, 1), ("onehot", 3, 13), \
            "categorical_crossentropy"
    if recipe == "mnist_dae":
        from kerasreports.models import autoencoders

        return autoencoders.dense_dae(), (784,), ("unit", 784), "mse"
    if recipe == "dirty_documents_ae":
        from kerasreports.models import dirty_documents

        return dirty_documents.source_autoencoder(), (256, 256, 3), ("unit", 256, 256, 3), "mse"
    raise KeyError(recipe)
    del keras


def _data(x_shape, y_kind, n: int):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.random((n, *x_shape), dtype="float32")
    kind, *shape = y_kind
    if kind == "ids":
        y = rng.integers(0, shape[-1], (n, *shape[:-1])).astype("int32")
    elif kind == "onehot":
        y = np.eye(shape[-1], dtype="float32")[rng.integers(0, shape[-1], (n, *shape[:-1]))]
    else:
        y = rng.random((n, *shape), dtype="float32")
    return x, y


class _StepClock:
    """When each step of the last epoch ended: (step index, perf_counter). Keras calls
    `on_train_batch_end` once per execution (every k steps with steps_per_execution=k)
    with the index of its last step."""

    def __init__(self):
        import keras

        class Clock(keras.callbacks.Callback):
            def on_epoch_begin(inner, epoch, logs=None):
                inner.ends = []

            def on_train_batch_end(inner, batch, logs=None):
                inner.ends.append((batch, time.perf_counter()))

        self.callback = Clock()

    def ms_per_step(self) -> float:
        (first, t0), (last, t1) = self.callback.ends[0], self.callback.ends[-1]
        return (t1 - t0) / (last - first) * 1000


def ms_per_step(recipe: str, steps: int, **compile_options) -> float:
    """Milliseconds per step in the second of two epochs, from its first step's end to
    its last's: compilation and the start of an epoch (Keras starting the PyDataset's
    feeder, ~1 s on TensorFlow) are left out."""
    import keras

    from kerasreports import resume

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model, x_shape, y_kind, loss = build(recipe)
    batch = RECIPES[recipe][1]
    # Two fused executions at least, for one interval between their ends.
    steps = max(steps, 2 * compile_options.get("steps_per_execution", 1))
    x, y = _data(x_shape, y_kind, batch * steps)
    model.compile(optimizer="adam", loss=loss, **compile_options)
    clock = _StepClock()
    resume.fit(model, x, y, batch_size=batch, epochs=2, verbose=0,
               callbacks=[clock.callback], seed=0)
    return clock.ms_per_step()


def _unrolled(model):
    """A copy of `model` whose recurrent layers are unrolled (for counting FLOPs)."""
    import keras

    def unroll(node):
        if isinstance(node, dict):
            if node.get("class_name") in ("LSTM", "GRU", "SimpleRNN") and "config" in node:
                node["config"]["unroll"] = True
            for value in node.values():
                unroll(value)
        elif isinstance(node, list):
            for value in node:
                unroll(value)

    config = keras.saving.serialize_keras_object(model)
    unroll(config)
    return keras.saving.deserialize_keras_object(config)


def step_flops(recipe: str) -> float:
    """XLA's FLOP count of one training step (see the module docstring)."""
    import jax
    import keras
    import numpy as np

    model, x_shape, y_kind, loss_name = build(recipe)
    model = _unrolled(model)
    batch = RECIPES[recipe][1]
    x, y = _data(x_shape, y_kind, batch)
    loss_fn = keras.losses.get(loss_name)

    def loss(trainable, non_trainable, x, y):
        out, _ = model.stateless_call(trainable, non_trainable, x, training=True)
        return keras.ops.mean(loss_fn(y, out))

    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    compiled = jax.jit(jax.value_and_grad(loss)).lower(trainable, non_trainable, x, y).compile()
    analysis = compiled.cost_analysis()
    if isinstance(analysis, list):
        analysis = analysis[0]
    params = int(sum(np.prod(v.shape) for v in model.trainable_variables))
    return float(analysis["flops"]) + 10.0 * params


def matmul_gflops(shape, seconds: float = 0.2) -> float:
    """JAX's rate for an m x k by k x n product, in GFLOP/s: a jitted `lax.scan` over a
    stack of different left matrices, so that Python's dispatch of one call (~20 us,
    more than a 16 x 128 x 256 product takes) is paid once for the whole stack and XLA
    cannot hoist the product out of the loop."""
    import jax
    import jax.numpy as jnp

    m, k, n = shape
    flops = 2 * m * k * n
    repeats = max(1, min(4096, int(seconds * 50e9 / flops), int(2e8 // (m * k))))
    stack = jax.random.uniform(jax.random.key(0), (repeats, m, k), jnp.float32)
    b = jax.random.uniform(jax.random.key(1), (k, n), jnp.float32)

    @jax.jit
    def products(stack, b):
        return jax.lax.scan(lambda total, a: (total + a @ b, None),
                            jnp.zeros((m, n), jnp.float32), stack)[0]

    products(stack, b).block_until_ready()
    times = []
    for _ in range(5):
        started = time.perf_counter()
        products(stack, b).block_until_ready()
        times.append(time.perf_counter() - started)
    return repeats * flops / statistics.median(times) / 1e9


def profile_slowest() -> dict:
    """dirty_documents' autoencoder on JAX: forward, forward + gradient, and each of its
    convolutions alone (forward + gradient), in seconds per batch of 16."""
    import jax
    import keras

    model, x_shape, y_kind, _ = build("dirty_documents_ae")
    x, y = _data(x_shape, y_kind, 16)
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    def forward(t, nt, x):
        return model.stateless_call(t, nt, x, training=True)[0]

    def loss(t, nt, x, y):
        return keras.ops.mean((forward(t, nt, x) - y) ** 2)

    def timed(f, *args, repeats=2):
        jax.block_until_ready(f(*args))
        started = time.perf_counter()
        for _ in range(repeats):
            jax.block_until_ready(f(*args))
        return (time.perf_counter() - started) / repeats

    out = {"forward_s": timed(jax.jit(forward), trainable, non_trainable, x),
           "forward_and_gradient_s": timed(jax.jit(jax.grad(loss)), trainable,
                                           non_trainable, x, y)}
    for layer in model.layers:
        if not isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            continue
        shape = (16, *layer.input.shape[1:])
        inputs = keras.random.uniform(shape)
        weights = [v.value for v in layer.trainable_variables]

        def layer_loss(w, i, layer=layer):
            return keras.ops.mean(layer.stateless_call(w, [], i)[0] ** 2)

        out[f"{layer.name}_forward_and_gradient_s"] = timed(
            jax.jit(jax.grad(layer_loss, argnums=(0, 1))), weights, inputs)
    return out


def worker(backend: str, recipes: list[str], steps: int, slow_steps: int) -> dict:
    import keras

    assert keras.backend.backend() == backend, keras.backend.backend()
    rows = {}
    for recipe in recipes:
        n = slow_steps if recipe in SLOW else steps
        if backend == "tensorflow":
            variants = TF_VARIANTS_PER_RECIPE.get(recipe, ("default",))
            rows[recipe] = {f"tf_{v}": ms_per_step(recipe, n, **TF_VARIANTS[v])
                            for v in variants}
        else:
            rows[recipe] = {"jax": ms_per_step(recipe, n),
                            "step_gflop": step_flops(recipe) / 1e9,
                            "matmul_gflops": matmul_gflops(RECIPES[recipe][2])}
        print(json.dumps({recipe: rows[recipe]}), file=sys.stderr, flush=True)
    return rows


def _in_subprocess(backend: str, args) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend}
    command = [sys.executable, __file__, "--worker", backend, "--steps", str(args.steps),
               "--slow-steps", str(args.slow_steps), "--recipes", ",".join(args.recipes)]
    # Its stderr (a line per recipe as it is measured) goes to ours: progress.
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the {backend} worker failed (its messages are above)")
    return json.loads(done.stdout.strip().splitlines()[-1])


def combine(recipe: str, tf_row: dict, jax_row: dict) -> dict:
    """One recipe's row: ms per step per variant, speed-ups over TensorFlow's default,
    FLOP rates and their share of the matmul rate, the fastest backend."""
    report, batch, shape, main_product = RECIPES[recipe]
    row = {"recipe": recipe, "report": report, "batch": batch, **tf_row, **jax_row,
           "main_matmul": "x".join(map(str, shape)), "main_matmul_is": main_product}
    variants = [k for k in tf_row if k != "tf_default"] + ["jax"]
    row["speedup_over_tf_default"] = {k: row["tf_default"] / row[k] for k in variants}
    for backend in ("tf_default", "jax"):
        achieved = row["step_gflop"] / (row[backend] / 1000)
        row[f"{backend}_gflops"] = achieved
        row[f"{backend}_share_of_matmul"] = achieved / row["matmul_gflops"]
    best_tf = min(v for k, v in tf_row.items())
    row["fastest"] = "jax" if row["jax"] < best_tf else "tensorflow"
    return row


def table(rows: list[dict]) -> str:
    lines = [f"{'recipe':21} {'batch':>5} {'TF ms':>8} {'TF options (x TF)':>28} {'JAX ms':>8} "
             f"{'JAX x':>6} {'GFLOP':>7} {'TF GF/s':>7} {'JAX GF/s':>8} {'matmul':>7} "
             f"{'share':>5} fastest"]
    for r in rows:
        options = " ".join(f"{k[3:]} {v:.2f}" for k, v in r["speedup_over_tf_default"].items()
                           if k.startswith("tf_"))
        best = "jax" if r["fastest"] == "jax" else "tf_default"
        lines.append(
            f"{r['recipe']:21} {r['batch']:5} {r['tf_default']:8.1f} {options:>28} "
            f"{r['jax']:8.1f} {r['speedup_over_tf_default']['jax']:6.2f} "
            f"{r['step_gflop']:7.3f} {r['tf_default_gflops']:7.1f} {r['jax_gflops']:8.1f} "
            f"{r['matmul_gflops']:7.1f} {r[best + '_share_of_matmul']:5.2f} {r['fastest']}")
    lines.append("GFLOP: one step (XLA's count, RNNs unrolled, + Adam); matmul: JAX's GFLOP/s "
                 "at the recipe's main product; share: the fastest backend's step rate / it")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=250)
    parser.add_argument("--slow-steps", type=int, default=3)
    parser.add_argument("--recipes", type=lambda s: s.split(","), default=list(RECIPES))
    parser.add_argument("--worker", choices=("tensorflow", "jax"), help=argparse.SUPPRESS)
    parser.add_argument("--profile-slowest", action="store_true")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.recipes, args.steps, args.slow_steps)))
        return 0
    if args.profile_slowest:
        os.environ["KERAS_BACKEND"] = "jax"
        found = {"benchmark": "recipe_speed --profile-slowest", "backend": "jax",
                 "machine": runtime.cpu_model(), "cores": os.cpu_count(),
                 "date": time.strftime("%Y-%m-%d"), "seconds_per_batch_of_16": profile_slowest()}
        print(json.dumps(found, indent=2))
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "recipe_speed_slowest.json").write_text(json.dumps(found, indent=2) + "\n")
        return 0

    tf_rows, jax_rows = _in_subprocess("tensorflow", args), _in_subprocess("jax", args)
    rows = [combine(recipe, tf_rows[recipe], jax_rows[recipe]) for recipe in args.recipes]
    print(table(rows))
    RESULTS.mkdir(exist_ok=True)
    result = {"benchmark": "recipe_speed", "machine": runtime.cpu_model(),
              "cores": os.cpu_count(), "steps": args.steps, "slow_steps": args.slow_steps,
              "date": time.strftime("%Y-%m-%d"), "rows": rows}
    (RESULTS / "recipe_speed.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS / 'recipe_speed.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
