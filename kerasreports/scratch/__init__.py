"""A deep-learning framework written by hand: every gradient is derived and coded, none traced.

The source report (EPFL deep-learning miniproject 2) builds its Noise2Noise denoiser from
blocks that each implement `forward`, `backward` and `param`, with no automatic
differentiation. This package rebuilds those blocks on `keras.ops`, so the same code runs on
the TensorFlow and JAX backends and on a GPU, while the chain rule stays visible:

- a `Module` caches in `forward` what its `backward` needs, and `backward(grad_output)`
  returns the input gradient and adds (`+=`) parameter gradients into `Parameter.grad`;
- `Sequential` chains modules forward, and backward in reverse;
- `Conv2d` is im2col: `unfold` the receptive fields, then one matrix product; its input
  gradient is the adjoint `fold` (col2im). `TransposeConv2d` is the same pair swapped.

Tensors are channels_last (N, H, W, C), not PyTorch's (N, C, H, W) of the source, and the
weights are in Keras' layouts: Conv2d (kh, kw, in, out) as `keras.layers.Conv2D`,
TransposeConv2d (kh, kw, out, in) as `keras.layers.Conv2DTranspose`, Linear (in, out) as
`keras.layers.Dense`. That is Keras' own layout (its default `data_format`), so each block can
be checked against the Keras layer given the same weights (`set_weights([weight, bias])`) and
its result handed to the rest of this project without transposes. A PyTorch state dict maps
over with `weight.permute(2, 3, 1, 0)` for both convolutions and `weight.T` for Linear.

Initialisation follows PyTorch's defaults and draws from a required `rng` keyword (a
`numpy.random.Generator`), so a seeded run is reproducible on any backend.
"""

from .activations import ELU, SELU, ReLU, Sigmoid
from .io import load, save
from .layers import Conv2d, Linear, NearestUpsampling, TransposeConv2d, Upsampling
from .losses import MSE
from .module import Module, Parameter, Sequential, ShapeError
from .optim import SGD
from .train import evaluate, fit, predict

__all__ = [
    "ELU", "MSE", "SELU", "SGD", "Conv2d", "Linear", "Module", "NearestUpsampling", "Parameter",
    "ReLU", "Sequential", "ShapeError", "Sigmoid", "TransposeConv2d", "Upsampling",
    "evaluate", "fit", "load", "predict", "save",
]
