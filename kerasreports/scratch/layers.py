"""Layers with parameters: `Linear`, `Conv2d`, `TransposeConv2d`, and the resizing blocks.

Tensors are channels_last (N, H, W, C) and kernels are stored in Keras' layouts, so a layer's
`[weight, bias]` can be handed to the matching Keras layer's `set_weights` unchanged.
Initialisation follows PyTorch's defaults (uniform in +-1/sqrt(fan_in)), drawn from the `rng`
keyword (a `numpy.random.Generator`), so that a seeded run is reproducible on any backend.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from ._patches import Pair, conv_output_size, fold_product, pair, unfold
from .module import Module, Parameter, ShapeError, Tensor


def _uniform(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, dtype: str) -> Parameter:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    bound = 1.0 / math.sqrt(fan_in)
    return Parameter(ops.convert_to_tensor(rng.uniform(-bound, bound, size=shape), dtype=dtype))


def _positive(name: str, value: int) -> int:
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def _fmt(value: Pair) -> str:
    return str(value[0]) if value[0] == value[1] else f"{value[0]}x{value[1]}"


class Linear(Module):
    """y = x @ W + b on (..., in_features); W is (in, out) like `keras.layers.Dense`."""

    def __init__(
        self, in_features: int, out_features: int, *, bias: bool = True,
        rng: np.random.Generator, dtype: str | None = None,
    ) -> None:
        self.in_features = _positive("in_features", in_features)
        self.out_features = _positive("out_features", out_features)
        self.dtype = dtype or keras.backend.floatx()
        self.weight = _uniform(rng, (in_features, out_features), in_features, self.dtype)
        self.bias = _uniform(rng, (out_features,), in_features, self.dtype) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        x = ops.convert_to_tensor(x, dtype=self.dtype)
        rank = len(ops.shape(x))
        self._check_input(x, rank=max(rank, 2), channels=self.in_features)
        y = ops.matmul(x, self.weight.value)
        if self.bias is not None:
            y = y + self.bias.value
        self._cache = {"x": x, "output_shape": tuple(ops.shape(y))}
        return y

    def backward(self, grad_output: Tensor) -> Tensor:
        cache = self._recall()
        self._check_grad(grad_output, cache["output_shape"])
        x2 = ops.reshape(cache["x"], (-1, self.in_features))
        g2 = ops.reshape(grad_output, (-1, self.out_features))
        self.weight.grad += ops.matmul(ops.transpose(x2), g2)
        if self.bias is not None:
            self.bias.grad += ops.sum(g2, axis=0)
        return ops.matmul(grad_output, ops.transpose(self.weight.value))

    def param(self) -> list[Parameter]:
        return [self.weight] + ([self.bias] if self.bias is not None else [])

    def __repr__(self) -> str:
        return f"Linear({self.in_features}->{self.out_features})"


class _Convolution(Module):
    """What Conv2d and TransposeConv2d share: hyperparameters, parameters and their repr."""

    _transposed = False

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int | Pair, *,
        stride: int | Pair = 1, padding: int | Pair = 0, dilation: int | Pair = 1,
        bias: bool = True, rng: np.random.Generator, dtype: str | None = None,
    ) -> None:
        self.in_channels = _positive("in_channels", in_channels)
        self.out_channels = _positive("out_channels", out_channels)
        self.kernel_size = pair(kernel_size, "kernel_size", minimum=1)
        self.stride = pair(stride, "stride", minimum=1)
        self.padding = pair(padding, "padding", minimum=0)
        self.dilation = pair(dilation, "dilation", minimum=1)
        self.dtype = dtype or keras.backend.floatx()
        kh, kw = self.kernel_size
        # PyTorch's fan_in is its weight's dimension 1 times the kernel area: in_channels for
        # Conv2d's (out, in, kh, kw), out_channels for ConvTranspose2d's (in, out, kh, kw).
        fan_in = (out_channels if self._transposed else in_channels) * kh * kw
        shape = (kh, kw, out_channels, in_channels) if self._transposed else (kh, kw, in_channels, out_channels)
        self.weight = _uniform(rng, shape, fan_in, self.dtype)
        self.bias = _uniform(rng, (out_channels,), fan_in, self.dtype) if bias else None

    def _geometry(self) -> dict[str, Pair]:
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation}

    def _per_axis(self, height: int, width: int) -> zip:
        """(size, kernel, stride, padding, dilation) for the rows, then for the columns."""
        return zip((height, width), self.kernel_size, self.stride, self.padding, self.dilation)

    def param(self) -> list[Parameter]:
        return [self.weight] + ([self.bias] if self.bias is not None else [])

    def __repr__(self) -> str:
        text = f"{type(self).__name__}({self.in_channels}->{self.out_channels}, "
        text += f"k={_fmt(self.kernel_size)}, s={_fmt(self.stride)}"
        if self.padding != (0, 0):
            text += f", p={_fmt(self.padding)}"
        if self.dilation != (1, 1):
            text += f", d={_fmt(self.dilation)}"
        return text + ")"


class Conv2d(_Convolution):
    """2-D cross-correlation with PyTorch's stride/padding/dilation; kernel (kh, kw, in, out).

    Forward is `unfold` then one matrix product, so backward is two more: the kernel gradient
    is unfolded input^T @ grad (one matmul over all N*Ho*Wo positions) and the input gradient
    is `fold(grad @ kernel^T)`, the adjoint of the unfolding, computed as `fold_product`
    (for a narrowing convolution, the same sum as a stride-1 correlation with the flipped
    kernel: 1.5x faster for the source model's last layer here).
    """

    def forward(self, x: Tensor) -> Tensor:
        x = ops.convert_to_tensor(x, dtype=self.dtype)
        self._check_input(x, rank=4, channels=self.in_channels)
        _, height, width, _ = ops.shape(x)
        sizes = [
            conv_output_size(n, k, stride=s, padding=p, dilation=d) for n, k, s, p, d in self._per_axis(height, width)
        ]
        if min(sizes) < 1:
            raise ShapeError(repr(self), f"a {height}x{width} input is smaller than the kernel's reach")
        cols = unfold(x, self.kernel_size, **self._geometry())
        y = ops.matmul(cols, self._matrix())
        if self.bias is not None:
            y = y + self.bias.value
        self._cache = {"cols": cols, "size": (height, width), "output_shape": tuple(ops.shape(y))}
        return y

    def backward(self, grad_output: Tensor) -> Tensor:
        cache = self._recall()
        self._check_grad(grad_output, cache["output_shape"])
        cols2 = ops.reshape(cache["cols"], (-1, ops.shape(cache["cols"])[-1]))
        g2 = ops.reshape(grad_output, (-1, self.out_channels))
        self.weight.grad += ops.reshape(ops.matmul(ops.transpose(cols2), g2), self.weight.shape)
        if self.bias is not None:
            self.bias.grad += ops.sum(g2, axis=0)
        return fold_product(grad_output, self._matrix(), cache["size"], self.kernel_size,
                            **self._geometry())

    def _matrix(self) -> Tensor:
        return ops.reshape(self.weight.value, (-1, self.out_channels))  # (kh*kw*in, out)


class TransposeConv2d(_Convolution):
    """PyTorch's ConvTranspose2d: the adjoint of Conv2d in its input; kernel (kh, kw, out, in).

    The kernel layout is `keras.layers.Conv2DTranspose`'s. Output size is
    (H-1)*stride - 2*padding + dilation*(kh-1) + 1 (no output_padding). Forward is
    `fold(x @ W^T)` (as `fold_product`), cropping the padding; backward unfolds the gradient (re-padded) for
    both the input gradient and the kernel gradient. Initialisation uses
    fan_in = out_channels*kh*kw, as PyTorch does for ConvTranspose2d.
    """

    _transposed = True

    def forward(self, x: Tensor) -> Tensor:
        x = ops.convert_to_tensor(x, dtype=self.dtype)
        self._check_input(x, rank=4, channels=self.in_channels)
        _, height, width, _ = ops.shape(x)
        size = tuple((n - 1) * s - 2 * p + d * (k - 1) + 1 for n, k, s, p, d in self._per_axis(height, width))
        if min(size) < 1:
            raise ShapeError(repr(self), f"padding {self.padding} leaves no output for a {height}x{width} input")
        y = fold_product(x, self._matrix(), size, self.kernel_size, **self._geometry())
        if self.bias is not None:
            y = y + self.bias.value
        self._cache = {"x": x, "output_shape": tuple(ops.shape(y))}
        return y

    def backward(self, grad_output: Tensor) -> Tensor:
        cache = self._recall()
        self._check_grad(grad_output, cache["output_shape"])
        grad_cols = unfold(grad_output, self.kernel_size, **self._geometry())  # (N, H, W, kh*kw*out)
        g2 = ops.reshape(grad_cols, (-1, ops.shape(grad_cols)[-1]))
        x2 = ops.reshape(cache["x"], (-1, self.in_channels))
        self.weight.grad += ops.reshape(ops.matmul(ops.transpose(g2), x2), self.weight.shape)
        if self.bias is not None:
            self.bias.grad += ops.sum(ops.reshape(grad_output, (-1, self.out_channels)), axis=0)
        return ops.matmul(grad_cols, self._matrix())

    def _matrix(self) -> Tensor:
        return ops.reshape(self.weight.value, (-1, self.in_channels))  # (kh*kw*out, in)


class NearestUpsampling(Module):
    """Repeat each pixel scale x scale times, like `keras.layers.UpSampling2D(size=scale)`.

    Each input pixel feeds a scale x scale block, so its gradient is that block's sum.
    """

    def __init__(self, scale: int) -> None:
        self.scale = _positive("scale", scale)

    def forward(self, x: Tensor) -> Tensor:
        x = ops.convert_to_tensor(x)
        self._check_input(x, rank=4, channels=None)
        y = ops.repeat(ops.repeat(x, self.scale, axis=1), self.scale, axis=2)
        self._cache = {"output_shape": tuple(ops.shape(y))}
        return y

    def backward(self, grad_output: Tensor) -> Tensor:
        cache = self._recall()
        self._check_grad(grad_output, cache["output_shape"])
        _, height, width, channels = cache["output_shape"]
        s = self.scale
        blocks = ops.reshape(grad_output, (-1, height // s, s, width // s, s, channels))
        return ops.sum(blocks, axis=(2, 4))

    def __repr__(self) -> str:
        return f"NearestUpsampling({self.scale})"


class Upsampling(Module):
    """The source report's "Upsampling": nearest-neighbour upsampling, then a stride-1 Conv2d.

    The default padding, kernel_size // 2, keeps the upsampled size (scale*H, scale*W) for an
    odd kernel; an even kernel cannot do that with symmetric padding, so it needs an explicit
    `padding` (and the output is then off by one).
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int, *, scale: int = 2,
        padding: int | None = None, bias: bool = True, rng: np.random.Generator, dtype: str | None = None,
    ) -> None:
        if padding is None:
            if not isinstance(kernel_size, int) or kernel_size % 2 == 0:
                raise ValueError(f"an even kernel_size ({kernel_size!r}) needs an explicit padding")
            padding = kernel_size // 2
        self.in_channels = in_channels
        self.upsample = NearestUpsampling(scale)
        self.conv = Conv2d(in_channels, out_channels, kernel_size, padding=padding, bias=bias, rng=rng, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        self._check_input(x, rank=4, channels=self.in_channels)
        y = self.conv(self.upsample(x))
        self._cache = {"output_shape": tuple(ops.shape(y))}
        return y

    def backward(self, grad_output: Tensor) -> Tensor:
        cache = self._recall()
        self._check_grad(grad_output, cache["output_shape"])
        return self.upsample.backward(self.conv.backward(grad_output))

    def param(self) -> list[Parameter]:
        return self.conv.param()

    def __repr__(self) -> str:
        conv = self.conv
        return f"Upsampling({conv.in_channels}->{conv.out_channels}, k={_fmt(conv.kernel_size)}, scale={self.upsample.scale})"
