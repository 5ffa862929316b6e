"""The `scratch_framework` report's denoisers (R8, `seeds/003_*`).

`source_denoiser` is the course's suggested model, built with the no-autograd framework
(`kerasreports.scratch`): Conv(stride 2), act, Conv(stride 2), act, Upsampling, act,
Upsampling, Sigmoid. The source gives the block order but not the kernel sizes or the
channel counts beyond "3 to 96" and "3 to 256" (its width search); our reading:

- `width` is the widest layer: Conv 3 -> width/2 -> width, then back width -> width/2 -> 3,
  so 32x32 -> 16x16 -> 8x8 -> 16x16 -> 32x32;
- 3x3 kernels, padding 1 (stride-2 convolutions halve 32 exactly);
- "Upsampling" is nearest-neighbour x2 then a 3x3 convolution (the source's own
  description); its alternative, `TransposeConv2d`, uses 4x4 kernels, stride 2, padding
  1, which double the size exactly.

`keras_twin` is the same network as Keras layers with the same weights (the kernels are
stored in Keras' layouts), for the check that the framework trains as Keras does.
`unet` is beyond the source: a small Noise2Noise U-Net in Keras (Lehtinen et al. 2018,
narrower for a CPU).
"""

from __future__ import annotations

import keras
import numpy as np

from kerasreports import scratch

ACTIVATIONS = {"relu": scratch.ReLU, "elu": scratch.ELU, "selu": scratch.SELU}
UPSAMPLINGS = ("nearest", "transpose")


def source_denoiser(*, width: int = 96, activation: str = "relu",
                    upsampling: str = "nearest", rng: np.random.Generator,
                    dtype: str | None = None) -> scratch.Sequential:
    """The source's model in the scratch framework (module docstring for the choices)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of: "
                         f"{', '.join(ACTIVATIONS)}")
    if upsampling not in UPSAMPLINGS:
        raise ValueError(f"unknown upsampling {upsampling!r}; choose one of: "
                         f"{', '.join(UPSAMPLINGS)}")
    if width < 2 or width % 2:
        raise ValueError(f"width must be an even number >= 2, got {width}")
    half, act = width // 2, ACTIVATIONS[activation]
    options = dict(rng=rng, dtype=dtype)

    def up(cin: int, cout: int):
        if upsampling == "nearest":
            return scratch.Upsampling(cin, cout, 3, scale=2, **options)
        return scratch.TransposeConv2d(cin, cout, 4, stride=2, padding=1, **options)

    return scratch.Sequential(
        scratch.Conv2d(3, half, 3, stride=2, padding=1, **options), act(),
        scratch.Conv2d(half, width, 3, stride=2, padding=1, **options), act(),
        up(width, half), act(),
        up(half, 3), scratch.Sigmoid())


def parameter_count(model: scratch.Module) -> int:
    return int(sum(np.prod(p.shape) for p in model.param()))


def keras_twin(model: scratch.Sequential) -> keras.Model:
    """`model` (a `source_denoiser`, or any Sequential of its kinds of blocks) as a Keras
    model holding copies of its weights."""
    inputs = keras.Input((None, None, model[0].in_channels), dtype=model[0].dtype)
    x = inputs
    for module in model:
        x = _keras_layers(module, x)
    return keras.Model(inputs, x, name="source_denoiser_keras")


def _keras_layers(module, x):
    dtype = getattr(module, "dtype", None) or getattr(getattr(module, "conv", None), "dtype",
                                                      None)
    if isinstance(module, scratch.Conv2d):
        return _conv(module, x)
    if isinstance(module, scratch.Upsampling):
        x = keras.layers.UpSampling2D(module.upsample.scale, interpolation="nearest",
                                      dtype=dtype)(x)
        return _conv(module.conv, x)
    if isinstance(module, scratch.TransposeConv2d):
        layer = keras.layers.Conv2DTranspose(
            module.out_channels, module.kernel_size, strides=module.stride,
            padding="valid", dtype=module.dtype)
        x = layer(x)
        layer.set_weights([_numpy(p.value) for p in module.param()])
        return keras.layers.Cropping2D(module.padding, dtype=module.dtype)(x)
    names = {scratch.ReLU: "relu", scratch.ELU: "elu", scratch.SELU: "selu",
             scratch.Sigmoid: "sigmoid"}
    for kind, name in names.items():
        if isinstance(module, kind):
            return keras.layers.Activation(name)(x)
    raise TypeError(f"no Keras twin for {module!r}")


def _conv(module: scratch.Conv2d, x):
    if module.padding != (0, 0):
        x = keras.layers.ZeroPadding2D(module.padding, dtype=module.dtype)(x)
    layer = keras.layers.Conv2D(module.out_channels, module.kernel_size,
                                strides=module.stride, dilation_rate=module.dilation,
                                padding="valid", dtype=module.dtype)
    x = layer(x)
    layer.set_weights([_numpy(p.value) for p in module.param()])
    return x


def _numpy(value) -> np.ndarray:
    return keras.ops.convert_to_numpy(value)


def unet(*, width: int = 32, depth: int = 2) -> keras.Model:
    """A small U-Net for Noise2Noise (beyond the source): `depth` times two 3x3 convs and a
    2x2 max-pool, then back up with nearest upsampling, skip concatenations and two convs,
    LeakyReLU(0.1) as in Noise2Noise's network, a linear 1x1 output. Widths `width` at
    every level (Noise2Noise uses 48 at every level)."""
    if depth < 1 or 32 % (2**depth):
        raise ValueError(f"depth must be 1..5 so that 32x32 halves evenly, got {depth}")

    def conv(x):
        x = keras.layers.Conv2D(width, 3, padding="same")(x)
        return keras.layers.LeakyReLU(0.1)(x)

    inputs = keras.Input((None, None, 3))
    x, skips = inputs, []
    for _ in range(depth):
        x = conv(conv(x))
        skips.append(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = conv(x)
    for skip in reversed(skips):
        x = keras.layers.UpSampling2D(2)(x)
        x = keras.layers.Concatenate()([x, skip])
        x = conv(conv(x))
    outputs = keras.layers.Conv2D(3, 1)(x)
    return keras.Model(inputs, outputs, name="noise2noise_unet")
