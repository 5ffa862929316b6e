"""The `image_classification` report's models (R5, `seeds/002_*` chapters 2-4): the LeNet and
ResNet34 families of the source, in Keras, with its parameter counts.

Every model takes uint8-valued images (0..255, as float32, NHWC) and returns logits
(PyTorch's `CrossEntropyLoss` takes logits: train with
`SparseCategoricalCrossentropy(from_logits=True)`). Its first layers are fixed and add no
weights: an optional augmentation block (the "super" ResNets only; active only when
called with `training=True`, as in `fit`), then `normalize`, a `Rescaling` by per-channel
constants computing (x/255 - mean)/std with CIFAR-10's training-set statistics for 10
classes and ImageNet's for TinyImageNet's 200.

LeNets (source Figs. 1-6), 32x32x3 input, 10 classes: Conv 3->6 5x5, act, AvgPool 2,
Conv 6->16 5x5, act, AvgPool 2, flatten (400), Linear 120, act, Linear 84, act, Linear 10:
62,006 parameters, 62,458 trainable with BatchNorm after every activation (LeNetBN,
LeNetBNDp, SuperLeNet). The layer names follow the listings: `conv1`, `conv1_act`,
`conv1_bn`, `conv1_dropout`, `pool1`, ..., `fc1`, `fc1_act`, `fc1_bn`, `fc1_dropout`,
`fc2`, ..., `fc3`; `input_dropout` is the listings' `Dropout(p=0.2)` before `conv1`.
PyTorch flattens CHW and Keras HWC: the order of the 400 features differs, their number
and the parameter counts do not.

TinyImageNet's LeNets (Table 2, classes=200): the source's 83,072 parameters are the two
convolutions (456 + 2,416) and a single Linear 400 -> 200 (80,200), so no hidden fully
connected layers (`fc`), and 400 = 16x5x5 means the convolutions saw 32x32 images: the
64x64 input is brought to 32x32 by a `Resizing` layer (`resize`, bilinear, which for an
exact halving is the mean of each 2x2 block; no weights) - our reading, as the source's
"resized into a fixed shape" suggests, rather than an adaptive pooling to 5x5 that the
source never mentions. BatchNorm after the two convolutions only gives its 83,116.
Dropout and BatchNorm follow the CIFAR-10 listings in the convolutional part.

ResNet34 (section 2.5, Tables 3-4), CIFAR-style: a 3x3 stride-1 stem conv 3->64 (no bias),
BN, ReLU and no max-pool; BasicBlocks [3, 4, 6, 3] at 64/128/256/512 channels (3x3 conv,
BN, ReLU, 3x3 conv, BN, add, ReLU; convolutions without bias, stride 2 in the first block
of stages 2-4, padded by one pixel on every side as PyTorch does: `ZeroPadding2D(1)` and
a "valid" convolution); global average pooling; `fc` 512 -> classes. The source's
21,286,346 trainable parameters (10 classes; 21,383,816 for 200) need a projection
shortcut (1x1 conv without bias + BN) on the first block of *every* stage, the first
(64 -> 64, stride 1) included; `first_stage_projection=False` gives torchvision's layout,
21,282,122. Names: `conv1`, `bn1`, `relu`, `stage{s}_block{b}_{conv1,bn1,relu1,conv2,bn2,
add,relu2}`, `stage{s}_block1_shortcut_{conv,bn}`, `avgpool`, `fc`. Spatial dropout
(`resnet_dropout`, `super_resnet`; rate 0.2, our choice - the source gives none) is a
`SpatialDropout2D` right after the first BN of every block, `..._bn1_dropout`: "after
BatchNormalization layers" (section 2.5), placed between the block's two convolutions
as Wide ResNets place their dropout (before the ReLU, which commutes with dropout's
masking and positive rescaling); never on the shortcut, so the identity path stays intact.

The trainable counts are PyTorch's: BatchNorm's gamma and beta; Keras' moving mean and
variance are non-trainable (PyTorch's buffers). BatchNorm is PyTorch's: momentum 0.1
(Keras momentum 0.9) and epsilon 1e-5.

Initialisation (`init`):

- "torch": PyTorch's defaults, which the source's plain models used: Conv2d/Linear
  weights kaiming_uniform(a=sqrt(5)) = U(+-1/sqrt(fan_in)) and biases U(+-1/sqrt(fan_in)).
- "kaiming" (SuperLeNet, SuperResNet; section 4.5): Kaiming-normal weights (fan_in, the
  gain of the activation that follows: sqrt(2) for ReLU, sqrt(2/(1+0.01^2)) for
  LeakyReLU(0.01); 1 for the output layer, which no activation follows - our choice:
  PyTorch's kaiming_normal_ applied to every layer would give it sqrt(2), doubling the
  logits' variance), biases 0.01. First-batch loss on 256 CIFAR-10 training images
  (BatchNorm in training mode): SuperLeNet 2.70, SuperResNet 2.78 (3.06 and 3.17 with
  sqrt(2) on the output layer; source 2.30 for both, ln 10 = 2.30).
- "wrong" (section 4.5: "weights initialized to large gaussian random values and biases to
  0.1"): weights N(0, 1), biases 0.1. The source does not give the spread; N(0, 1) is
  PyTorch's `nn.init.normal_` default, the likeliest code, and it reproduces the order of
  the initial losses the source printed without being fitted to any model. First-batch
  loss as above: SuperLeNet 13.6 (source 18.45), SuperResNet 35.6 (source 40.15); 31.5
  for TinyImageNet's SuperLeNet on random 64x64 images (source 36.07). Those are losses
  with BatchNorm in training mode, the only reading that fits the source's numbers: in
  inference mode before any training, BatchNorm's moving statistics are still 0 and 1
  and normalise nothing, so SuperLeNet's logits are ~1e4 and the "wrong" ResNet34
  overflows float32 (NaN). Even the Kaiming ResNet34 starts at a loss of ~240 that way,
  as its residual sums grow block by block: measure initial losses with
  `training=True` (or as the first batch of `fit`), not with `evaluate`.

All initialisers, dropouts and augmentations are seeded from `seed`: a builder called
twice with the same arguments returns the same model.

L2 weight decay: PyTorch's `Adam(weight_decay=wd)` adds wd*w to the gradient of every
parameter, i.e. a penalty wd/2*|w|^2 on all weights and biases (BatchNorm's gamma and beta
included); here Keras regularizers with factor wd/2 on every kernel, bias, gamma and beta.
Keras adds the penalty to the loss `fit` reports, PyTorch's printed loss leaves it out. The
source does not give LeNet's wd (`lenet_l2`: 5e-4, our choice, a common CIFAR value);
SuperResNet's is 0.01 (section 2.5).

SuperResNet's augmentation (section 2.5: random horizontal flip, random crop, colour
jitter), training only: `RandomFlip("horizontal")`; a random shift of up to 4 pixels with
zero fill (`RandomTranslation`, nearest), which is torchvision's `RandomCrop(32,
padding=4)` per image (Keras' `RandomCrop` crops every image of a batch at one place and
resizes at inference); and `RandomColorJitter` (brightness +-0.1 of the range, contrast
0.8-1.2, saturation x0.82-1.22; the source gives no strengths: these are about
torchvision's `ColorJitter(0.2, 0.2, 0.2)`). The padding is 4 pixels for 64x64 images too.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers

CIFAR10_MEAN = (0.49140, 0.48216, 0.44653)
CIFAR10_STD = (0.24703, 0.24349, 0.26159)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
TINYIMAGENET_CLASSES = 200

INITS = ("torch", "kaiming", "wrong")
LEAKY_SLOPE = 0.01
WRONG_STD = 1.0  # "large gaussian random values": PyTorch's nn.init.normal_ default


def is_tiny_imagenet(classes: int, input_shape) -> bool:
    """Whether a model is TinyImageNet's: 200 classes, or 64x64 images (so that a smoke
    run's stand-in with fewer classes builds the same layers as the real data)."""
    return classes == TINYIMAGENET_CLASSES or (
        input_shape is not None and tuple(input_shape[:2]) == (64, 64))


def _layout(classes: int, input_shape):
    """(input shape, normalisation mean, std) of the data set the source used."""
    if classes < 2:
        raise ValueError(f"classes must be at least 2, got {classes}")
    if is_tiny_imagenet(classes, input_shape):
        return tuple(input_shape or (64, 64, 3)), IMAGENET_MEAN, IMAGENET_STD
    return tuple(input_shape or (32, 32, 3)), CIFAR10_MEAN, CIFAR10_STD


def normalization(mean=CIFAR10_MEAN, std=CIFAR10_STD, *, name: str = "normalize"):
    """(x/255 - mean)/std per channel as a `Rescaling` layer: fixed, no weights."""
    mean, std = np.asarray(mean, "float64"), np.asarray(std, "float64")
    return layers.Rescaling(scale=(1 / (255 * std)).tolist(), offset=(-mean / std).tolist(),
                            name=name)


def _bn(name: str, regularizer=None):
    # PyTorch's BatchNorm defaults: running stats updated by 0.1 per step, eps 1e-5.
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name,
                                     gamma_regularizer=regularizer,
                                     beta_regularizer=regularizer)


class _Seeds:
    """Distinct, deterministic seeds for one model's initialisers and random layers."""

    def __init__(self, seed: int):
        self._rng = np.random.default_rng(seed)

    def __call__(self) -> int:
        return int(self._rng.integers(0, 2**31 - 1))


def _initializers(init: str, seeds: _Seeds, fan_in: int, gain: float):
    """(kernel, bias) initialisers of one layer under scheme `init` (module docstring)."""
    if init == "torch":
        bound = 1 / math.sqrt(fan_in)
        kernel = keras.initializers.VarianceScaling(scale=1 / 3, mode="fan_in",
                                                    distribution="uniform", seed=seeds())
        return kernel, keras.initializers.RandomUniform(-bound, bound, seed=seeds())
    if init == "kaiming":
        kernel = keras.initializers.VarianceScaling(scale=gain**2, mode="fan_in",
                                                    distribution="untruncated_normal",
                                                    seed=seeds())
        return kernel, keras.initializers.Constant(0.01)
    if init == "wrong":
        return (keras.initializers.RandomNormal(0.0, WRONG_STD, seed=seeds()),
                keras.initializers.Constant(0.1))
    raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INITS)}")


def _gain(activation: str | None) -> float:
    # PyTorch's torch.nn.init.calculate_gain
    if activation == "relu":
        return math.sqrt(2.0)
    if activation == "tanh":
        return 5 / 3
    if activation == "leaky_relu":
        return math.sqrt(2.0 / (1 + LEAKY_SLOPE**2))
    return 1.0  # the output layer: logits, no activation follows


def _l2(weight_decay: float):
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
    # PyTorch's weight_decay wd adds wd*w to the gradient: a penalty wd/2 * |w|^2.
    return keras.regularizers.L2(weight_decay / 2) if weight_decay else None


@keras.saving.register_keras_serializable(package="kerasreports")
class TrainingOnly(layers.Layer):
    """Applies `augmentations` in training only. Keras' random image layers default to
    training=True when called without it (e.g. `model(x)`); this block defaults to off."""

    def __init__(self, augmentations, **kwargs):
        super().__init__(**kwargs)
        self.augmentations = [layer if isinstance(layer, layers.Layer)
                              else keras.saving.deserialize_keras_object(layer)
                              for layer in augmentations]

    def get_config(self):
        return {**super().get_config(),
                "augmentations": [keras.saving.serialize_keras_object(layer)
                                  for layer in self.augmentations]}

    def build(self, input_shape):
        for layer in self.augmentations:  # each keeps the shape
            layer.build(input_shape)

    def call(self, inputs, training=False):
        x = inputs
        if training:
            for layer in self.augmentations:
                x = layer(x, training=True)
        return x

    def compute_output_shape(self, input_shape):
        return input_shape


def augmentation(*, padding: int = 4, size: int = 32, seed: int = 0,
                 name: str = "augment") -> TrainingOnly:
    """SuperResNet's augmentation (module docstring): flip, shift by <= `padding` pixels
    with zero fill (= torchvision's RandomCrop(size, padding)), colour jitter."""
    seeds = _Seeds(seed)
    shift = padding / size
    return TrainingOnly([
        layers.RandomFlip("horizontal", seed=seeds(), name=f"{name}_flip"),
        layers.RandomTranslation(shift, shift, fill_mode="constant", fill_value=0.0,
                                 interpolation="nearest", seed=seeds(),
                                 name=f"{name}_crop"),
        layers.RandomColorJitter(value_range=(0, 255), brightness_factor=0.1,
                                 contrast_factor=0.2, saturation_factor=(0.45, 0.55),
                                 seed=seeds(), name=f"{name}_jitter"),
    ], name=name)


def _activation(activation: str, name: str):
    if activation == "tanh":
        return layers.Activation("tanh", name=name)
    if activation == "leaky_relu":
        return layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=name)
    if activation == "relu":
        return layers.ReLU(name=name)
    raise ValueError(f"unknown activation {activation!r}; choose tanh, leaky_relu or relu")


# ---------------------------------------------------------------------------- LeNets

def lenet(*, classes: int = 10, input_shape=None, activation: str = "tanh",
          batch_norm: bool = False, dropout=(0.0, 0.0, 0.0, 0.0, 0.0),
          weight_decay: float = 0.0, init: str = "torch", seed: int = 0,
          name: str = "lenet") -> keras.Model:
    """The source's LeNet (Fig. 1); its variants are these options (module docstring).

    Args:
        classes: 10 (CIFAR-10, Figs. 1-6) or 200 (TinyImageNet: no hidden fully connected
            layers, 64x64 input resized to 32x32). 64x64 images with any count use
            TinyImageNet's layout too (`is_tiny_imagenet`), others the CIFAR one.
        input_shape: (height, width, 3); default 32x32x3, or 64x64x3 for 200 classes. Any
            other size than 32x32 is resized to 32x32 first.
        activation: "tanh" (LeNet) or "leaky_relu" (SuperLeNet, slope 0.01).
        batch_norm: BatchNorm after every activation (LeNetBN: Fig. 2).
        dropout: rates of the five dropouts of Figs. 3 and 5, in order: on the input,
            after conv1's block, after conv2's, after fc1's, after fc2's (0 = none; the
            last two are unused without hidden fully connected layers).
        weight_decay: PyTorch-style L2 weight decay wd (penalty wd/2 |w|^2, every weight).
        init: "torch", "kaiming" or "wrong" (module docstring).
        seed: seeds every initialiser and dropout.
    """
    input_shape, mean, std = _layout(classes, input_shape)
    if len(dropout) != 5 or not all(0 <= r < 1 for r in dropout):
        raise ValueError(f"dropout must be five rates in [0, 1), got {dropout!r}")
    seeds, reg = _Seeds(seed), _l2(weight_decay)
    hidden = () if is_tiny_imagenet(classes, input_shape) else (120, 84)

    def dense_or_conv(x, units, fan_in, gain, name, kernel_size=None):
        kernel, bias = _initializers(init, seeds, fan_in, gain)
        options = {"kernel_initializer": kernel, "bias_initializer": bias,
                       "kernel_regularizer": reg, "bias_regularizer": reg, "name": name}
        if kernel_size:
            return layers.Conv2D(units, kernel_size, **options)(x)
        return layers.Dense(units, **options)(x)

    def act_bn_dropout(x, name, rate):
        x = _activation(activation, f"{name}_act")(x)
        if batch_norm:
            x = _bn(f"{name}_bn", reg)(x)
        if rate:
            x = layers.Dropout(rate, seed=seeds(), name=f"{name}_dropout")(x)
        return x

    inputs = keras.Input(input_shape, name="image")
    x = inputs
    if tuple(input_shape[:2]) != (32, 32):
        x = layers.Resizing(32, 32, interpolation="bilinear", name="resize")(x)
    x = normalization(mean, std)(x)
    if dropout[0]:
        x = layers.Dropout(dropout[0], seed=seeds(), name="input_dropout")(x)
    channels = input_shape[-1]
    for i, filters in enumerate((6, 16), start=1):
        x = dense_or_conv(x, filters, 5 * 5 * channels, _gain(activation), f"conv{i}", 5)
        x = act_bn_dropout(x, f"conv{i}", dropout[i])
        x = layers.AveragePooling2D(2, name=f"pool{i}")(x)
        channels = filters
    x = layers.Flatten(name="flatten")(x)  # 16*5*5 = 400 (HWC order; PyTorch's is CHW)
    fan_in = 400
    for i, units in enumerate(hidden, start=1):
        x = dense_or_conv(x, units, fan_in, _gain(activation), f"fc{i}")
        x = act_bn_dropout(x, f"fc{i}", dropout[2 + i])
        fan_in = units
    head = f"fc{len(hidden) + 1}" if hidden else "fc"
    outputs = dense_or_conv(x, classes, fan_in, _gain(None), head)
    return keras.Model(inputs, outputs, name=name)


def lenet_bn(**options) -> keras.Model:
    """LeNetBN (Fig. 2): BatchNorm after every activation, the fully connected ones too."""
    return lenet(**{"batch_norm": True, "name": "lenet_bn", **options})


def lenet_dropout(**options) -> keras.Model:
    """LeNetDp (Fig. 3): dropout 0.2 on the input, 0.5 after every activation."""
    return lenet(**{"dropout": (0.2, 0.5, 0.5, 0.5, 0.5), "name": "lenet_dropout",
                    **options})


def lenet_l2(*, weight_decay: float = 5e-4, **options) -> keras.Model:
    """LeNet with L2 weight decay (Fig. 4): LeNet's layers; wd not given (5e-4 ours)."""
    return lenet(**{"weight_decay": weight_decay, "name": "lenet_l2", **options})


def lenet_bn_dropout(**options) -> keras.Model:
    """LeNetBNDp (Fig. 5): dropout 0.2 on the input; BatchNorm then dropout 0.5 after the
    convolutions' activations, BatchNorm then dropout 0.2 after the fully connected ones."""
    return lenet(**{"batch_norm": True, "dropout": (0.2, 0.5, 0.5, 0.2, 0.2),
                    "name": "lenet_bn_dropout", **options})


def super_lenet(**options) -> keras.Model:
    """SuperLeNet (Fig. 6, "LeNetMix"): LeakyReLU(0.01) and BatchNorm after every
    activation, one dropout 0.2 (after conv2's BatchNorm), Kaiming init, biases 0.01."""
    return lenet(**{"activation": "leaky_relu", "batch_norm": True,
                    "dropout": (0.0, 0.0, 0.2, 0.0, 0.0), "init": "kaiming",
                    "name": "super_lenet", **options})


def super_lenet_wrong_init(**options) -> keras.Model:
    """SuperLeNet with the source's "wrong" init: weights N(0, 1), biases 0.1."""
    return super_lenet(**{"init": "wrong", "name": "super_lenet_wrong_init", **options})


# --------------------------------------------------------------------------- ResNets

def resnet(*, classes: int = 10, input_shape=None, blocks=(3, 4, 6, 3), width: int = 64,
           first_stage_projection: bool = True,
           spatial_dropout: float = 0.0, weight_decay: float = 0.0, augment: bool = False,
           init: str = "torch", seed: int = 0, name: str = "resnet") -> keras.Model:
    """The source's CIFAR-style ResNet34 (section 2.5; module docstring for the layout).

    Args:
        classes: 10 (CIFAR-10) or 200 (TinyImageNet; ImageNet normalisation).
        input_shape: default 32x32x3, or 64x64x3 for 200 classes (not resized).
        blocks: BasicBlocks per stage (ResNet34: 3, 4, 6, 3).
        width: channels of the first stage, doubled at every next one (ResNet34: 64;
            narrower for a CPU).
        first_stage_projection: a 1x1-conv + BN shortcut on the first stage's first block
            too (the source's counts); False for torchvision's identity there.
        spatial_dropout: rate of a SpatialDropout2D after every block's first BN (0: none).
        weight_decay: PyTorch-style L2 weight decay wd (penalty wd/2 |w|^2, every weight).
        augment: SuperResNet's training-only flip / crop / colour jitter (`augmentation`).
        init: "torch", "kaiming" or "wrong" (module docstring).
        seed: seeds every initialiser, dropout and augmentation.
    """
    input_shape, mean, std = _layout(classes, input_shape)
    if not blocks or min(blocks) < 1 or width < 1:
        raise ValueError(f"need at least one stage, every stage >= 1 block and width >= 1, "
                         f"got blocks={blocks!r}, width={width!r}")
    widths = [width * 2**stage for stage in range(len(blocks))]
    if not 0 <= spatial_dropout < 1:
        raise ValueError(f"spatial_dropout must be in [0, 1), got {spatial_dropout}")
    seeds, reg = _Seeds(seed), _l2(weight_decay)

    def conv(x, filters, kernel_size, stride, name):
        fan_in = kernel_size * kernel_size * x.shape[-1]
        kernel, _ = _initializers(init, seeds, fan_in, _gain("relu"))
        if stride > 1 and kernel_size > 1:  # PyTorch's padding=1 on both sides
            x = layers.ZeroPadding2D(kernel_size // 2, name=f"{name}_pad")(x)
        if stride > 1 and kernel_size == 1:
            # A strided 1x1 conv is the 1x1 conv of every stride-th pixel; computed so,
            # because TensorFlow 2.21's oneDNN kernel for a strided 1x1 conv crashes the
            # process (SIGSEGV) on Intel CPUs with AMX for inputs of fewer than 16
            # channels at 64x64 and larger (TinyImageNet at a narrow width). Same weights,
            # same parameter count, same function.
            x = layers.MaxPooling2D(1, strides=stride, name=f"{name}_subsample")(x)
            stride = 1
        padding = "valid" if stride > 1 or kernel_size == 1 else "same"
        return layers.Conv2D(filters, kernel_size, strides=stride, padding=padding,
                             use_bias=False, kernel_initializer=kernel,
                             kernel_regularizer=reg, name=name)(x)

    def basic_block(x, filters, stride, project, p):
        shortcut = x
        if project:
            shortcut = conv(x, filters, 1, stride, f"{p}_shortcut_conv")
            shortcut = _bn(f"{p}_shortcut_bn", reg)(shortcut)
        h = conv(x, filters, 3, stride, f"{p}_conv1")
        h = _bn(f"{p}_bn1", reg)(h)
        if spatial_dropout:
            h = layers.SpatialDropout2D(spatial_dropout, seed=seeds(),
                                        name=f"{p}_bn1_dropout")(h)
        h = layers.ReLU(name=f"{p}_relu1")(h)
        h = conv(h, filters, 3, 1, f"{p}_conv2")
        h = _bn(f"{p}_bn2", reg)(h)
        h = layers.Add(name=f"{p}_add")([h, shortcut])
        return layers.ReLU(name=f"{p}_relu2")(h)

    inputs = keras.Input(input_shape, name="image")
    x = inputs
    if augment:
        x = augmentation(size=input_shape[0], seed=seeds())(x)
    x = normalization(mean, std)(x)
    x = conv(x, widths[0], 3, 1, "conv1")
    x = _bn("bn1", reg)(x)
    x = layers.ReLU(name="relu")(x)
    channels = widths[0]
    for s, (count, filters) in enumerate(zip(blocks, widths), start=1):
        for b in range(1, count + 1):
            stride = 2 if s > 1 and b == 1 else 1
            project = b == 1 and (first_stage_projection or stride > 1
                                  or channels != filters)
            x = basic_block(x, filters, stride, project, f"stage{s}_block{b}")
            channels = filters
    x = layers.GlobalAveragePooling2D(name="avgpool")(x)
    kernel, bias = _initializers(init, seeds, channels, _gain(None))
    outputs = layers.Dense(classes, kernel_initializer=kernel, bias_initializer=bias,
                           kernel_regularizer=reg, bias_regularizer=reg, name="fc")(x)
    return keras.Model(inputs, outputs, name=name)


def resnet_dropout(*, spatial_dropout: float = 0.2, **options) -> keras.Model:
    """ResNet34 with spatial dropout after every block's first BN (rate ours: 0.2)."""
    return resnet(**{"spatial_dropout": spatial_dropout, "name": "resnet_dropout",
                     **options})


def super_resnet(*, spatial_dropout: float = 0.2, weight_decay: float = 0.01,
                 augment: bool = True, init: str = "kaiming", **options) -> keras.Model:
    """SuperResNet (sections 2.5, 4.5): Kaiming init, spatial dropout, L2 weight decay 0.01
    and training-only augmentation (flip, crop with 4-pixel padding, colour jitter)."""
    return resnet(**{"spatial_dropout": spatial_dropout, "weight_decay": weight_decay,
                     "augment": augment, "init": init, "name": "super_resnet",
                     **options})


def super_resnet_wrong_init(**options) -> keras.Model:
    """SuperResNet with the source's "wrong" init: weights N(0, 1), the fc bias 0.1."""
    return super_resnet(**{"init": "wrong", "name": "super_resnet_wrong_init",
                           **options})


# -------------------------------------------------------------------------- registry

BUILDERS = {
    "lenet": lenet,
    "lenet_bn": lenet_bn,
    "lenet_dropout": lenet_dropout,
    "lenet_bn_dropout": lenet_bn_dropout,
    "lenet_l2": lenet_l2,
    "super_lenet_wrong_init": super_lenet_wrong_init,
    "super_lenet": super_lenet,
    "resnet": resnet,
    "resnet_dropout": resnet_dropout,
    "super_resnet_wrong_init": super_resnet_wrong_init,
    "super_resnet": super_resnet,
}
VARIANTS = tuple(BUILDERS)  # the source's table order (Tables 1-4)
LENETS = VARIANTS[:7]
RESNETS = VARIANTS[7:]

# our name -> the row label of the source's Tables 1-4
SOURCE_NAMES = {
    "lenet": "LeNet",
    "lenet_bn": "LeNetBN",
    "lenet_dropout": "LeNetDp",
    "lenet_bn_dropout": "LeNetBNDp",
    "lenet_l2": "LeNet with L2 weight decay",
    "super_lenet_wrong_init": "SuperLeNet with Wrong Weights Init",
    "super_lenet": "SuperLeNet with Proper Weight Init",
    "resnet": "ResNet without any dropouts",
    "resnet_dropout": "ResNet with dropouts",
    "super_resnet_wrong_init": "SuperResNet with Improper Initialization",
    "super_resnet": "SuperResNet with Proper weight Initialization",
}


def build(name: str, *, classes: int = 10, input_shape=None, seed: int = 0,
          **options) -> keras.Model:
    """The variant `name` (one of `VARIANTS`), uncompiled; `options` go to its builder."""
    if name not in BUILDERS:
        raise ValueError(
            f"unknown image_classification model {name!r}. The known variants, in the "
            f"source's table order, are: {', '.join(VARIANTS)} (LeNets for CIFAR-10 with "
            f"classes=10 or TinyImageNet with classes=200, and CIFAR-style ResNet34s).")
    return BUILDERS[name](classes=classes, input_shape=input_shape, seed=seed, **options)


def trainable_count(model: keras.Model) -> int:
    """Trainable parameters, as PyTorch counts them (BatchNorm: gamma and beta only)."""
    return int(sum(math.prod(w.shape) for w in model.trainable_weights))
