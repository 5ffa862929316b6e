"""kerasreports.scratch on the JAX backend: the same code, its gradients checked by jax.grad.

The main checks (tests/test_scratch.py) run on TensorFlow, this project's default backend.
This runs the framework's own modules in a fresh process with KERAS_BACKEND=jax and 64-bit
floats, and compares every block's hand-written backward with `jax.grad` of its forward.
Skipped where JAX is not installed (it is not a dependency: `pip install jax` to run it).
"""

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                                reason="JAX is not installed (pip install jax)")

CHECK = textwrap.dedent('''
    import jax, keras, numpy as np
    from kerasreports import scratch
    from kerasreports.models import noise2noise
    assert keras.backend.backend() == "jax"
    r = lambda s=0: np.random.default_rng(s)
    cases = {
        "Linear": (scratch.Linear(5, 4, rng=r(), dtype="float64"), (3, 5)),
        "Conv2d s2 p1 d1": (scratch.Conv2d(3, 4, 3, stride=2, padding=1, rng=r(),
                                           dtype="float64"), (2, 7, 5, 3)),
        "Conv2d d2": (scratch.Conv2d(3, 2, 2, dilation=2, rng=r(), dtype="float64"),
                      (2, 7, 6, 3)),
        "TransposeConv2d s2 p1": (scratch.TransposeConv2d(3, 2, 4, stride=2, padding=1,
                                                          rng=r(), dtype="float64"),
                                  (2, 4, 5, 3)),
        "Upsampling": (scratch.Upsampling(3, 2, 3, rng=r(), dtype="float64"), (2, 4, 5, 3)),
        "source model": (noise2noise.source_denoiser(width=4, rng=r(), dtype="float64"),
                         (2, 8, 8, 3)),
    }
    for name, activation in (("ELU", scratch.ELU()), ("SELU", scratch.SELU()),
                             ("Sigmoid", scratch.Sigmoid()), ("ReLU", scratch.ReLU())):
        cases[name] = (activation, (2, 3, 4))
    worst = 0.0
    for name, (module, shape) in cases.items():
        x = r(1).standard_normal(shape)
        g = r(2).standard_normal(np.shape(keras.ops.convert_to_numpy(module(x))))
        params = module.param()
        def objective(x, values):
            for p, v in zip(params, values):
                p.value = v
            return (module(x) * g).sum()
        values = [p.value for p in params]
        expected = jax.grad(objective, argnums=(0, 1))(x, values)
        for p, v in zip(params, values):
            p.value = v
        module.zero_grad()
        module(x)
        got_x = module.backward(g)
        for got, want in [(got_x, expected[0]),
                          *((p.grad, e) for p, e in zip(params, expected[1]))]:
            got, want = np.asarray(got), np.asarray(want)
            error = np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-12)
            assert error < 1e-10, (name, error)
            worst = max(worst, float(error))
    print("largest relative error", worst)
''')


def test_every_block_matches_jax_grad_on_the_jax_backend():
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_ENABLE_X64": "1",
           "JAX_PLATFORMS": "cpu"}
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "largest relative error" in done.stdout
