"""MNIST and Fashion-MNIST from their original IDX `.gz` files.

Both data sets are four gzip-compressed IDX files (LeCun's format: a big-endian magic
number naming the element type and rank, the dimensions, then the raw bytes). We read
those files rather than `keras.datasets`' `.npz` so that the very files described in
`shared/data/*/SOURCE.md` are what the reports are computed from, sha256-checked.
"""

from __future__ import annotations

import gzip
import io
import struct
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kerasreports.datasets import store

FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)

MNIST = store.DatasetSpec(
    name="mnist",
    folder="mnist",
    files=dict(
        zip(
            FILES,
            (
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            ),
        )
    ),
    # The PyTorch project's mirror of the original files (byte-identical).
    url="https://ossci-datasets.s3.amazonaws.com/mnist/",
)

FASHION_MNIST = store.DatasetSpec(
    name="fashion_mnist",
    folder="fashion-mnist",
    files=dict(
        zip(
            FILES,
            (
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            ),
        )
    ),
    # Where keras.datasets.fashion_mnist downloads the same four files from.
    url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
)

# The specs `load` looks names up in, at call time (tests replace entries), and that
# `kerasreports.datasets.specs` lists.
SPECS = {"mnist": MNIST, "fashion_mnist": FASHION_MNIST}

CLASS_NAMES = {
    "mnist": tuple(str(d) for d in range(10)),
    "fashion_mnist": (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ),
}

# IDX element types (third byte of the magic number).
_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class Split(NamedTuple):
    images: np.ndarray  # (n, 28, 28) uint8
    labels: np.ndarray  # (n,) uint8


class ImageDataset(NamedTuple):
    train: Split
    test: Split
    class_names: tuple[str, ...]


def read_idx(path: str | Path, digest: str | None = None) -> np.ndarray:
    """Read one IDX file, gzip-compressed or not, into an array of its shape.

    With `digest` (its sha256) the file's bytes are checked before they are parsed: the
    very bytes checked are the ones parsed.
    """
    path = Path(path)
    raw = store.read_verified(path, digest)
    if path.suffix == ".gz":
        try:  # GzipFile, as gzip.open reads a file, over the bytes already read
            raw = gzip.GzipFile(fileobj=io.BytesIO(raw)).read()
        except (OSError, EOFError, zlib.error) as error:
            raise store.DatasetCorruptError(
                f"{path} is not a readable IDX file: {error}") from None
    if len(raw) < 4 or raw[0:2] != b"\x00\x00" or raw[2] not in _IDX_DTYPES:
        raise store.DatasetCorruptError(f"{path} does not start with an IDX magic number")
    rank = raw[3]
    shape = struct.unpack(f">{rank}I", raw[4 : 4 + 4 * rank])
    data = np.frombuffer(raw, dtype=_IDX_DTYPES[raw[2]], offset=4 + 4 * rank)
    if data.size != int(np.prod(shape)):
        raise store.DatasetCorruptError(
            f"{path} is truncated: its header promises {shape} values, it holds {data.size}"
        )
    return data.reshape(shape)


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write a uint8 array as a gzip-compressed IDX file (the inverse of `read_idx`)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())


def load_folder(folder: str | Path, digests: dict[str, str] | None = None) -> tuple[Split, Split]:
    """Read the four IDX files of a folder, checking that images and labels agree.

    `digests` (file name -> sha256) checks each file as it is read.
    """
    folder = Path(folder)
    digests = digests or {}
    splits = []
    for prefix in ("train", "t10k"):
        images_file = f"{prefix}-images-idx3-ubyte.gz"
        labels_file = f"{prefix}-labels-idx1-ubyte.gz"
        images = read_idx(folder / images_file, digests.get(images_file))
        labels = read_idx(folder / labels_file, digests.get(labels_file))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise store.DatasetCorruptError(
                f"{folder}: {prefix} images {images.shape} and labels {labels.shape} disagree"
            )
        splits.append(Split(images, labels))
    return splits[0], splits[1]


def load(name: str = "fashion_mnist", data_dir=None, *, verify: bool = True) -> ImageDataset:
    """Load `mnist` or `fashion_mnist` as uint8 images and labels.

    `data_dir` is a data root holding `mnist/` or `fashion-mnist/` (see `store`).
    `verify=False` skips the sha256 check, for generated stand-ins in the same format.
    """
    if name not in CLASS_NAMES:
        raise ValueError(f"unknown data set {name!r}; choose one of: {', '.join(CLASS_NAMES)}")
    spec = SPECS[name]
    folder = store.locate(spec, data_dir, verify_files=False)  # each file checked as read
    train, test = load_folder(folder, spec.files if verify else None)
    return ImageDataset(train, test, CLASS_NAMES[name])


def images(name: str = "fashion_mnist", *, data_dir=None, generated: bool = False,
           seed: int = 0, n_train: int = 1200, n_test: int = 300) -> ImageDataset:
    """The real IDX files under `data_dir`, or with `generated=True` generated stand-ins
    (`n_train`/`n_test` images drawn from `seed`) written in the same IDX format to a
    temporary folder, read through the same parser and removed again."""
    if not generated:
        return load(name, data_dir or None)
    import tempfile

    from kerasreports.datasets import synthetic  # it writes with this module: import late

    with tempfile.TemporaryDirectory(prefix="kerasreports-generated-") as root:
        synthetic.write_mnist_like(root, name, n_train=n_train, n_test=n_test, seed=seed)
        return load(name, root, verify=False)


class DAEData(NamedTuple):
    """What the `mnist_dae` report trains and scores on (`dae_data`)."""

    x_train: np.ndarray  # (n, 784) float32 in [0, 1]
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    x_noisy_train: np.ndarray  # x_train with the training noise, drawn once
    train_idx: np.ndarray  # the DAE's training and validation images, by index
    val_idx: np.ndarray
    class_names: tuple[str, ...]
    # The generator the split and the noise came from; the report draws its test noise
    # and the images it shows from it next, so one seed fixes every draw.
    rng: np.random.Generator
    description: str


def dae_data(dataset: str = "fashion_mnist", *, data_dir=None, generated: bool = False,
             train_limit: int = 0, test_limit: int = 0, noise_factor: float = 0.1,
             seed: int = 0) -> DAEData:
    """The `mnist_dae` report's data, for its notebook and its search alike: pixels scaled
    to [0, 1] and flattened to 784 values (the source's), the first `train_limit` /
    `test_limit` images (0: all), a seeded 10% of the training images held out for the
    DAE's validation, and the training inputs with Gaussian noise `noise_factor`."""
    from kerasreports.datasets import noise

    data = images(dataset, data_dir=data_dir, generated=generated, seed=seed)
    n_train = train_limit or len(data.train.images)
    n_test = test_limit or len(data.test.images)
    x_train = data.train.images[:n_train].reshape(-1, 784).astype("float32") / 255.0
    x_test = data.test.images[:n_test].reshape(-1, 784).astype("float32") / 255.0
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x_train))
    n_val = len(x_train) // 10
    x_noisy_train = noise.gaussian(x_train, noise_factor, rng)
    description = (f"{dataset}{' (generated)' if generated else ''}: {len(x_train)} "
                   f"training images ({len(x_train) - n_val} DAE training, {n_val} DAE "
                   f"validation), {len(x_test)} test")
    return DAEData(x_train, data.train.labels[:n_train], x_test, data.test.labels[:n_test],
                   x_noisy_train, order[n_val:], order[:n_val], data.class_names, rng,
                   description)
