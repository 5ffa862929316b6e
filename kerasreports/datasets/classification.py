"""What an image-classification data step returns, and how it takes a part of a split.

One home for the `image_classification` report's data shape: `cifar10.classification_data`
and `tiny_imagenet.classification_data` both return a `ClassificationData`, so the
notebook, its searches and its benchmark treat the two data sets alike.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class ClassificationData(NamedTuple):
    """Images as uint8 (n, height, width, 3) RGB, channels last (the models normalise
    inside), labels as int64 class ids into `class_names` (so the number of classes is
    `len(class_names)`). `x_test`/`y_test` are None where the source had no test set."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    class_names: tuple[str, ...]
    description: str  # what was read: the file form, the sizes, the split seed


def part_size(name: str, asked: int, available: int, what: str) -> int:
    """How many of a part's `available` images `asked` means: 0 is all of them.

    A negative number, or more than there are, is a ValueError naming the argument and
    the part (`what`, e.g. "CIFAR-10's training part (45,000 images)").
    """
    asked = int(asked)
    if asked < 0 or asked > available:
        raise ValueError(
            f"{name}={asked} cannot be taken from {what}: choose a number from 1 to "
            f"{available}, or 0 for all of them")
    return asked or available


def labels(y) -> np.ndarray:
    """Class ids as int64, the dtype Keras' sparse losses and metrics take as is."""
    return np.asarray(y, dtype=np.int64)


DATASETS = ("cifar10", "tiny_imagenet")


def report_data(dataset: str, **options) -> ClassificationData:
    """The `image_classification` report's data step for `dataset` ("cifar10" or
    "tiny_imagenet"): its loader's `classification_data(**options)`. The notebook and
    its searches both call this, so both read the same split."""
    from kerasreports.datasets import cifar10, tiny_imagenet  # they import this module

    loaders = {"cifar10": cifar10, "tiny_imagenet": tiny_imagenet}
    if dataset not in loaders:
        raise ValueError(f"unknown image classification data set {dataset!r}; choose one "
                         f"of: {', '.join(DATASETS)}")
    if dataset == "tiny_imagenet":
        options["n_test"] = 0  # TinyImageNet has no labelled test split (nor had the source)
    return loaders[dataset].classification_data(**options)
