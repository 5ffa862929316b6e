"""`Parameter`, `Module` and `Sequential`: the three pieces every other block is built from.

There is no graph and no tape. A module caches, during `forward`, exactly what its own `backward`
needs; `backward` turns the gradient of the loss with respect to the module's output into the
gradient with respect to its input, and adds (`+=`) the gradients of its parameters into their
`.grad`, so that several backward passes accumulate until `zero_grad()`, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import Any

from keras import ops

Tensor = Any  # a backend tensor (tf.Tensor, jax.Array, ...): keras.ops accepts them all


class ShapeError(ValueError):
    """A tensor of the wrong shape reached a module.

    `where` names the module (and, once a `Sequential` has re-raised it, the layer's index),
    `detail` says what was expected, so a container can prefix its own position without
    repeating the message.
    """

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(f"{where}: {detail}")
        self.where = where
        self.detail = detail


class Parameter:
    """A trainable tensor and its gradient.

    Backend tensors are immutable (TensorFlow, JAX), so `.value` and `.grad` are rebound rather
    than updated in place; optimizers and `io.load` hold the `Parameter`, never the tensor.
    Iterating gives `(value, grad)`, so `for value, grad in module.param()` reads like the source.
    """

    def __init__(self, value: Tensor) -> None:
        self.value = ops.convert_to_tensor(value)
        self.grad = ops.zeros_like(self.value)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(ops.shape(self.value))

    def zero_grad(self) -> None:
        self.grad = ops.zeros_like(self.value)

    def __iter__(self) -> Iterator[Tensor]:
        return iter((self.value, self.grad))

    def __repr__(self) -> str:
        return f"Parameter(shape={self.shape})"


class Module:
    """Base class: `forward`, `backward`, `param`, `zero_grad`; calling a module runs `forward`."""

    _cache: dict[str, Any] | None = None

    def forward(self, *inputs: Tensor) -> Tensor:
        raise NotImplementedError

    def backward(self, grad_output: Tensor) -> Tensor:
        raise NotImplementedError

    def param(self) -> list[Parameter]:
        """The module's parameters, in a fixed order (the order `io.save` writes them)."""
        return []

    def zero_grad(self) -> None:
        for parameter in self.param():
            parameter.zero_grad()

    def __call__(self, *inputs: Tensor) -> Tensor:
        return self.forward(*inputs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # Helpers for subclasses -------------------------------------------------------------

    def _recall(self) -> dict[str, Any]:
        """What the last `forward` cached; a clear error if there was none."""
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        return self._cache

    def _check_input(self, x: Tensor, *, rank: int, channels: int | None) -> None:
        """Refuse an input of the wrong rank or channel count before computing anything."""
        shape = tuple(ops.shape(x))
        if len(shape) != rank:
            raise ShapeError(repr(self), f"expected a {rank}-D input, got shape {shape}")
        if channels is not None and shape[-1] != channels:
            raise ShapeError(repr(self), f"expected {channels} input channels, got {shape[-1]}")

    def _check_grad(self, grad_output: Tensor, expected: tuple[int, ...]) -> None:
        shape = tuple(ops.shape(grad_output))
        if shape != tuple(expected):
            raise ShapeError(
                repr(self), f"grad_output has shape {shape}, expected the output shape {tuple(expected)}"
            )


class Sequential(Module):
    """Modules applied in order; `backward` visits them in reverse.

    A shape error inside is re-raised with the layer's index, so that in a long model the
    message says which layer refused its input ("layer 2 (Conv2d(...)): expected 48 ...").
    """

    def __init__(self, *modules: Module) -> None:
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"layer {index} is not a Module: {module!r}")
        self.modules = list(modules)

    def forward(self, x: Tensor) -> Tensor:
        for index, module in enumerate(self.modules):
            with _located(index, module):
                x = module(x)
        return x

    def backward(self, grad_output: Tensor) -> Tensor:
        for index in reversed(range(len(self.modules))):
            module = self.modules[index]
            with _located(index, module):
                grad_output = module.backward(grad_output)
        return grad_output

    def param(self) -> list[Parameter]:
        return [parameter for module in self.modules for parameter in module.param()]

    def __len__(self) -> int:
        return len(self.modules)

    def __getitem__(self, index: int) -> Module:
        return self.modules[index]

    def __iter__(self) -> Iterator[Module]:
        return iter(self.modules)

    def __repr__(self) -> str:
        return "Sequential(" + ", ".join(repr(module) for module in self.modules) + ")"


class _located:
    """Context manager: prefix a child's `ShapeError` with "layer i (child)"."""

    def __init__(self, index: int, module: Module) -> None:
        self.index, self.module = index, module

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> bool:
        if isinstance(error, ShapeError):
            where = f"layer {self.index} ({self.module!r})"
            # The child's own message already names it; a nested container's does not.
            detail = error.detail if error.where == repr(self.module) else str(error)
            raise ShapeError(where, detail) from error
        return False
