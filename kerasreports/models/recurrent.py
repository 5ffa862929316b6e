"""Recurrent layers for the builders, with one backend workaround.

Keras 3.15's JAX backend runs `LSTM` through cuDNN on a GPU (`jax.experimental.rnn`,
keras-team/keras#22399). On an H100 with JAX 0.11 that path does not train: the R4
text-to-text model stays at 0.33 character accuracy after 20 epochs, where the same
model and recipe with `use_cudnn=False` reaches 0.999 (and runs faster), as it does on
TensorFlow. Every LSTM the builders make therefore turns cuDNN off on JAX; TensorFlow and
PyTorch keep Keras' default.
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
