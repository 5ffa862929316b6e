"""TinyImageNet (Stanford CS231n): 200 classes of 64x64 RGB JPEGs, 100,000 train, 10,000 val.

The official layout, the folder `tiny-imagenet-200/` of the official zip:

    wnids.txt                        the 200 class ids (WordNet ids), one a line
    words.txt                        wnid <tab> names, for all of ImageNet (optional here)
    train/<wnid>/images/<wnid>_<k>.JPEG   500 per class (train/<wnid>/<wnid>_boxes.txt: unused)
    val/images/val_<k>.JPEG          10,000, labelled by
    val/val_annotations.txt          file <tab> wnid <tab> 4 box ints, one a line
    test/                            10,000 unlabelled images: not read

It is found, like every data set (`store.search_roots`), in the first data root holding
the folder `tiny-imagenet-200/` (with its wnids.txt) or the official zip
`tiny-imagenet-200.zip` itself (next to where the folder would be), the folder first.
When none does and downloads are allowed (not KERASREPORTS_OFFLINE=1), the zip is
downloaded from `URL` with `keras.utils.get_file`, pinned to `ZIP_MD5`, and unzipped into
the Keras cache (test/ left out), where the next search and `kerasreports data status`
find the folder. The md5 is not published by Stanford: it is the value that
torchvision-style loaders have pinned for years (e.g. ContinualAI/avalanche,
`avalanche/benchmarks/datasets/tiny_imagenet/tiny_imagenet.py`, and many other public
repositories agree on it), for a zip of 248,100,043 bytes.

Checks: a zip found in a data root is md5-checked on the bytes that are then read (so a
repacked zip is refused: unzip it instead). A folder has no published checksums, so its
layout is checked: wnids.txt, val/val_annotations.txt, a class folder with images for
every wnid and for no other, every annotation's wnid among the wnids and its image
present, and (for the published data set, `verify=True`) the official counts: 200 classes,
500 training images each, 10,000 validation images. Anything else is a one-paragraph
DatasetCorruptError naming the file or folder; so is an image Pillow cannot decode or
that is not 64x64. Greyscale JPEGs (some of the real ones are) become RGB with
`convert("RGB")`. Class ids follow wnids.txt's order; class names are words.txt's first
name for each wnid (the wnid itself without words.txt).

Decoding the 110,000 JPEGs takes a while (progress is printed every 10%), so the decoded
arrays are kept as an uncompressed `.npz` in the Keras cache (`CACHE`, about 1.3 GB, when
there is room), keyed by the copy's path and the size and time of every file read, and
read instead while the copy is unchanged. Generated stand-ins are never cached.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kerasreports.datasets import store
from kerasreports.datasets.classification import ClassificationData, labels, part_size

FOLDER = "tiny-imagenet-200"
ZIP = "tiny-imagenet-200.zip"
URL = "http://cs231n.stanford.edu/tiny-imagenet-200.zip"
ZIP_MD5 = "90528d7ca1a48142e341f4ef8d21d0de"  # see the module docstring for its source
SIZE = 64
CLASSES, TRAIN_PER_CLASS, VAL_IMAGES = 200, 500, 10000
ANNOTATIONS = "val/val_annotations.txt"
CACHE = "tiny-imagenet-200.decoded.npz"  # in the Keras cache

_LAYOUT = (f"{FOLDER}/ with wnids.txt, words.txt, train/<wnid>/images/*.JPEG (200 classes "
           f"x 500), val/images/*.JPEG (10,000) and {ANNOTATIONS}")

SPEC = store.DatasetSpec(
    name="tiny_imagenet",
    folder=FOLDER,
    files={},  # nothing is checksummed in the folder (none published): check_folder
    files_summary=_LAYOUT.removeprefix(f"{FOLDER}/ with "),
    check_folder=lambda folder: check_folder(folder),  # (defined below)
    how_to_get=(
        f"Or unzip the official {ZIP} ({URL}, md5 {ZIP_MD5}) in the data root above one "
        f"of those (it makes {FOLDER}/), or put the zip itself there. When online, the "
        f"image_classification report downloads and unzips it into the Keras cache on "
        f"first use (unless KERASREPORTS_OFFLINE=1)."),
)


class Images(NamedTuple):
    x_train: np.ndarray  # (100000, 64, 64, 3) uint8 RGB, class by class (wnids.txt order)
    y_train: np.ndarray  # (100000,) int64 class ids
    x_val: np.ndarray  # (10000, 64, 64, 3), in val_annotations.txt's order
    y_val: np.ndarray
    wnids: tuple[str, ...]
    class_names: tuple[str, ...]


class Copy(NamedTuple):
    """A copy `find_copy` found: "folder" or "zip", its path, where it came from."""

    form: str
    path: Path
    where: str


def _corrupt(message: str) -> store.DatasetCorruptError:
    return store.DatasetCorruptError(
        f"{message}. The copy is damaged or not the official one: unzip a fresh {ZIP} "
        f"({URL}) in its place.")


# ------------------------------------------------- the files of a copy: folder or zip


class _Folder:
    """The files of a `tiny-imagenet-200/` folder, by path relative to it."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def where(self, rel: str) -> str:
        return str(self.path / rel)

    def is_file(self, rel: str) -> bool:
        return store._is_file(self.path / rel)  # store's test: unreadable is an error

    def listing(self, rel: str) -> tuple[list[str], list[str]] | None:
        """(files, folders) directly in `rel`, sorted, hidden ones left out; None if no folder."""
        folder = self.path / rel
        if not os.path.isdir(folder):
            return None
        try:
            with os.scandir(folder) as entries:
                kinds = sorted((e.name, e.is_dir()) for e in entries
                               if not e.name.startswith("."))
        except OSError as error:
            raise store.unreadable(folder, error) from None
        return [n for n, d in kinds if not d], [n for n, d in kinds if d]

    def read(self, rel: str) -> bytes:
        return store.read_verified(self.path / rel, None)

    def stamp(self, rels: list[str]) -> list:
        """What changes when a file is rewritten: its size and times (for the cache key)."""
        out = []
        for rel in rels:
            st = os.stat(self.path / rel)
            out.append((rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        return out


class _Zip:
    """The files of the official zip (its members under `tiny-imagenet-200/`), from its
    bytes in memory: the bytes md5-checked are the bytes read."""

    def __init__(self, path: Path, data: bytes):
        self.path = Path(path)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise _corrupt(f"{path} is not a readable zip ({error})") from None
        self.members = {}  # rel -> ZipInfo
        self.folders: dict[str, tuple[set, set]] = {}  # rel -> (files, folders)
        for info in infos:
            rel = info.filename.removeprefix(f"{FOLDER}/")
            if rel == info.filename or info.is_dir() or not rel:
                continue
            self.members[rel] = info
            parts = rel.split("/")
            for depth in range(len(parts)):
                parent = "/".join(parts[:depth])
                files, folders = self.folders.setdefault(parent, (set(), set()))
                (files if depth == len(parts) - 1 else folders).add(parts[depth])

    def where(self, rel: str) -> str:
        return f"{self.path} (member {FOLDER}/{rel})"

    def is_file(self, rel: str) -> bool:
        return rel in self.members

    def listing(self, rel: str):
        if rel.rstrip("/") not in self.folders:
            return None
        files, folders = self.folders[rel.rstrip("/")]
        return (sorted(n for n in files if not n.startswith(".")),
                sorted(n for n in folders if not n.startswith(".")))

    def read(self, rel: str) -> bytes:
        try:
            return self.zip.read(self.members[rel])
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise _corrupt(f"{self.where(rel)} cannot be unzipped ({error})") from None

    def stamp(self, rels: list[str]) -> list:
        return [(rel, self.members[rel].CRC, self.members[rel].file_size) for rel in rels]


# ------------------------------------------------------------------ the layout


class _Index(NamedTuple):
    wnids: tuple[str, ...]
    class_names: tuple[str, ...]
    train: list[tuple[str, int]]  # (file, class id), class by class
    val: list[tuple[str, int]]  # in val_annotations.txt's order


def _lines(tree, rel: str, errors: str = "strict") -> list[str]:
    try:
        text = tree.read(rel).decode("utf-8", errors)
    except UnicodeDecodeError as error:
        raise _corrupt(f"{tree.where(rel)} is not text ({error})") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def _number(name: str) -> tuple:
    # n01443537_12.JPEG -> (12, name): the images in their numbered order, not 1, 10, 100.
    stem = name.rsplit(".", 1)[0].rsplit("_", 1)[-1]
    return (int(stem), name) if stem.isdigit() else (float("inf"), name)


def _index(tree, verify: bool) -> _Index:
    """Every image to read with its class, after checking the layout (module docstring)."""
    if not tree.is_file("wnids.txt"):
        raise _corrupt(f"{tree.where('wnids.txt')} is missing")
    wnids = tuple(_lines(tree, "wnids.txt"))
    if not wnids or len(set(wnids)) != len(wnids):
        raise _corrupt(f"{tree.where('wnids.txt')} lists no class, or a class twice")
    if verify and len(wnids) != CLASSES:
        raise _corrupt(f"{tree.where('wnids.txt')} lists {len(wnids)} classes, the official "
                       f"one {CLASSES}")
    names = dict.fromkeys(wnids)
    if tree.is_file("words.txt"):
        for line in _lines(tree, "words.txt", errors="replace"):  # names only: never fatal
            wnid, _, words = line.partition("\t")
            if wnid in names and words.strip():
                names[wnid] = words.split(",")[0].strip()
    class_names = tuple(names[w] or w for w in wnids)
    ids = {wnid: k for k, wnid in enumerate(wnids)}

    listing = tree.listing("train")
    if listing is None:
        raise _corrupt(f"{tree.where('train')} is missing (the training images' folder)")
    stray = sorted(set(listing[1]) - set(wnids))
    if stray:
        raise _corrupt(f"{tree.where('train/' + stray[0])} is a class folder whose wnid is "
                       f"not in wnids.txt")
    train = []
    for wnid in wnids:
        folder = f"train/{wnid}/images"
        found = tree.listing(folder)
        images = sorted((n for n in (found[0] if found else ())
                         if n.lower().endswith((".jpeg", ".jpg"))), key=_number)
        if not images:
            raise _corrupt(f"{tree.where(folder)} has no images (class {wnid} of wnids.txt)")
        if verify and len(images) != TRAIN_PER_CLASS:
            raise _corrupt(f"{tree.where(folder)} has {len(images)} images, the official "
                           f"copy {TRAIN_PER_CLASS}")
        train += [(f"{folder}/{name}", ids[wnid]) for name in images]

    if not tree.is_file(ANNOTATIONS):
        raise _corrupt(f"{tree.where(ANNOTATIONS)} is missing (the validation labels)")
    val, seen = [], set()
    for number, line in enumerate(_lines(tree, ANNOTATIONS), 1):
        fields = line.split("\t")
        if len(fields) < 2:
            raise _corrupt(f"{tree.where(ANNOTATIONS)} line {number} is not "
                           f"'file<tab>wnid<tab>box': {line[:60]!r}")
        name, wnid = fields[0], fields[1]
        if wnid not in ids:
            raise _corrupt(f"{tree.where(ANNOTATIONS)} line {number} labels {name} {wnid}, "
                           f"which is not in wnids.txt")
        rel = f"val/images/{name}"
        if name in seen or "/" in name or not tree.is_file(rel):
            what = "is listed twice" if name in seen else "is missing"
            raise _corrupt(f"{tree.where(rel)} {what} (line {number} of {ANNOTATIONS})")
        seen.add(name)
        val.append((rel, ids[wnid]))
    if verify and len(val) != VAL_IMAGES:
        raise _corrupt(f"{tree.where(ANNOTATIONS)} labels {len(val)} images, the official "
                       f"one {VAL_IMAGES}")
    return _Index(wnids, class_names, train, val)


def check_folder(folder: str | Path) -> list[str]:
    """The layout check a verifying `load` makes, without decoding the images; for
    `data status` (the spec's `check_folder`). Raises DatasetCorruptError; no notes."""
    _index(_Folder(Path(folder)), verify=True)
    return []


# ------------------------------------------------------------------ decoding


def decode(where: str, data: bytes) -> np.ndarray:
    """One image as (64, 64, 3) uint8 RGB (greyscale and other modes converted)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            pixels = np.asarray(image.convert("RGB"), dtype=np.uint8)
    except UnidentifiedImageError:  # its message would name the in-memory buffer
        raise _corrupt(f"{where} is not a readable image: Pillow cannot identify its "
                       f"format") from None
    except (OSError, SyntaxError, ValueError) as error:  # truncated, damaged, odd mode
        raise _corrupt(f"{where} is not a readable image ({error})") from None
    if pixels.shape != (SIZE, SIZE, 3):
        raise _corrupt(f"{where} is {pixels.shape[1]}x{pixels.shape[0]}, not {SIZE}x{SIZE}")
    return pixels


def _decode_all(tree, items: list[tuple[str, int]], what: str) -> np.ndarray:
    """The images of `items` decoded in threads (Pillow lets go of the GIL while it
    decodes), read in this thread; progress every 10% for a large set."""
    from concurrent.futures import ThreadPoolExecutor

    out = np.empty((len(items), SIZE, SIZE, 3), np.uint8)
    step = max(1, len(items) // 10)
    chunk = 1000
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        for start in range(0, len(items), chunk):
            rels = [rel for rel, _ in items[start:start + chunk]]
            blobs = [(tree.where(rel), tree.read(rel)) for rel in rels]
            for k, pixels in enumerate(pool.map(lambda b: decode(*b), blobs)):
                out[start + k] = pixels
            done = start + len(rels)
            if len(items) >= 5000 and (done // step > start // step or done == len(items)):
                print(f"TinyImageNet: decoded {done:,} of {len(items):,} {what} images "
                      f"({100 * done // len(items)}%)", flush=True)
    return out


# ------------------------------------------------------------------ the decoded cache


def _cache_key(copy: Copy, tree, index: _Index, digest: str | None) -> str:
    rels = ["wnids.txt", ANNOTATIONS] + [rel for rel, _ in index.train + index.val]
    rels += ["words.txt"] if tree.is_file("words.txt") else []
    stamp = {"version": 1, "form": copy.form, "path": str(Path(copy.path).resolve()),
             "md5": digest, "files": tree.stamp(rels)}
    return hashlib.sha256(json.dumps(stamp).encode()).hexdigest()


def _cached(path: Path, key: str, index: _Index) -> Images | None:
    try:
        with np.load(path, allow_pickle=False) as npz:
            if str(npz["key"]) != key:
                return None
            arrays = {name: npz[name] for name in ("x_train", "y_train", "x_val", "y_val")}
    except Exception:  # noqa: BLE001 (absent, stale, damaged: decode the copy instead)
        return None
    if (arrays["x_train"].shape != (len(index.train), SIZE, SIZE, 3)
            or arrays["x_val"].shape != (len(index.val), SIZE, SIZE, 3)):
        return None
    print(f"TinyImageNet: read the decoded images from {path}", flush=True)
    return Images(**arrays, wnids=index.wnids, class_names=index.class_names)


def _keep(path: Path, key: str, images: Images) -> None:
    """Write the cache atomically, when there is room; a failure only costs the time."""
    size = images.x_train.nbytes + images.x_val.nbytes
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if shutil.disk_usage(path.parent).free < 2 * size + (1 << 30):
            print(f"TinyImageNet: not caching the decoded images in {path.parent}: too "
                  f"little free space", flush=True)
            return
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".partial",
                                         delete=False) as f:
            np.savez(f, key=np.array(key), x_train=images.x_train, y_train=images.y_train,
                     x_val=images.x_val, y_val=images.y_val)
        os.replace(f.name, path)
    except OSError as error:
        print(f"TinyImageNet: could not cache the decoded images in {path} ({error})",
              flush=True)


# ------------------------------------------------------------------ finding a copy


def find_copy(data_dir=None) -> Copy:
    """The copy `load` reads: the first data root holding `tiny-imagenet-200/wnids.txt`
    ("folder") or `tiny-imagenet-200.zip` ("zip"), the folder first; else downloaded and
    unzipped into the Keras cache when allowed; else a DatasetNotFoundError."""
    passed = []
    for why, root in store.search_roots(data_dir):
        folder = root / FOLDER
        if store._is_file(folder / "wnids.txt"):
            return Copy("folder", folder, why)
        if store._is_file(root / ZIP):
            return Copy("zip", root / ZIP, why)
        if _not_empty(folder):
            nested = " (unzipped into itself? move the files of "
            nested = (nested + f"{folder / FOLDER}/ up one level)"
                      if store._is_file(folder / FOLDER / "wnids.txt") else "")
            passed.append(f"{folder} ({why}) has no wnids.txt{nested}: passed over.")
    failure = ""
    if store._may_download(_DOWNLOADABLE):
        try:
            return Copy("folder", download(), "downloaded into the Keras cache")
        except Exception as error:  # noqa: BLE001 (no network, server gone, wrong bytes: explain)
            failure = f" (A download from {URL} was tried and failed: {error})"
    raise store.DatasetNotFoundError(explain_missing(data_dir, passed) + failure)


def _not_empty(folder: Path) -> bool:
    """Whether `folder` is a folder with something in it (an empty one is no copy)."""
    if not os.path.isdir(folder):
        return False
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is not None
    except OSError as error:
        raise store.unreadable(folder, error) from None


_DOWNLOADABLE = store.DatasetSpec(SPEC.name, FOLDER, {}, url=URL)  # store's download rule


def explain_missing(data_dir=None, passed=()) -> str:
    roots = store.search_roots(data_dir)
    places = "; ".join(f"{root} ({why})" for why, root in roots)
    message = (
        f"Data set 'tiny_imagenet' not found.{''.join(' ' + p for p in passed)} Put the "
        f"official folder {_LAYOUT} (test/ is not read), or the official zip {ZIP} "
        f"({URL}, md5 {ZIP_MD5}), in one of: {places}. For example: cd {roots[0][1]} and "
        f"unzip {ZIP} there, or set KERASREPORTS_DATA to a folder that holds {FOLDER}/.")
    if store._may_download(_DOWNLOADABLE):
        return message
    return message + (f" When online it is downloaded and unzipped into "
                      f"{store.keras_cache_dir() / FOLDER} on first use; "
                      f"KERASREPORTS_OFFLINE=1 forbids that now.")


def download() -> Path:
    """Download the official zip into the Keras cache (pinned to `ZIP_MD5`: `get_file`
    refuses other bytes) and unzip its folder there, test/ left out; returns the folder."""
    import keras

    cache = store.keras_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)  # else get_file falls back to /tmp/.keras
    path = Path(keras.utils.get_file(fname=ZIP, origin=URL, file_hash=ZIP_MD5,
                                     cache_dir=str(cache.parent), cache_subdir=cache.name))
    return unzip(path, cache)


def unzip(path: Path, into: Path) -> Path:
    """Unzip the folder of the official zip at `path` into `into`/tiny-imagenet-200,
    atomically (a temporary folder renamed when complete), test/ left out."""
    data = store.read_verified(path, None)
    tree = _Zip(path, data)
    with tempfile.TemporaryDirectory(dir=into, prefix=".tiny-imagenet-unzip-") as tmp:
        for rel, info in tree.members.items():
            if not rel.startswith("test/"):
                # ZipFile.extract drops "..", drive letters and leading slashes.
                tree.zip.extract(info, tmp)
        os.replace(Path(tmp) / FOLDER, into / FOLDER)
    return into / FOLDER


# ------------------------------------------------------------------ loading


def _check_md5(path: Path, data: bytes) -> str:
    actual = hashlib.md5(data).hexdigest()
    if actual != ZIP_MD5:
        raise store.DatasetCorruptError(
            f"{path} is not the official {ZIP}: its md5 is {actual}, the published one "
            f"{ZIP_MD5}. Put a fresh copy of it in its place (or, for a zip of the same "
            f"files made otherwise, unzip it there so that {FOLDER}/ is read instead).")
    return actual


def read(copy: Copy, *, verify: bool = True, cache: bool = True) -> Images:
    """The images of `copy` (from `find_copy`), checked as the module docstring says;
    `verify=False` skips the zip's md5 and the official counts (generated stand-ins),
    `cache=False` neither reads nor writes the decoded cache."""
    digest = None
    if copy.form == "zip":
        data = store.read_verified(copy.path, None)
        digest = _check_md5(copy.path, data) if verify else None
        tree = _Zip(copy.path, data)
    else:
        tree = _Folder(copy.path)
    index = _index(tree, verify)
    cache_path = store.keras_cache_dir() / CACHE
    key = _cache_key(copy, tree, index, digest) if cache else ""
    if cache and (found := _cached(cache_path, key, index)) is not None:
        return found
    images = Images(
        _decode_all(tree, index.train, "training"),
        np.array([k for _, k in index.train], np.int64),
        _decode_all(tree, index.val, "validation"),
        np.array([k for _, k in index.val], np.int64),
        index.wnids, index.class_names)
    if cache:
        _keep(cache_path, key, images)
    return images


def load(data_dir=None, *, verify: bool = True, cache: bool = True) -> Images:
    """TinyImageNet from the first copy `find_copy` finds (downloading it if allowed)."""
    return read(find_copy(data_dir), verify=verify, cache=cache)


def balanced_order(y: np.ndarray, seed: int) -> np.ndarray:
    """The indices of `y` in a seeded order that takes one image of each class in turn
    (classes, and images within each, in a random order): its first n are a class-balanced
    subset of any size n (class counts differ by at most one)."""
    rng = np.random.default_rng(seed)
    classes = rng.permutation(np.unique(y))
    position = np.empty(int(y.max()) + 1 if len(y) else 0, np.int64)
    position[classes] = np.arange(len(classes))
    rank = np.empty(len(y), np.int64)
    for c in classes:
        members = rng.permutation(np.flatnonzero(y == c))
        rank[members] = np.arange(len(members))
    return np.lexsort((position[y], rank))  # by rank, then by class


# The generated stand-in (`generated=True`): fewer classes than the real 200, so that a
# smoke run learns them from a few images each; per-class sizes scale to what is asked.
GENERATED_CLASSES = 10
GENERATED_SIZES = {"n_train": 400, "n_val": 100}


def classification_data(*, data_dir=None, generated: bool = False, n_train: int = 100000,
                        n_val: int = 10000, n_test: int = 0,
                        seed: int = 0) -> ClassificationData:
    """The `image_classification` report's TinyImageNet: the official training images for
    training and the official validation images for validation; no test set (the
    source used only these two; the test images are unlabelled), so `x_test` and
    `y_test` are None and `n_test` must be 0.

    The training images come in a seeded order that takes each class in turn
    (`balanced_order`, seed `seed`), so `n_train` < 100,000 takes a class-balanced
    subset; `n_val` takes the first n validation images (val_annotations.txt's order, in
    which classes are mixed). 0 is all; more is a ValueError. Images are uint8
    (n, 64, 64, 3) RGB, labels int64 ids into `class_names` (`len(class_names)` classes).

    `generated=True` writes a stand-in in the official layout (JPEGs,
    `synthetic.write_tiny_imagenet_like`) with `GENERATED_CLASSES` classes to a temporary
    folder and reads it back through the same parser, unverified and uncached: it holds
    what `n_train` and `n_val` ask (rounded up to whole classes), the whole part (0, or
    the real size, the default) meaning `GENERATED_SIZES`.
    """
    full = {"n_train": CLASSES * TRAIN_PER_CLASS, "n_val": VAL_IMAGES}
    asked = {"n_train": n_train, "n_val": n_val}
    part_size("n_train", n_train, full["n_train"],
              "TinyImageNet's 100,000 training images (500 per class)")
    part_size("n_val", n_val, full["n_val"], "TinyImageNet's 10,000 validation images")
    if n_test:
        raise ValueError(
            f"n_test={n_test}: TinyImageNet has no labelled test set (its test/ images are "
            f"unlabelled, and the source used only the training and validation images); "
            f"leave n_test at 0, and x_test and y_test are None")
    if generated:
        from kerasreports.datasets import synthetic  # it writes what this module reads

        # The stand-in holds what is asked, the whole part meaning a small one.
        take = {name: GENERATED_SIZES[name] if n in (0, full[name]) else n
                for name, n in asked.items()}
        with tempfile.TemporaryDirectory(prefix="kerasreports-generated-") as root:
            synthetic.write_tiny_imagenet_like(
                root, classes=GENERATED_CLASSES, seed=seed,
                train_per_class=-(-take["n_train"] // GENERATED_CLASSES),
                val_per_class=-(-take["n_val"] // GENERATED_CLASSES))
            data = read(Copy("folder", Path(root) / FOLDER, "generated"), verify=False,
                        cache=False)
        source = (f"a generated stand-in ({GENERATED_CLASSES} classes of class-coloured "
                  f"patterns, JPEGs in the official layout)")
    else:
        copy = find_copy(data_dir)
        data = read(copy)
        take = {name: part_size(name, n, len(part), f"the {len(part):,} images of {copy.path}")
                for (name, n), part in zip(asked.items(), (data.x_train, data.x_val))}
        source = f"{copy.path} ({copy.form}, {copy.where})"
    # Mixed classes in a seeded order, so that any first n are balanced too.
    train = balanced_order(data.y_train, seed)[:take["n_train"]]
    description = (
        f"TinyImageNet from {source}: {len(train)} of its {len(data.x_train)} training "
        f"images, class-balanced, in a seeded order (seed {seed}); the first "
        f"{take['n_val']} of its {len(data.x_val)} validation images; "
        f"{len(data.class_names)} classes; no test set")
    return ClassificationData(
        data.x_train[train], labels(data.y_train[train]), data.x_val[:take["n_val"]],
        labels(data.y_val[:take["n_val"]]), None, None, data.class_names, description)
