"""Fast CIFAR-10 training in Keras: an airbench94-style network, its recipe, and a trainer.

"Beyond the source" for the `image_classification` report (R5): how fast a Keras model gets
to a given CIFAR-10 accuracy (`benchmarks/cifar_time_to_accuracy.py` measures it). The
reference is Keller Jordan's airbench94 (github.com/KellerJordan/cifar10-airbench,
`airbench94.py` and `airbench94_compiled.py`: 94.01% mean test accuracy over 1,000 runs,
2.6-3.8 s on one A100 in PyTorch). Everything here is Keras 3 with `keras.ops` only (no
`tf.*`), so it runs on the TensorFlow and JAX backends alike.

The network (`airbench_net`), as airbench94:

- inputs are uint8-valued floats (0..255, NHWC), normalised inside by a `Rescaling` with
  CIFAR-10's per-channel mean and std (no weights);
- a 2x2 "valid" convolution with 24 filters, initialised by `whiten_stem` as a patch
  whitening: the 12 eigenvectors of the second-moment matrix of the 2x2x3 patches of 5,000
  normalised training images, each divided by sqrt(eigenvalue + 5e-4), and their
  negations; its kernel is frozen, its bias (`whiten_bias`) is learnt for the first 3
  epochs and then frozen; GELU;
- three blocks [conv 3x3 "same" without bias, max-pool 2, BN, GELU, conv 3x3, BN, GELU] of
  64/256/256 channels; convolutions initialised as PyTorch's default (U(+-1/sqrt(fan_in)))
  with the first c_in filters set to the identity (Dirac: an "implicit residual");
  BatchNorm without a learnt scale (gamma fixed at 1), momentum 0.6 (PyTorch's 0.4), eps
  1e-12, and a learnt bias;
- max-pool 3 (3x3 -> 1x1), a 256 -> 10 linear layer without bias, logits times 1/9.
  1,971,352 trainable parameters with the default widths, as airbench94.

The recipe (`AIRBENCH94`, `train`): Nesterov SGD, momentum 0.85, batch 1024 (the last
partial batch dropped), 9.9 epochs (ceil(43 x 9.9) = 426 steps on 45,000 images), label
smoothing 0.2, a triangular learning-rate schedule (x0.2 at the start, x1 at 23% of the
steps, x0.07 at the end), airbench's decoupled hyperparameters "lr 11.5 and weight decay
0.0153 per 1024 examples" with the BatchNorm biases' learning rate x64; airbench's
Lookahead (every 5 steps the weights move to an exponential average, decay 0.95^5 x
(step/total)^3, which is also copied back at the end); alternating flips (epoch 1 flips a
random half of the images, epoch 2 exactly the other half, and so on) and a random
translation of up to 2 pixels with reflection padding; at test time (`predict_tta`, level 2)
the mean of 6 views: the image and its mirror (weight 1/2), and both of them translated by
one pixel up-left and down-right (1/4 each pair).

How that maps onto Keras, exactly where it can be:

- PyTorch sums the loss over the batch, Keras averages it: the Keras learning rate is
  11.5 / (1 + 1/(1 - 0.85)) = 1.5 at batch 1024 (scaled linearly with the batch size), the
  same steps. PyTorch's `weight_decay` (coupled: it goes through the momentum) is an L2
  penalty: gradient + lambda w with lambda = 0.0153 / 11.5, the same at every batch size
  (Keras regularizer factor lambda/2, on every kernel and bias, `AIRBENCH_WEIGHT_DECAY`).
- A per-parameter learning rate (the BN biases' x64) has no Keras API that works on every
  backend; the biases are reparametrised instead, b = 8 p (`ScaledBias`, 8 = sqrt(64)),
  which for SGD is exactly a 64x learning rate on b, with the same weight decay on b.
- The Lookahead is Keras' optimizer EMA (`use_ema`, overwrite every 5 steps) with
  airbench's decay schedule (`LookaheadSGD`), inside the compiled step.
- Freezing the whitening bias midway would change the trainable set (a second compiled
  step on JAX); it is a gate instead (`WhitenBias.freeze`): the forward pass switches to a
  frozen copy, so the learnt bias gets no gradient.
- Flips: the two flipped copies of the training set are made once (what airbench's loader
  does on its first epoch), and each epoch reads one; translations are drawn per image and
  per batch on the device (`RandomTranslate`: one-hot row and column selections, an
  einsum), airbench draws them per epoch: the same distribution.

What differs, and why:

- The Lookahead averages the trainable weights; airbench's also averages BatchNorm's
  running statistics (Keras' optimizer EMA does not see non-trainable variables).
- Keras' Nesterov SGD keeps its velocity in units of lr x gradient, PyTorch in units of
  gradient: identical for a constant learning rate, slightly different (second order) while
  the schedule moves. Keras' BatchNorm keeps the biased batch variance, PyTorch the unbiased
  one (a 1/1024 difference at batch 1024, more after pooling to 3x3).
- Precision: airbench runs the whole net in float16 (BatchNorm in float32), channels_last,
  `torch.compile(mode="max-autotune")`. Here float32 by default, or a Keras mixed policy
  (`mixed_precision=True`: "mixed_bfloat16", or "mixed_float16" with loss scaling): float32
  weights, 16-bit compute, compiled by XLA (JAX) or tf.function (TensorFlow).
- Data: airbench keeps the data set on the GPU and indexes batches there. Keras' `fit` reads
  each batch from host memory (a uint8 batch of 1024 is 3 MB) through its data adapter and
  its Python step loop; on a GPU that per-step overhead is of the order of airbench's whole
  step (about 6 ms on an A100: 2.6 s for 426 steps plus the test-time augmentation). This
  is the expected reason a Keras version cannot reach airbench's seconds; the benchmark's
  docstring says what was measured where.
- The trainer compiles the step on a dummy batch first (`warmup`, not timed), as airbench
  warms up `torch.compile` on a dummy run.

The trainer (`train`) is generic: `RESNET18` is a recipe for a CIFAR ResNet-18 with the
same machinery (alternating flips, 4-pixel zero-padded translations, label smoothing 0.1,
Nesterov SGD with a one-cycle schedule; no Lookahead; test-time flip). It is a choice made
from the usual fast-ResNet settings, not tuned here (nothing was tuned on the test split).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import time
import weakref
from collections.abc import Callable
from typing import NamedTuple

import keras
import numpy as np
from keras import layers, ops

CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)  # airbench's constants
CIFAR10_STD = (0.2470, 0.2435, 0.2616)

# airbench94's hyperparameters, in its own (decoupled, per 1024 examples) terms.
AIRBENCH_LR = 11.5
AIRBENCH_MOMENTUM = 0.85
AIRBENCH_WD = 0.0153
AIRBENCH_BIAS_SCALER = 64.0
# In Keras' terms (module docstring): mean-loss SGD learning rate at batch 1024, and the
# L2 coefficient lambda (gradient + lambda w) that is PyTorch's coupled weight decay.
AIRBENCH_KERAS_LR = AIRBENCH_LR / (1 + 1 / (1 - AIRBENCH_MOMENTUM))  # 1.5
AIRBENCH_WEIGHT_DECAY = AIRBENCH_WD / AIRBENCH_LR  # 0.00133
WHITEN_IMAGES = 5000
WHITEN_EPS = 5e-4


# ------------------------------------------------------------------------------ recipe

@dataclasses.dataclass(frozen=True)
class Recipe:
    """How `train` trains. Weight decay is not here: it is the model's regularizers."""

    name: str
    epochs: float  # may be fractional: ceil(steps_per_epoch * epochs) steps in all
    batch_size: int
    lr: float  # Keras SGD learning rate (mean loss) at `batch_size`; linear in the batch
    momentum: float
    label_smoothing: float
    schedule: tuple[float, float, float]  # triangle: (start factor, peak at, end factor)
    translate: int  # pixels of random translation
    fill: str  # "reflect" or "constant" (zeros) for the translation's border
    flip: bool = True  # airbench's alternating flips
    lookahead: bool = False
    lookahead_every: int = 5
    lookahead_base: float = 0.95
    lookahead_pow: float = 3.0
    whiten_bias_epochs: int = 0  # epochs before `WhitenBias.freeze` (0: never)
    tta_level: int = 1  # 0: none, 1: mirror, 2: mirror + 1-pixel translations

    def describe(self) -> str:
        start, peak, end = self.schedule
        parts = [f"{self.name}: {self.epochs:g} epochs, batch {self.batch_size}",
                 f"Nesterov SGD lr {self.lr:g} momentum {self.momentum:g}",
                 f"triangle x{start:g} -> x1 at {peak:.0%} -> x{end:g}",
                 f"label smoothing {self.label_smoothing:g}",
                 f"{'alternating flip, ' if self.flip else ''}translate "
                 + f"{self.translate} px ({self.fill})"]
        if self.lookahead:
            parts.append(f"lookahead every {self.lookahead_every} steps")
        if self.whiten_bias_epochs:
            parts.append(f"whitening bias frozen after {self.whiten_bias_epochs} epochs")
        parts.append(f"TTA level {self.tta_level}")
        return ", ".join(parts)


AIRBENCH94 = Recipe(
    name="airbench94", epochs=9.9, batch_size=1024, lr=AIRBENCH_KERAS_LR,
    momentum=AIRBENCH_MOMENTUM, label_smoothing=0.2, schedule=(0.2, 0.23, 0.07),
    translate=2, fill="reflect", lookahead=True, whiten_bias_epochs=3, tta_level=2)

RESNET18 = Recipe(
    name="resnet18-onecycle", epochs=20, batch_size=512, lr=0.4, momentum=0.9,
    label_smoothing=0.1, schedule=(0.1, 0.25, 0.0), translate=4, fill="constant",
    tta_level=1)
RESNET18_WEIGHT_DECAY = 5e-4  # PyTorch-style L2, for the ResNet's builder


@contextlib.contextmanager
def precision(policy=None):
    """Build layers under a Keras dtype policy: None/False "float32", True
    "mixed_bfloat16", or a policy name ("mixed_float16"); the previous one is restored."""
    name = {None: "float32", False: "float32", True: "mixed_bfloat16"}.get(policy, policy)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield name
    finally:
        keras.config.set_dtype_policy(previous)


# ------------------------------------------------------------------------------ layers

def normalization(mean=CIFAR10_MEAN, std=CIFAR10_STD, *, name: str = "normalize"):
    """(x/255 - mean)/std per channel as a `Rescaling` layer: fixed, no weights."""
    mean, std = np.asarray(mean, "float64"), np.asarray(std, "float64")
    return layers.Rescaling(scale=(1 / (255 * std)).tolist(), offset=(-mean / std).tolist(),
                            name=name)


def _l2(weight_decay: float):
    return keras.regularizers.L2(weight_decay / 2) if weight_decay else None


class DiracUniform(keras.initializers.Initializer):
    """PyTorch's default conv init, U(+-1/sqrt(fan_in)), with the first min(c_in, c_out)
    filters replaced by the identity (`torch.nn.init.dirac_`), as airbench's `Conv`."""

    def __init__(self, seed=None):
        self.seed = seed

    def __call__(self, shape, dtype=None):
        kh, kw, cin, cout = shape
        bound = 1 / math.sqrt(kh * kw * cin)
        w = keras.random.uniform(shape, -bound, bound, dtype=dtype, seed=self.seed)
        n = min(cin, cout)
        mask = np.zeros(shape, bool)
        mask[..., :n] = True
        eye = np.zeros(shape, "float32")
        eye[kh // 2, kw // 2, np.arange(n), np.arange(n)] = 1.0
        return ops.where(mask, ops.cast(eye, w.dtype), w)

    def get_config(self):
        return {"seed": self.seed}


class ScaledBias(layers.Layer):
    """x + multiplier * b per channel: for SGD, a multiplier**2 times larger learning rate
    on the effective bias (airbench's `bias_scaler` 64 is multiplier 8), with the
    regularizer on b, so the effective bias gets the same weight decay as the others."""

    def __init__(self, multiplier: float = 1.0, weight_decay: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.multiplier, self.weight_decay = float(multiplier), float(weight_decay)

    def build(self, input_shape):
        self.bias = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                    regularizer=_l2(self.weight_decay), name="bias")

    def call(self, x):
        return x + ops.cast(self.bias * self.multiplier, x.dtype)

    def get_config(self):
        return {**super().get_config(), "multiplier": self.multiplier,
                "weight_decay": self.weight_decay}


class WhitenBias(layers.Layer):
    """The whitening layer's bias: learnt until `freeze()`, then a frozen copy is used (a
    gate, so that the trainable variables and the compiled step do not change)."""

    def __init__(self, weight_decay: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.weight_decay = float(weight_decay)

    def build(self, input_shape):
        channels = (input_shape[-1],)
        self.bias = self.add_weight(shape=channels, initializer="zeros",
                                    regularizer=_l2(self.weight_decay), name="bias")
        self.frozen = self.add_weight(shape=channels, initializer="zeros", trainable=False,
                                      name="frozen")
        self.active = self.add_weight(shape=(), initializer="ones", trainable=False,
                                      name="active")

    def call(self, x):
        active = ops.cast(self.active, x.dtype)
        b = active * ops.cast(self.bias, x.dtype) + (1 - active) * ops.cast(self.frozen,
                                                                            x.dtype)
        return x + b

    def freeze(self):
        self.frozen.assign(self.bias)
        self.active.assign(0.0)

    def get_config(self):
        return {**super().get_config(), "weight_decay": self.weight_decay}


class RandomTranslate(layers.Layer):
    """Training only: each image shifted by up to `pixels` in each direction (uniform
    integers), the border filled by reflection ("reflect", airbench) or zeros
    ("constant", torchvision's RandomCrop(32, padding=4)). Rows and columns are picked
    with one-hot matrices (two einsums), which every backend compiles well."""

    def __init__(self, pixels: int = 2, fill: str = "reflect", seed=None, **kwargs):
        super().__init__(**kwargs)
        if fill not in ("reflect", "constant"):
            raise ValueError(f"fill must be 'reflect' or 'constant', got {fill!r}")
        self.pixels, self.fill, self.seed = int(pixels), fill, seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=None):
        if not training or not self.pixels:
            return x
        r, (h, w) = self.pixels, x.shape[1:3]
        padded = ops.pad(x, [[0, 0], [r, r], [r, r], [0, 0]], mode=self.fill)
        offsets = keras.random.randint((ops.shape(x)[0], 2), 0, 2 * r + 1,
                                       seed=self.seed_generator)
        rows = ops.one_hot(offsets[:, :1] + ops.arange(h)[None, :], h + 2 * r,
                           dtype=x.dtype)  # (batch, h, h + 2r)
        cols = ops.one_hot(offsets[:, 1:] + ops.arange(w)[None, :], w + 2 * r,
                           dtype=x.dtype)
        x = ops.einsum("bip,bpqc->biqc", rows, padded)
        return ops.einsum("bjq,biqc->bijc", cols, x)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "pixels": self.pixels, "fill": self.fill,
                "seed": self.seed}


class ToFloat(layers.Layer):
    """Cast to the layer's compute dtype (uint8 images in, float32 out; or the logits of
    a mixed-precision model back to float32)."""

    def call(self, x):
        return ops.cast(x, self.compute_dtype)


# ----------------------------------------------------------------------------- network

def airbench_net(*, widths=(64, 256, 256), classes: int = 10, seed: int = 0,
                 input_shape=(32, 32, 3), whiten_kernel: int = 2,
                 batchnorm_momentum: float = 0.6, scaling: float = 1 / 9,
                 weight_decay: float = AIRBENCH_WEIGHT_DECAY,
                 bias_scaler: float = AIRBENCH_BIAS_SCALER,
                 name: str = "airbench") -> keras.Model:
    """airbench94's network (module docstring), uncompiled, returning logits.

    Its whitening kernel starts as PyTorch's default init; `whiten_stem` sets it from
    training images (`train_airbench` does). `weight_decay` is the L2 coefficient lambda
    (gradient + lambda w) on every kernel and bias; `bias_scaler` the BatchNorm biases'
    learning-rate factor. Built under the global dtype policy (see `precision`); the
    logits are float32. Every initialiser is seeded from `seed`.
    """
    if len(widths) < 1 or min(widths) < 1:
        raise ValueError(f"widths must be positive channel counts, got {widths!r}")
    rng = np.random.default_rng(seed)

    def next_seed():
        return int(rng.integers(2**31 - 1))

    reg, multiplier = _l2(weight_decay), math.sqrt(bias_scaler)
    cin = input_shape[-1]
    whiten_width = 2 * cin * whiten_kernel**2
    inputs = keras.Input(input_shape, name="image")
    x = normalization()(inputs)
    bound = 1 / math.sqrt(cin * whiten_kernel**2)
    x = layers.Conv2D(whiten_width, whiten_kernel, padding="valid", use_bias=False,
                      trainable=False, name="whiten",
                      kernel_initializer=keras.initializers.RandomUniform(
                          -bound, bound, seed=next_seed()))(x)
    x = WhitenBias(weight_decay, name="whiten_bias")(x)
    x = layers.Activation("gelu", name="whiten_gelu")(x)

    def conv_bn_gelu(x, filters, p, pool):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False,
                          kernel_initializer=DiracUniform(next_seed()),
                          kernel_regularizer=reg, name=f"{p}_conv")(x)
        if pool:
            x = layers.MaxPooling2D(2, name=f"{p}_pool")(x)
        x = layers.BatchNormalization(momentum=batchnorm_momentum, epsilon=1e-12,
                                      center=False, scale=False, name=f"{p}_bn")(x)
        x = ScaledBias(multiplier, weight_decay, name=f"{p}_bias")(x)
        return layers.Activation("gelu", name=f"{p}_gelu")(x)

    for b, filters in enumerate(widths, start=1):
        x = conv_bn_gelu(x, filters, f"block{b}_1", pool=True)
        x = conv_bn_gelu(x, filters, f"block{b}_2", pool=False)
    x = layers.MaxPooling2D(3, name="pool")(x)
    x = layers.Flatten(name="flatten")(x)
    bound = 1 / math.sqrt(widths[-1])
    x = layers.Dense(classes, use_bias=False, kernel_regularizer=reg, name="head",
                     kernel_initializer=keras.initializers.RandomUniform(
                         -bound, bound, seed=next_seed()))(x)
    outputs = layers.Rescaling(scaling, dtype="float32", name="head_scale")(x)
    return keras.Model(inputs, outputs, name=name)


def whiten_stem(model: keras.Model, x_train_sample, *, eps: float = WHITEN_EPS,
                layer: str = "whiten", chunk: int = 500) -> np.ndarray:
    """Set `model`'s whitening convolution from training images (uint8-valued, NHWC).

    Its kernel becomes the eigenvectors of the (uncentred) second-moment matrix of the
    normalised images' patches, largest eigenvalue first, each divided by
    sqrt(eigenvalue + eps), followed by their negations. Returns the eigenvalues.
    """
    conv = model.get_layer(layer)
    kh, kw, cin, cout = conv.kernel.shape
    d = kh * kw * cin
    if cout != 2 * d:
        raise ValueError(f"layer {layer!r} has {cout} filters; whitening {kh}x{kw}x{cin} "
                         f"patches needs {2 * d}")
    mean, std = np.asarray(CIFAR10_MEAN), np.asarray(CIFAR10_STD)
    moment, count = np.zeros((d, d)), 0
    for start in range(0, len(x_train_sample), chunk):
        x = (np.asarray(x_train_sample[start:start + chunk], "float64") / 255 - mean) / std
        windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
        # (n, h', w', c, kh, kw) -> rows in the kernel's (kh, kw, c) order
        patches = windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, d)
        moment += patches.T @ patches
        count += len(patches)
    if not count:
        raise ValueError("whiten_stem needs at least one image")
    values, vectors = np.linalg.eigh(moment / count)
    values, vectors = values[::-1], vectors[:, ::-1]
    filters = vectors / np.sqrt(values + eps)
    kernel = np.concatenate([filters, -filters], axis=1).reshape(kh, kw, cin, cout)
    conv.kernel.assign(kernel.astype("float32"))
    return values


# ------------------------------------------------------------------------------ training

class Triangle(keras.optimizers.schedules.LearningRateSchedule):
    """Linear from start x peak_lr to peak_lr at `peak_at` of the steps, then linear to
    end x peak_lr at the last step (airbench's `get_lr`)."""

    def __init__(self, peak_lr, total_steps, start=0.2, peak_at=0.23, end=0.07):
        self.peak_lr, self.total_steps = float(peak_lr), int(total_steps)
        self.start, self.peak_at, self.end = float(start), float(peak_at), float(end)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        up = max(int(self.peak_at * self.total_steps), 1)
        down = max(self.total_steps - up, 1)
        rising = self.start + (1 - self.start) * step / up
        falling = 1 + (self.end - 1) * (step - up) / down
        return self.peak_lr * ops.where(step < up, rising, falling)

    def get_config(self):
        return {"peak_lr": self.peak_lr, "total_steps": self.total_steps,
                "start": self.start, "peak_at": self.peak_at, "end": self.end}


class LookaheadSGD(keras.optimizers.SGD):
    """SGD with airbench's Lookahead: every `every` steps the average moves towards the
    weights by 1 - decay, decay = base**every * (step/total)**pow, and the weights are set
    to it (Keras' optimizer EMA with that schedule). `finalize_variable_values` (the end
    of `fit`) copies the average back once more, as airbench does after its last step."""

    def __init__(self, learning_rate=0.01, *, total_steps: int, every: int = 5,
                 base: float = 0.95, power: float = 3.0, **kwargs):
        kwargs.update(use_ema=True, ema_momentum=base, ema_overwrite_frequency=every)
        super().__init__(learning_rate, **kwargs)
        self.total_steps, self.every = int(total_steps), int(every)
        self.base, self.power = float(base), float(power)

    def build(self, variables):
        super().build(variables)
        # Keras' averages start at zero; airbench's start as a copy of the weights.
        for var, average in zip(variables, self._model_variables_moving_average):
            if average is not None:
                average.assign(ops.cast(var, average.dtype))

    def _update_model_variables_moving_average(self, trainable_variables):
        step = ops.cast(self.iterations + 1, "float32")
        due = ops.equal(ops.mod(self.iterations + 1, self.every), 0)
        decay = self.base**self.every * (step / self.total_steps) ** self.power
        for var, average in zip(trainable_variables, self._model_variables_moving_average):
            if average is None:
                continue
            d = ops.cast(decay, average.dtype)
            moved = d * average + (1 - d) * ops.cast(var, average.dtype)
            average.assign(ops.where(due, moved, average))

    def get_config(self):
        config = super().get_config()
        for key in ("use_ema", "ema_momentum", "ema_overwrite_frequency"):
            config.pop(key, None)
        return {**config, "total_steps": self.total_steps, "every": self.every,
                "base": self.base, "power": self.power}


class TrainResult(NamedTuple):
    model: keras.Model  # the trained network (no augmentation layers)
    epochs: list  # one dict per epoch (see `train`), updated by `on_epoch`
    train_seconds: float  # data preparation, setup and training; `on_epoch` excluded
    warmup_seconds: float  # compiling the step on a dummy batch, not in train_seconds
    steps: int
    stopped_early: bool


def _training_model(model: keras.Model, recipe: Recipe, seed: int) -> keras.Model:
    """uint8 images -> float -> training-only translation -> `model` -> float32 logits."""
    inputs = keras.Input(model.input_shape[1:], dtype="uint8", name="image_uint8")
    x = ToFloat(dtype="float32", name="to_float")(inputs)
    x = RandomTranslate(recipe.translate, recipe.fill, seed=seed, dtype="float32",
                        name="translate")(x)
    outputs = ToFloat(dtype="float32", name="logits_float32")(model(x))
    return keras.Model(inputs, outputs, name=f"{model.name}_training")


def _block(variables) -> None:
    """Wait for the device (asynchronous dispatch on JAX) before reading the clock."""
    if variables:
        ops.convert_to_numpy(variables[-1])


def _one_hot(y, classes: int) -> np.ndarray:
    y = np.asarray(y).reshape(-1).astype(np.int64)
    return np.eye(classes, dtype="float32")[y]


def train(model: keras.Model, x_train, y_train, recipe: Recipe, *, epochs=None,
          batch_size=None, seed: int = 0, on_epoch: Callable | None = None,
          setup: Callable | None = None, warmup: bool = True,
          jit_compile="auto", run_eagerly: bool = False) -> TrainResult:
    """Train `model` (logits) on uint8 images with `recipe`; returns a `TrainResult`.

    The steps: ceil(len(x_train) // batch_size * epochs), every batch full (the rest of
    an epoch dropped, as airbench). `setup(model)` runs first inside the timed part
    (`train_airbench` whitens there). `warmup` first compiles the step on a dummy batch
    and restores every weight and optimizer variable, so `train_seconds` does not include
    compilation (as airbench, which times a run after a warm-up run).

    After each epoch the clock stops and `on_epoch(record)` is called with the epoch's
    dict (`epoch`, `steps`, `train_seconds` so far, `epoch_seconds`, `loss` (the mean
    training loss of the epoch, L2 penalty included), `lr`); it may add keys to it (the
    benchmark adds its accuracies) and return True to stop training. `jit_compile` and
    `run_eagerly` go to `compile` (eager: for tests and debugging).
    """
    x_train = np.asarray(x_train)
    if x_train.dtype != np.uint8 or x_train.ndim != 4:
        raise TypeError(f"x_train must be uint8 images (n, h, w, c), got {x_train.dtype} "
                        f"{x_train.shape}")
    epochs = recipe.epochs if epochs is None else epochs
    batch_size = int(batch_size or recipe.batch_size)
    n, classes = len(x_train), int(model.output_shape[-1])
    steps_per_epoch = n // batch_size
    if steps_per_epoch < 1 or epochs <= 0:
        raise ValueError(f"{n} images, batch {batch_size} and {epochs} epochs make no "
                         f"training step")
    total_steps = math.ceil(steps_per_epoch * epochs)
    keras.utils.set_random_seed(seed)
    lr = Triangle(recipe.lr * batch_size / recipe.batch_size, total_steps, *recipe.schedule)
    options = {"momentum": recipe.momentum, "nesterov": True}
    if recipe.lookahead:
        optimizer = LookaheadSGD(lr, total_steps=total_steps, every=recipe.lookahead_every,
                                 base=recipe.lookahead_base, power=recipe.lookahead_pow,
                                 **options)
    else:
        optimizer = keras.optimizers.SGD(lr, **options)
    if model.dtype_policy.name == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    trainer = _training_model(model, recipe, seed)
    trainer.compile(optimizer=optimizer, jit_compile=jit_compile, run_eagerly=run_eagerly,
                    loss=keras.losses.CategoricalCrossentropy(
                        from_logits=True, label_smoothing=recipe.label_smoothing))
    optimizer.build(trainer.trainable_variables)

    warmup_seconds = 0.0
    if warmup:  # compile on dummy data (random labels), then put every variable back
        started = time.perf_counter()
        saved = [(v, ops.convert_to_numpy(v)) for v in (*trainer.variables,
                                                         *optimizer.variables)]
        dummy = np.random.default_rng(seed + 1)
        xb = dummy.integers(0, 256, (batch_size, *x_train.shape[1:]), dtype=np.uint8)
        yb = _one_hot(dummy.integers(0, classes, batch_size), classes)
        trainer.fit(((xb, yb) for _ in range(2)), steps_per_epoch=2, epochs=1, verbose=0,
                    shuffle=False)
        for v, value in saved:
            v.assign(value)
        warmup_seconds = time.perf_counter() - started

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    y = _one_hot(y_train, classes)
    if recipe.flip:  # airbench's alternating flips: a random half, then the other half
        flipped = rng.random(n) < 0.5
        first = np.where(flipped[:, None, None, None], x_train[:, :, ::-1], x_train)
        views = (first, np.ascontiguousarray(first[:, :, ::-1]))
    else:
        views = (x_train,)
    if setup is not None:
        setup(model)
    prepare_seconds = time.perf_counter() - started

    def batches():
        for epoch in range(math.ceil(epochs)):
            images, order = views[epoch % len(views)], rng.permutation(n)
            for s in range(steps_per_epoch):
                idx = np.sort(order[s * batch_size:(s + 1) * batch_size])
                yield images[idx], y[idx]

    whiten = None
    if recipe.whiten_bias_epochs:
        whiten = next((layer for layer in model.layers if isinstance(layer, WhitenBias)),
                      None)
    records: list[dict] = []
    state = {"stopped": False}

    class Clock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seconds, self.steps, self.mark = prepare_seconds, 0, time.perf_counter()
            self.epoch_start = self.seconds

        def on_train_batch_end(self, batch, logs=None):
            self.steps += 1
            if self.steps >= total_steps:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            _block(trainer.trainable_variables)
            self.seconds += time.perf_counter() - self.mark
            record = {"epoch": epoch + 1, "steps": self.steps,
                      "train_seconds": self.seconds,
                      "epoch_seconds": self.seconds - self.epoch_start,
                      "loss": float((logs or {}).get("loss", float("nan"))),
                      "lr": float(ops.convert_to_numpy(lr(min(self.steps,
                                                              total_steps - 1))))}
            records.append(record)
            if on_epoch is not None and on_epoch(record):
                state["stopped"] = self.steps < total_steps
                self.model.stop_training = True
            if whiten is not None and epoch + 1 == recipe.whiten_bias_epochs:
                whiten.freeze()
            self.epoch_start, self.mark = self.seconds, time.perf_counter()

    trainer.fit(batches(), steps_per_epoch=steps_per_epoch, epochs=math.ceil(epochs),
                shuffle=False, verbose=0, callbacks=[Clock()])
    seconds = records[-1]["train_seconds"] if records else prepare_seconds
    return TrainResult(model, records, seconds, warmup_seconds,
                       min(total_steps, records[-1]["steps"] if records else 0),
                       state["stopped"])


def train_airbench(x_train, y_train, *, epochs=None, batch_size=None, seed: int = 0,
                   on_epoch: Callable | None = None, mixed_precision=False,
                   widths=(64, 256, 256), classes: int = 10,
                   recipe: Recipe = AIRBENCH94, warmup: bool = True,
                   jit_compile="auto", run_eagerly: bool = False) -> TrainResult:
    """Build `airbench_net` (under `precision(mixed_precision)`), whiten its stem on the
    first 5,000 training images (timed, as airbench) and `train` it with `recipe`."""
    x_train = np.asarray(x_train)
    with precision(mixed_precision):
        model = airbench_net(widths=widths, classes=classes, seed=seed)
    return train(model, x_train, y_train, recipe, epochs=epochs, batch_size=batch_size,
                 seed=seed, on_epoch=on_epoch, warmup=warmup, jit_compile=jit_compile,
                 run_eagerly=run_eagerly,
                 setup=lambda m: whiten_stem(m, x_train[:WHITEN_IMAGES]))


# ------------------------------------------------------------------------------ inference

_TTA_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def tta_model(model: keras.Model, level: int = 2, dtype: str = "float32") -> keras.Model:
    """`model` with airbench's test-time augmentation, as one Keras model (cached):
    0 the image; 1 the mean of the image and its mirror; 2 half of that, plus half the
    mean of the same for the image translated one pixel up-left and down-right (reflected
    border). Takes images of `dtype`, returns float32 logits."""
    if level not in (0, 1, 2):
        raise ValueError(f"TTA level must be 0, 1 or 2, got {level}")
    cache = _TTA_MODELS.setdefault(model, {})
    if (level, dtype) in cache:
        return cache[(level, dtype)]
    inputs = keras.Input(model.input_shape[1:], dtype=dtype, name="image")
    x = ToFloat(dtype="float32", name="to_float")(inputs)
    views = [x]
    if level == 2:
        h, w = model.input_shape[1:3]
        padded = ops.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="reflect")
        views += [padded[:, 0:h, 0:w, :], padded[:, 2:h + 2, 2:w + 2, :]]
    if level >= 1:
        views = [v for view in views for v in (view, ops.flip(view, axis=2))]
    weights = {0: [1.0], 1: [0.5, 0.5], 2: [0.25, 0.25] + [0.125] * 4}[level]
    # One call of the model on all the views stacked along the batch (one larger batch
    # on the device, one copy of the model in the compiled graph), then the weighted mean.
    logits = ops.cast(model(ops.concatenate(views, axis=0) if level else x), "float32")
    if level:
        logits = ops.reshape(logits, (len(views), -1, logits.shape[-1]))
        out = ops.einsum("v,vbc->bc", ops.convert_to_tensor(weights, "float32"), logits)
    else:
        out = logits
    cache[(level, dtype)] = keras.Model(inputs, out, name=f"{model.name}_tta{level}")
    return cache[(level, dtype)]


def predict_tta(model: keras.Model, x, *, level: int = 2, batch_size: int = 500):
    """Logits (n, classes) of `model` on images `x` with test-time augmentation `level`
    (`tta_model`); uint8 images stay uint8 until they are on the device."""
    x = np.asarray(x)
    dtype = "uint8" if x.dtype == np.uint8 else "float32"
    wrapped = tta_model(model, level, dtype)
    return wrapped.predict(x.astype(dtype, copy=False), batch_size=batch_size, verbose=0)


def accuracy(logits, y) -> float:
    return float(np.mean(np.argmax(logits, axis=-1) == np.asarray(y).reshape(-1)))
