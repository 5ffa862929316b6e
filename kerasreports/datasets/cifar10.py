"""CIFAR-10 from `cifar10.npz` or the official python batches; the reports' data steps.

The staged copy (`shared/data/cifar-10/SOURCE.md`) is one `.npz` whose members are
`keras.datasets.cifar10`'s arrays in the official order: `x_train` (50000, 32, 32, 3)
uint8 RGB, `y_train` (50000,), `x_test` (10000, 32, 32, 3), `y_test` (10000,). Its members
are LZMA-compressed, which `np.load` reads (it takes ~9 s for all of it). The file is
sha256-checked on the bytes that are parsed (`store.read_verified`), and read with
`allow_pickle=False`, so a tampered file can neither reach the parser nor run code.

`noise2noise_data` is the report's data step (the notebook, its searches and its
benchmark all call it): the course's own data (pairs of noisy 32x32 crops of ImageNet) is
not public, so each CIFAR-10 training image gives two independently noised copies, the
input and the target of Noise2Noise training, and the clean test images with noise drawn
once are the validation set.

`classification_data` is the `image_classification` report's data step. It also reads the
official python layout, in which CIFAR-10 is published: the folder `cifar-10-batches-py/`
(`data_batch_1`..`data_batch_5`, `test_batch`, `batches.meta`, each a Python 2 pickle of a
dict) or the archive `cifar-10-python.tar.gz` that holds it, both in the data set's folder
`cifar-10/` of a data root. The first data root (in `store.search_roots` order) holding any
form is used; within it `cifar10.npz`, then the folder, then the archive. When no root has
one and downloads are allowed, the official archive is downloaded into the Keras cache,
pinned to its published md5. Each batch file is md5-checked against its published value
(`BATCH_MD5`, in `shared/data/cifar-10/SOURCE.md`, the values torchvision checks) on the
bytes that are then parsed, and parsed by an unpickler that builds only what those files
contain (NumPy's array reconstructor, `ndarray`, `dtype`), so that a tampered file is
refused before it can run code. An archive is read member by member, never extracted;
its members are checked rather than the archive itself, so a repacked archive with the
official files passes, and a download is also checked by `get_file` against the
archive's md5.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
import tarfile
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kerasreports.datasets import store
from kerasreports.datasets.classification import ClassificationData, labels, part_size

FILE = "cifar10.npz"
MEMBERS = {"x_train": 4, "y_train": 1, "x_test": 4, "y_test": 1}  # name -> rank
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
               "ship", "truck")

SPEC = store.DatasetSpec(
    name="cifar10",
    folder="cifar-10",
    files={FILE: "61286bb20924259c59bea42e16b46d46fab479b43fb83d4830cfc43bc422ede9"},
    how_to_get=(
        "copy the project's staged cifar-10/ folder (shared/data/cifar-10: cifar10.npz, "
        "the official arrays in the official order), or write one from Keras' copy: "
        "`python -c \"import numpy as np, keras; (a, b), (c, d) = "
        "keras.datasets.cifar10.load_data(); np.savez('cifar10.npz', x_train=a, "
        "y_train=b.ravel(), x_test=c, y_test=d.ravel())\"` (a file made that way has "
        "another sha256: load it with verify=False). The image_classification report "
        "also reads the official cifar-10-batches-py/ folder or cifar-10-python.tar.gz "
        "in cifar-10/, and downloads the latter when online."),
)


class Images(NamedTuple):
    x_train: np.ndarray  # (n, 32, 32, 3) uint8
    y_train: np.ndarray  # (n,) uint8 class ids
    x_test: np.ndarray
    y_test: np.ndarray


def read(path: str | Path, expected_sha256: str | None = None) -> Images:
    """The four arrays of a CIFAR-10 `.npz`, checked for names, ranks and agreeing sizes."""
    path = Path(path)
    data = store.read_verified(path, expected_sha256)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            missing = sorted(set(MEMBERS) - set(npz.files))
            if missing:
                raise store.DatasetCorruptError(f"{path}: lacks {', '.join(missing)}")
            arrays = {name: npz[name] for name in MEMBERS}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:  # truncated, pickled
        raise store.DatasetCorruptError(f"{path}: not a readable .npz ({error})") from error
    for name, rank in MEMBERS.items():
        if arrays[name].ndim != rank:
            raise store.DatasetCorruptError(
                f"{path}: {name} has shape {arrays[name].shape}, expected rank {rank}")
    for side in ("train", "test"):
        x, y = arrays[f"x_{side}"], arrays[f"y_{side}"]
        if x.shape[1:] != (32, 32, 3) or len(x) != len(y) or x.dtype != np.uint8:
            raise store.DatasetCorruptError(
                f"{path}: x_{side} {x.shape} {x.dtype} and y_{side} {y.shape} are not "
                f"CIFAR-10's (n, 32, 32, 3) uint8 images and n labels")
    return Images(**arrays)


def load(data_dir=None, *, verify: bool = True) -> Images:
    """CIFAR-10 from a data root holding `cifar-10/cifar10.npz` (see `store`).
    `verify=False` skips the sha256 check, for generated stand-ins in the same format."""
    folder = store.locate(SPEC, data_dir, verify_files=False)  # checked as it is read
    return read(folder / FILE, SPEC.files[FILE] if verify else None)


def images(*, data_dir=None, generated: bool = False, seed: int = 0,
           n_train: int = 600, n_test: int = 200) -> Images:
    """The real file, or with `generated=True` generated stand-ins written as a
    `cifar10.npz` to a temporary folder, read through the same parser and removed."""
    if not generated:
        return load(data_dir or None)
    import tempfile

    from kerasreports.datasets import synthetic  # it writes with this module: import late

    with tempfile.TemporaryDirectory(prefix="kerasreports-generated-") as root:
        synthetic.write_cifar10_like(root, n_train=n_train, n_test=n_test, seed=seed)
        return load(root, verify=False)


# ------------------------------------------------------------- Noise2Noise pairs

NOISES = ("gaussian",)


def add_noise(x: np.ndarray, rng: np.random.Generator, *, noise: str = "gaussian",
              sigma: float = 25 / 255) -> np.ndarray:
    """`x` (floats in [0, 1]) with zero-mean noise, clipped back to [0, 1] as a saved image
    would be. Clipping makes the noise's mean slightly non-zero near black and white, as
    in any Noise2Noise data made of stored images."""
    if noise not in NOISES:
        raise ValueError(f"unknown noise {noise!r}; choose one of: {', '.join(NOISES)}")
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    noisy = x + rng.normal(0.0, sigma, x.shape).astype(x.dtype)
    return np.clip(noisy, 0.0, 1.0)


class PairsData(NamedTuple):
    """What the `scratch_framework` report trains and validates on (`noise2noise_data`)."""

    source: np.ndarray  # (n, 32, 32, 3) float32: noisy copy 1, the input
    target: np.ndarray  # noisy copy 2 of the same images, the target (never the clean one)
    val_noisy: np.ndarray  # clean test images with noise drawn once
    val_clean: np.ndarray
    description: str


def noise2noise_data(*, data_dir=None, generated: bool = False, n_train: int = 5000,
                     n_val: int = 1000, noise: str = "gaussian", sigma: float = 25 / 255,
                     seed: int = 0) -> PairsData:
    """Noise2Noise pairs from the first `n_train` CIFAR-10 training images (two
    independent noisy copies of each; 0: all 50,000) and `n_val` clean test images with
    their noisy inputs, floats in [0, 1], every draw from `seed`."""
    data = images(data_dir=data_dir, generated=generated, seed=seed)
    n_train = n_train or len(data.x_train)
    n_val = n_val or len(data.x_test)
    if n_train > len(data.x_train) or n_val > len(data.x_test):
        raise ValueError(f"asked for {n_train} training and {n_val} validation images; the "
                         f"data has {len(data.x_train)} and {len(data.x_test)}")
    clean = data.x_train[:n_train].astype("float32") / 255.0
    val_clean = data.x_test[:n_val].astype("float32") / 255.0
    rng = np.random.default_rng(seed)
    source = add_noise(clean, rng, noise=noise, sigma=sigma)
    target = add_noise(clean, rng, noise=noise, sigma=sigma)
    val_noisy = add_noise(val_clean, rng, noise=noise, sigma=sigma)
    description = (f"CIFAR-10{' (generated)' if generated else ''}: {n_train} training "
                   f"images as pairs of noisy copies, {n_val} clean test images for "
                   f"validation; {noise} noise, sigma {sigma * 255:.4g}/255")
    return PairsData(source, target, val_noisy, val_clean, description)


# ------------------------------------------- the official python layout (R5's data)

BATCHES = "cifar-10-batches-py"
ARCHIVE = "cifar-10-python.tar.gz"
ARCHIVE_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
ARCHIVE_MD5 = "c58f30108f718f92721af3b95e74349a"  # published with the data set
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
BATCH_FILES = (*TRAIN_BATCHES, "test_batch", "batches.meta")
# The published md5 of each file (the list torchvision checks; SOURCE.md shows that the
# staged copy rebuilds to exactly these bytes). Read at call time: tests replace it.
BATCH_MD5 = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
    "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
}
TRAIN_PART, VAL_PART = 45000, 5000  # the split of the 50,000 official training images
FORMS = {"npz": FILE, "batches": f"{BATCHES}/", "archive": ARCHIVE}  # in order of preference

# The archive may be downloaded: the rule `store.locate` applies (KERASREPORTS_OFFLINE).
_DOWNLOADABLE = dataclasses.replace(SPEC, url=ARCHIVE_URL)

# What the official batch files unpickle to: arrays, rebuilt by NumPy's reconstructor
# (`numpy.core.multiarray._reconstruct` in files written by NumPy 1, `numpy._core` by
# NumPy 2; the same function, taken from an array so as to import neither path), with
# their dtype. Every other global is refused before it is looked up, let alone called.
_RECONSTRUCT = np.empty(0).__reduce__()[0]
_PICKLE_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _ForbiddenGlobal(pickle.UnpicklingError):
    pass


class _BatchUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _PICKLE_GLOBALS[(module, name)]
        except KeyError:
            raise _ForbiddenGlobal(f"{module}.{name}") from None


def _fresh_copy(where) -> str:
    return f"Delete {where} and put a fresh copy of the official file in its place."


def _unpickle(where: str, data: bytes) -> dict:
    """A batch file's dict, keys as str, built by `_BatchUnpickler` (see above)."""
    try:
        # encoding="bytes": the files are Python 2 pickles, whose str are bytes here.
        loaded = _BatchUnpickler(io.BytesIO(data), encoding="bytes").load()
    except _ForbiddenGlobal as error:
        raise store.DatasetCorruptError(
            f"{where} is not a CIFAR-10 batch file: its pickle asks for {error}, which the "
            f"official files never do, so it was refused without running it. "
            f"{_fresh_copy(where)}") from None
    except Exception as error:  # noqa: BLE001 (truncated, damaged: pickle and NumPy raise many kinds)
        raise store.DatasetCorruptError(
            f"{where} is not a readable CIFAR-10 batch file (truncated or damaged: "
            f"{type(error).__name__}: {error}). {_fresh_copy(where)}") from None
    if not isinstance(loaded, dict):
        raise store.DatasetCorruptError(
            f"{where} is not a CIFAR-10 batch file: it holds a {type(loaded).__name__}, "
            f"not a dict. {_fresh_copy(where)}")
    return {(k.decode("latin-1") if isinstance(k, bytes) else k): v for k, v in loaded.items()}


def _batch(where: str, data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The images (n, 32, 32, 3) uint8 HWC and labels (n,) uint8 of one batch file."""
    batch = _unpickle(where, data)
    pixels, ids = batch.get("data"), batch.get("labels")
    ok = (isinstance(pixels, np.ndarray) and pixels.dtype == np.uint8 and pixels.ndim == 2
          and pixels.shape[1] == 3072 and isinstance(ids, (list, np.ndarray)))
    if ok:
        ids = np.asarray(ids)
        ok = (ids.shape == (len(pixels),) and (len(ids) == 0 or (
            np.issubdtype(ids.dtype, np.integer) and 0 <= ids.min() and ids.max() < 10)))
    if not ok:
        raise store.DatasetCorruptError(
            f"{where} is not a CIFAR-10 batch file: it lacks 'data', (n, 3072) uint8, or "
            f"'labels', n class ids from 0 to 9. {_fresh_copy(where)}")
    # Each row is the red, green and blue 32x32 planes (CHW): make it HWC, as Keras wants.
    images = pixels.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), ids.astype(np.uint8)


def _check_meta(where: str, data: bytes) -> None:
    names = _unpickle(where, data).get("label_names")
    decoded = tuple(n.decode("latin-1") if isinstance(n, bytes) else n
                    for n in (names if isinstance(names, list) else ()))
    if decoded != CLASS_NAMES:
        raise store.DatasetCorruptError(
            f"{where} names the classes {decoded}, not CIFAR-10's {CLASS_NAMES}. "
            f"{_fresh_copy(where)}")


def _check_md5(where: str, data: bytes, expected: str) -> None:
    actual = hashlib.md5(data).hexdigest()
    if actual != expected:
        raise store.DatasetCorruptError(
            f"{where} is corrupt or a different version: its md5 is {actual}, expected the "
            f"published {expected}. {_fresh_copy(where)}")


def _from_batches(files, verify: bool, container: Path) -> Images:
    """Images from `files`, (name, where, bytes) in any order: each file's bytes are
    checked (when `verify`) and parsed before the next is read. `container` (a folder or
    an archive) is named when one of `BATCH_FILES` is missing."""
    parts, seen = {}, set()
    for name, where, data in files:
        seen.add(name)
        if verify:
            _check_md5(where, data, BATCH_MD5[name])
        if name == "batches.meta":
            _check_meta(where, data)
        else:
            parts[name] = _batch(where, data)
    missing = [f"{BATCHES}/{name}" for name in BATCH_FILES if name not in seen]
    if missing:
        raise store.DatasetCorruptError(
            f"{container} lacks {', '.join(missing)}, which the official {ARCHIVE} holds. "
            f"Delete it and put a fresh copy in its place.")
    x_train = np.concatenate([parts[name][0] for name in TRAIN_BATCHES])
    y_train = np.concatenate([parts[name][1] for name in TRAIN_BATCHES])
    return Images(x_train, y_train, *parts["test_batch"])


def read_batches(folder: str | Path, *, verify: bool = True) -> Images:
    """CIFAR-10 from an official `cifar-10-batches-py/` folder (`folder` is that folder).

    `verify=False` skips the md5 checks, for generated stand-ins in the same format.
    """
    folder = Path(folder)
    return _from_batches(((name, str(folder / name), store.read_verified(folder / name, None))
                          for name in BATCH_FILES), verify, folder)


def read_archive(path: str | Path, *, verify: bool = True) -> Images:
    """CIFAR-10 from the official `cifar-10-python.tar.gz`, read in one pass, not extracted.

    Its seven members are md5-checked as `read_batches` checks the files (`verify=False`
    skips that); a member that is missing, or an archive that is damaged, is a
    DatasetCorruptError naming it.
    """
    path = Path(path)
    wanted = {f"{BATCHES}/{name}": name for name in BATCH_FILES}

    def members(tar):
        found = set()
        for member in tar:  # one pass: a gzip stream cannot seek back cheaply
            name = wanted.get(member.name.removeprefix("./"))
            if name is not None and member.isfile() and name not in found:
                found.add(name)
                yield name, f"{path} (member {member.name})", tar.extractfile(member).read()

    data = store.read_verified(path, None)  # ~170 MB, read once (unreadable: said so)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r|gz") as tar:
            return _from_batches(members(tar), verify, path)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise store.DatasetCorruptError(
            f"{path} is not a readable .tar.gz (truncated or damaged: {error}). Delete it "
            f"and put a fresh copy of the official {ARCHIVE} in its place.") from None


class Copy(NamedTuple):
    """A copy of CIFAR-10 that `find_copy` found: its form (a key of `FORMS`), its path
    (the .npz, the batches folder or the archive) and where it came from."""

    form: str
    path: Path
    where: str


def find_copy(data_dir=None) -> Copy:
    """The copy of CIFAR-10 `classification_data` reads, downloading the archive if need be.

    The first data root (`store.search_roots` order) whose `cifar-10/` holds a form
    wins; within it, `cifar10.npz`, then `cifar-10-batches-py/` (all seven files), then
    `cifar-10-python.tar.gz`. When none does, the official archive is downloaded into the
    Keras cache unless KERASREPORTS_OFFLINE=1; otherwise, or when the download fails, a
    DatasetNotFoundError says what to put where.
    """
    incomplete = []
    for why, root in store.search_roots(data_dir):
        folder = root / SPEC.folder
        # store's test for a file: a folder we may not look into is an error saying so.
        if store._is_file(folder / FILE):
            return Copy("npz", folder / FILE, why)
        present = [name for name in BATCH_FILES if store._is_file(folder / BATCHES / name)]
        if len(present) == len(BATCH_FILES):
            return Copy("batches", folder / BATCHES, why)
        if store._is_file(folder / ARCHIVE):
            return Copy("archive", folder / ARCHIVE, why)
        if present:
            lacking = [name for name in BATCH_FILES if name not in present]
            incomplete.append(f"{folder / BATCHES} ({why}) lacks {', '.join(lacking)}.")
    failure = ""
    if store._may_download(_DOWNLOADABLE):
        try:
            return Copy("archive", download(), "downloaded into the Keras cache")
        except Exception as error:  # noqa: BLE001 (no network, server gone, wrong bytes: explain)
            failure = f" (A download from {ARCHIVE_URL} was tried and failed: {error})"
    raise store.DatasetNotFoundError(explain_missing(data_dir, incomplete) + failure)


def download() -> Path:
    """Download the official archive into the Keras cache (`<cache>/cifar-10/`), pinned to
    its published md5 (`get_file` refuses other bytes); returns its path."""
    import keras

    cache = store.keras_cache_dir()
    # get_file falls back to /tmp/.keras when the cache folder does not exist yet.
    (cache / SPEC.folder).mkdir(parents=True, exist_ok=True)
    return Path(keras.utils.get_file(
        fname=ARCHIVE, origin=ARCHIVE_URL, file_hash=ARCHIVE_MD5,
        cache_dir=str(cache.parent), cache_subdir=f"{cache.name}/{SPEC.folder}"))


def explain_missing(data_dir=None, incomplete=()) -> str:
    """What to put where for `classification_data`: the three forms, and the places."""
    roots = store.search_roots(data_dir)
    places = "; ".join(f"{root / SPEC.folder} ({why})" for why, root in roots)
    first = roots[0][1] / SPEC.folder
    message = (
        f"CIFAR-10 not found.{''.join(' ' + note for note in incomplete)} Put one of its "
        f"forms in one of these folders: {places}. The forms: {FILE} (the "
        f"project's staged arrays, shared/data/cifar-10), the official folder {BATCHES}/ "
        f"({', '.join(BATCH_FILES)}), or the official archive {ARCHIVE} (from "
        f"{ARCHIVE_URL}, md5 {ARCHIVE_MD5}). For example: mkdir -p {first} and copy "
        f"{ARCHIVE} there, or set KERASREPORTS_DATA to a folder that holds {SPEC.folder}/.")
    if store._may_download(_DOWNLOADABLE):
        return message
    return message + (f" When online the archive is downloaded into "
                      f"{store.keras_cache_dir() / SPEC.folder} on first use; "
                      f"KERASREPORTS_OFFLINE=1 forbids that now.")


def _read_copy(copy: Copy, verify: bool = True) -> Images:
    if copy.form == "npz":
        return read(copy.path, SPEC.files[FILE] if verify else None)
    if copy.form == "batches":
        return read_batches(copy.path, verify=verify)
    return read_archive(copy.path, verify=verify)


# The generated stand-in's parts when the whole part is asked for (0, or the real size).
GENERATED_SIZES = {"n_train": 500, "n_val": 100, "n_test": 200}
_FULL_SIZES = {"n_train": TRAIN_PART, "n_val": VAL_PART, "n_test": 10000}


def _part(name: str, size: int) -> str:
    """The part `name` takes from, with its size, for a ValueError's message."""
    return {"n_train": f"CIFAR-10's training part ({size:,} images: the first of a seeded "
                       f"permutation of the official training images)",
            "n_val": f"CIFAR-10's validation part (the last {size:,} images of that "
                     f"permutation)",
            "n_test": f"CIFAR-10's {size:,} test images"}[name]


def classification_data(*, data_dir=None, generated: bool = False, n_train: int = 45000,
                        n_val: int = 5000, n_test: int = 10000,
                        seed: int = 0) -> ClassificationData:
    """The `image_classification` report's CIFAR-10: train, validation and test images.

    As the source: a permutation of the 50,000 official training images drawn from
    `seed` (`np.random.default_rng(seed).permutation`), its first 45,000 for training and
    its last 5,000 (a tenth) for validation; the 10,000 official test images for testing.
    `n_train`, `n_val` and `n_test` take the first n of each part, for quick runs (0: all
    of it; more than the part holds is a ValueError). Images are uint8 (n, 32, 32, 3) RGB,
    labels int64 class ids into `CLASS_NAMES`. The files are found by `find_copy` (and
    downloaded when none is found and downloads are allowed).

    `generated=True` writes a stand-in in the python-batches format, with class-dependent
    colours and patterns (`synthetic.cifar10_like_classes`), to a temporary folder and
    reads it back through the same parser, unverified: its parts hold what `n_*` ask,
    where asking for a whole part (0, or the real part's size, the default) gets
    `GENERATED_SIZES`; the pixels and the split are drawn from `seed`.
    """
    asked = {"n_train": n_train, "n_val": n_val, "n_test": n_test}
    for name, n in asked.items():  # the same limits for generated and real data
        part_size(name, n, _FULL_SIZES[name], _part(name, _FULL_SIZES[name]))
    if generated:
        import tempfile

        # synthetic writes with this module: imported late.
        from kerasreports.datasets import synthetic

        # The stand-in's parts hold exactly what is asked, the whole part meaning a small one.
        parts = {name: GENERATED_SIZES[name] if n in (0, _FULL_SIZES[name]) else n
                 for name, n in asked.items()}
        with tempfile.TemporaryDirectory(prefix="kerasreports-generated-") as root:
            synthetic.write_cifar10_python_like(
                root, n_train=parts["n_train"] + parts["n_val"], n_test=parts["n_test"],
                seed=seed)
            data = read_batches(Path(root) / SPEC.folder / BATCHES, verify=False)
        take, source = parts, "a generated stand-in (python batches, class-coloured patterns)"
    else:
        copy = find_copy(data_dir)
        data = _read_copy(copy)
        n_val_part = len(data.x_train) * VAL_PART // (TRAIN_PART + VAL_PART)  # a tenth
        parts = {"n_train": len(data.x_train) - n_val_part, "n_val": n_val_part,
                 "n_test": len(data.x_test)}
        take = {name: part_size(name, n, parts[name], _part(name, parts[name]))
                for name, n in asked.items()}
        source = f"{copy.path} ({FORMS[copy.form]}, {copy.where})"
    order = np.random.default_rng(seed).permutation(len(data.x_train))
    train = order[:parts["n_train"]][:take["n_train"]]
    val = order[parts["n_train"]:][:take["n_val"]]
    test = slice(0, take["n_test"])
    description = (
        f"CIFAR-10 from {source}: {len(train)} training and {len(val)} validation images, "
        f"the first of the {parts['n_train']} + {parts['n_val']} parts of a permutation "
        f"(seed {seed}) of the {len(order)} training images; the first {take['n_test']} "
        f"of the {len(data.x_test)} test images")
    return ClassificationData(
        data.x_train[train], labels(data.y_train[train]), data.x_train[val],
        labels(data.y_train[val]), data.x_test[test], labels(data.y_test[test]),
        CLASS_NAMES, description)
