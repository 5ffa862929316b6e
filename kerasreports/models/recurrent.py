"""Recurrent layers for the builders, with one backend workaround.

Keras 3.15's JAX backend runs `LSTM` through cuDNN on a GPU (`jax.experimental.rnn`,
keras-team/keras#22399). On an H100 with JAX 0.11 that path does not train: the R4
text-to-text model stays at 0.33 character accuracy after 20 epochs, where the same
model and recipe with `use_cudnn=False` reaches 0.999 (and runs faster), as it does on
TensorFlow. Its forward pass differs too: a trained calculator (0.999 test accuracy)
rebuilt from its config, which brings cuDNN back, read 0.19. Every LSTM the builders make
therefore turns cuDNN off on JAX; TensorFlow and PyTorch keep Keras' default.

Keras leaves `use_cudnn` out of an LSTM's config, so a model rebuilt from it
(`from_config`, `clone_model`, `keras.models.load_model`) has the default again: pass
such a model through `apply_cudnn_setting` before using it.
"""

from __future__ import annotations

import keras
from keras import layers


def cudnn_setting() -> bool | str:
    """`use_cudnn` for the current backend: off on JAX (see the module's docstring)."""
    return False if keras.backend.backend() == "jax" else "auto"


def LSTM(units: int, **kwargs) -> layers.LSTM:  # noqa: N802 (stands in for the class)
    """`keras.layers.LSTM` with `use_cudnn` set for the backend."""
    kwargs.setdefault("use_cudnn", cudnn_setting())
    return layers.LSTM(units, **kwargs)


def apply_cudnn_setting(model):
    """Set `cudnn_setting()` on every LSTM in `model`, nested models and wrappers
    (Bidirectional, TimeDistributed) included; returns `model`."""
    setting = cudnn_setting()
    pending, seen = [model], set()
    while pending:
        layer = pending.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        if isinstance(layer, layers.LSTM):
            layer.use_cudnn = setting
        pending += getattr(layer, "layers", [])
        pending += [getattr(layer, name) for name in ("layer", "forward_layer", "backward_layer")
                    if getattr(layer, name, None) is not None]
    return model
