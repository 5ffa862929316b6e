"""The framework's steps compiled into one graph: still every gradient written by hand.

Run op by op, a training step of the source's model spends most of its time dispatching
small operations from Python (`benchmarks/scratch_vs_keras.py`). Keras trains its own models
compiled, so the fair comparison, and the fast way to run the source's searches at its
settings, is to compile ours too: the hand-written `forward`, `backward` and `SGD.step` are
traced once by the backend's compiler (`tf.function` on TensorFlow, `jax.jit` on JAX) into a
graph that is then replayed for every batch. Tracing records the operations the framework
calls; it differentiates nothing, so no automatic gradient enters (this is the only module of
`scratch/` that imports a backend, and only for its compiler; a test checks both).

A traced function must be pure, while the framework's modules hold state (parameter values,
gradients, forward caches). Each compiled call therefore passes the parameter values (and
SGD's velocities) in and gets the new ones back; the `Parameter` objects are rebound to the
results after the call, and the forward caches, which hold the trace's symbolic tensors, are
cleared, so a `backward` afterwards says "backward called before forward" instead of failing
on a stale graph tensor. On other backends (torch, numpy) the functions run op by op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import keras
from keras import ops

from .losses import MSE
from .module import Module, Parameter, Tensor
from .optim import SGD


def compiler() -> Callable[[Callable], Callable] | None:
    """The backend's tracing compiler, or None where we run op by op."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        # XLA fuses the unfold/fold slicing with its neighbours: a training step of the
        # source's model (width 96, batch 100) takes 135 ms here, 161 ms as a plain graph.
        return lambda function: tf.function(function, jit_compile=True)
    if backend == "jax":
        import jax

        return jax.jit
    return None


def submodules(module: Module) -> Iterator[Module]:
    """`module` and every Module it holds (in attributes or lists), depth first."""
    yield module
    for value in vars(module).values():
        children = value if isinstance(value, (list, tuple)) else (value,)
        for child in children:
            if isinstance(child, Module):
                yield from submodules(child)


def check_optimizer_owner(model: Module, optimizer: SGD) -> None:
    """Refuse an optimizer built over another model's parameters (it would train nothing)."""
    owned = {id(parameter) for parameter in model.param()}
    if any(id(parameter) not in owned for parameter in optimizer.params):
        raise ValueError("the optimizer updates parameters that are not the model's: "
                         "build it from model.param() of the model being trained")


class CompiledModel:
    """A model's training step, loss and prediction, each compiled once per input shape.

    `train_step(x, y)` is `optimizer.zero_grad()`, forward, loss, `model.backward`,
    `optimizer.step()`, exactly as `fit` does op by op, and returns the batch's loss. The
    optimizer must update (a subset of) the model's own parameters: `fit` checks that
    (`check_optimizer_owner`) for both of its modes before it builds one of these.
    """

    def __init__(self, model: Module, loss: MSE, optimizer: SGD | None = None) -> None:
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.params: list[Parameter] = model.param()
        compile_ = compiler() or (lambda function: function)
        self._train = compile_(self._train_function)
        self._loss = compile_(self._loss_function)
        self._predict = compile_(self._predict_function)

    # The pure functions the compiler traces ---------------------------------------------

    def _bind(self, values: Sequence[Tensor]) -> None:
        for parameter, value in zip(self.params, values):
            parameter.value = value

    def _train_function(self, values, velocities, x, y):
        self._bind(values)
        optimizer = self.optimizer
        self.model.zero_grad()
        if optimizer.momentum:
            optimizer._velocity = list(velocities)
        value = self.loss(self.model(x), y)
        self.model.backward(self.loss.backward())
        optimizer.step()
        velocities = list(optimizer._velocity) if optimizer.momentum else []
        return [p.value for p in self.params], [p.grad for p in self.params], velocities, value

    def _loss_function(self, values, x, y):
        self._bind(values)
        return self.loss(self.model(x), y)

    def _predict_function(self, values, x):
        self._bind(values)
        return self.model(x)

    # What callers use --------------------------------------------------------------------

    def _values(self) -> list[Tensor]:
        return [parameter.value for parameter in self.params]

    def _forget_trace(self, values: Sequence[Tensor]) -> None:
        """Rebind the parameters to concrete `values` and drop caches holding trace tensors."""
        self._bind(values)
        for module in (*submodules(self.model), self.loss):
            module._cache = None

    def train_step(self, x: Tensor, y: Tensor) -> Tensor:
        if self.optimizer is None:
            raise RuntimeError("train_step needs the optimizer given to CompiledModel")
        optimizer = self.optimizer
        velocities = []
        if optimizer.momentum:
            # PyTorch starts the velocity at the first gradient; 0 * momentum + grad is the same.
            velocities = [ops.zeros_like(p.value) if v is None else v
                          for p, v in zip(optimizer.params, optimizer._velocity)]
        values, grads, velocities, value = self._train(self._values(), velocities, x, y)
        self._forget_trace(values)
        for parameter, grad in zip(self.params, grads):
            parameter.grad = grad
        if optimizer.momentum:
            optimizer._velocity = list(velocities)
        return value

    def loss_of(self, x: Tensor, y: Tensor) -> Tensor:
        values = self._values()
        value = self._loss(values, x, y)
        self._forget_trace(values)
        return value

    def predict(self, x: Tensor) -> Tensor:
        values = self._values()
        prediction = self._predict(values, x)
        self._forget_trace(values)
        return prediction

