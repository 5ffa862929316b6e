"""Kaggle's "Denoising Dirty Documents": scanned pages with stains, and their clean twins.

The data set is three folders of 8-bit grey PNGs, 540 px wide and 258 or 420 px high:
`train/` (144 dirty pages), `train_cleaned/` (their clean targets, same file names) and
`test/` (72 dirty pages, no targets). The 360 files are sha256-checked against the list in
`dirty_documents.sha256` (the copies described in `shared/data/*/SOURCE.md`).

Strict reading, because a silent skip would quietly change every number: a `*.png` that is
not a readable image, a dirty page without its clean twin (or the reverse), or a pair of
different sizes is an error naming the file, and so, when verifying, is a `*.png` that is
not one of the 360 published pages. A file that cannot be a page (`notes.txt`, a sub
folder) changes no number: it is ignored with a warning naming it (hidden files, such as
`.DS_Store`, silently), and `data status` notes it. A colour page is converted to grey with
Pillow's `convert("L")` (ITU-R 601 luma, L = 0.299 R + 0.587 G + 0.114 B) and a warning
names it. Pixels are returned as float32 in [0, 1], each page its own size.

The 144 training pages are only 36 texts, each printed under four different stains (the
clean twins of e.g. 2, 5, 8 and 11.png are byte-identical). `split_by_document` therefore
holds out whole texts: a random split of pages would put the same text on both sides and
measure memorisation. The Kaggle data needs a login, so nothing here downloads it.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kerasreports.datasets import store

FOLDERS = ("train", "train_cleaned", "test")


def _manifest() -> dict[str, str]:
    text = resources.files("kerasreports.datasets").joinpath("dirty_documents.sha256")
    files = {}
    for line in text.read_text().splitlines():
        digest, name = line.split()
        files[name] = digest
    return files


# The data set's spec; `load` and `check_folder` look it up at call time (tests replace it).
SPEC = store.DatasetSpec(
    name="dirty_documents",
    folder="denoising-dirty-documents",
    files=_manifest(),
    files_summary="train/ (144 PNG), train_cleaned/ (144 PNG), test/ (72 PNG)",
    check_folder=lambda folder: check_folder(folder),  # (defined below)
    how_to_get=(
        "It needs a Kaggle account, so it is not downloaded for you: run "
        "`kaggle competitions download -c denoising-dirty-documents`, unzip the archive "
        "and the train.zip, train_cleaned.zip and test.zip inside it, and put the three "
        "folders in denoising-dirty-documents/ under one of the places above."
    ),
)


class Pages(NamedTuple):
    names: list[str]  # training file names, e.g. "2.png", in numeric order
    dirty: list[np.ndarray]  # (H, W) float32 in [0, 1]
    clean: list[np.ndarray]  # the clean twin of each dirty page, same size
    test_names: list[str]
    test: list[np.ndarray]  # dirty pages without targets


class PageError(store.DatasetCorruptError):
    """A page that cannot be read, or that has no matching twin."""


def read_page(path: str | Path, digest: str | None = None) -> np.ndarray:
    """One page as float32 grey in [0, 1]; colour is converted (with a warning).

    With `digest` (its sha256) the bytes are checked before they are decoded: the very
    bytes checked are the ones decoded.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    data = store.read_verified(path, digest)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            mode = image.mode
            if mode in ("RGB", "RGBA", "P", "LA", "CMYK"):
                warnings.warn(f"{path} is a colour ({mode}) page; converted to grey "
                              f"(L = 0.299 R + 0.587 G + 0.114 B)", stacklevel=2)
                image = image.convert("L")
            elif mode not in ("L", "1"):
                raise PageError(f"{path} has pixel mode {mode!r}; expected 8-bit grey (L)")
            pixels = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    except UnidentifiedImageError:  # its message would name the in-memory buffer
        raise PageError(f"{path} is not a readable image: Pillow cannot identify its "
                        f"format") from None
    except (OSError, SyntaxError) as error:
        raise PageError(f"{path} is not a readable image: {error}") from None
    return pixels


def _page_files(folder: Path, published=None) -> tuple[dict[str, Path], list[Path]]:
    """The pages of `folder` by file name, in numeric order, and the files ignored.

    Every `*.png` file is a page. With `published` (the data set's names, e.g.
    "train/2.png"), a page not among them is an error: it would be read unverified.
    Anything else but hidden files is returned as ignored, for a warning or a note.
    """
    if not folder.is_dir():
        raise store.DatasetNotFoundError(f"{folder} is missing: the data set needs "
                                         f"{', '.join(f + '/' for f in FOLDERS)}")
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        raise store.unreadable(folder, error) from None
    files, ignored = {}, []
    for path in entries:
        if path.name.startswith("."):  # .DS_Store and editor droppings are not pages
            continue
        if path.suffix.lower() != ".png" or not path.is_file():
            ignored.append(path)
            continue
        if published is not None and f"{folder.name}/{path.name}" not in published:
            raise PageError(f"{path} is not one of the data set's published pages (those "
                            f"in dirty_documents.sha256): move it out of {folder}")
        files[path.name] = path
    return dict(sorted(files.items(), key=lambda item: _page_number(item[0]))), ignored


def _ignored(path: Path) -> str:
    return f"{path} is not a PNG page; ignored"


def check_folder(folder: str | Path) -> list[str]:
    """What a verifying `load` says of `folder` beyond the checksums: a PageError for a
    page that is not a published one, and a note for each file it ignores.

    `store.status_row` calls it (the data set's `check_folder`), so that `data status`
    and the loader agree.
    """
    notes = []
    published = SPEC.files
    for sub in FOLDERS:
        notes += map(_ignored, _page_files(Path(folder) / sub, published)[1])
    return notes


def _page_number(name: str) -> tuple:
    stem = Path(name).stem
    return (0, int(stem), "") if stem.isdigit() else (1, 0, stem)


def load_folder(folder: str | Path, published: dict[str, str] | None = None) -> Pages:
    """Read train/, train_cleaned/ and test/ of `folder`, pairing pages by file name.

    `published` (file name, e.g. "train/2.png" -> sha256; the data set's `files`) checks
    each page as it is read, and refuses a page not in it. Without it every `*.png` in the
    three folders is read as it is.
    """
    folder = Path(folder)

    def pages(sub: str) -> dict[str, Path]:
        files, ignored = _page_files(folder / sub, published)
        for path in ignored:
            warnings.warn(_ignored(path), stacklevel=3)
        return files

    def read(sub: str, path: Path) -> np.ndarray:
        return read_page(path, published[f"{sub}/{path.name}"] if published else None)

    dirty_files = pages("train")
    clean_files = pages("train_cleaned")
    for name in sorted(dirty_files.keys() - clean_files.keys()):
        raise PageError(f"{dirty_files[name]} has no clean twin "
                        f"{folder / 'train_cleaned' / name}")
    for name in sorted(clean_files.keys() - dirty_files.keys()):
        raise PageError(f"{clean_files[name]} has no dirty twin {folder / 'train' / name}")
    dirty, clean = [], []
    for name, path in dirty_files.items():
        d, c = read("train", path), read("train_cleaned", clean_files[name])
        if d.shape != c.shape:
            raise PageError(f"{path} is {d.shape[1]}x{d.shape[0]} px but its clean twin "
                            f"{clean_files[name]} is {c.shape[1]}x{c.shape[0]}")
        dirty.append(d)
        clean.append(c)
    test_files = pages("test")
    test = [read("test", path) for path in test_files.values()]
    return Pages(list(dirty_files), dirty, clean, list(test_files), test)


def load(data_dir=None, *, verify: bool = True) -> Pages:
    """Find (see `store`), verify and read the data set.

    `verify=False` reads whatever pages the folder holds without checking them against
    the published files: for generated stand-ins in the same layout.
    """
    spec = SPEC
    if verify:
        folder = store.locate(spec, data_dir, verify_files=False)  # checked as read
        return load_folder(folder, spec.files)
    folder = Path(data_dir) / spec.folder if data_dir else store.locate(
        spec, None, verify_files=False)
    return load_folder(folder)


def split_by_document(clean: list[np.ndarray], fraction: float = 0.15, *,
                      seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train, validation) page indices holding out whole documents.

    Pages whose clean twins are identical are the same document under different stains;
    all of them go to the same side. Documents are drawn in a seeded order until the
    validation side holds at least `fraction` of the pages (and at least one document).
    """
    if not 0 < fraction < 1:
        raise ValueError(f"validation fraction must be between 0 and 1, not {fraction}")
    documents: dict[str, list[int]] = {}
    for i, page in enumerate(clean):
        documents.setdefault(_document_key(page), []).append(i)
    if len(documents) < 2:
        raise ValueError("need at least two different documents to hold one out")
    groups = list(documents.values())
    order = np.random.default_rng(seed).permutation(len(groups))
    validation: list[int] = []
    for g in order[:-1]:  # always leave one document to train on
        if len(validation) >= fraction * len(clean):
            break
        validation += groups[g]
    held = set(validation)
    train = [i for i in range(len(clean)) if i not in held]
    return np.array(train), np.array(sorted(validation))


def document_count(clean: list[np.ndarray]) -> int:
    """How many different documents (distinct clean pages) there are."""
    return len({_document_key(page) for page in clean})


def _document_key(clean_page: np.ndarray) -> str:
    data = np.ascontiguousarray(clean_page).tobytes() + str(clean_page.shape).encode()
    return hashlib.sha1(data).hexdigest()


def random_patches(dirty: list[np.ndarray], clean: list[np.ndarray], indices, *, size: int,
                   per_page: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`per_page` aligned random (dirty, clean) crops of size x size from each page.

    Returns two float32 arrays of shape (len(indices) * per_page, size, size, 1).
    """
    xs, ys = [], []
    for i in indices:
        height, width = dirty[i].shape
        if height < size or width < size:
            raise ValueError(f"page {i} ({width}x{height}) is smaller than a {size}px patch")
        for _ in range(per_page):
            top = rng.integers(0, height - size + 1)
            left = rng.integers(0, width - size + 1)
            xs.append(dirty[i][top:top + size, left:left + size])
            ys.append(clean[i][top:top + size, left:left + size])
    return np.stack(xs)[..., None], np.stack(ys)[..., None]


def patch_batches(dirty: list[np.ndarray], clean: list[np.ndarray], indices, *, size: int,
                  per_page: int, batch_size: int, seed: int = 0):
    """A `keras.utils.PyDataset` of fresh random patches every epoch, reproducibly.

    Each epoch draws `per_page` crops from every page in `indices` (with a generator
    seeded by `seed` and the epoch number), shuffles them and serves them in batches.
    """
    import keras

    class PatchBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.epoch = 0
            self._draw()

        def _draw(self):
            rng = np.random.default_rng([seed, self.epoch])
            x, y = random_patches(dirty, clean, indices, size=size, per_page=per_page, rng=rng)
            order = rng.permutation(len(x))
            self.x, self.y = x[order], y[order]

        def __len__(self):
            return max(1, len(self.x) // batch_size)

        def __getitem__(self, i):
            batch = slice(i * batch_size, (i + 1) * batch_size)
            return self.x[batch], self.y[batch]

        def start_at(self, epoch):
            """Serve epoch `epoch`'s patches next (`resume.fit` continuing a fit)."""
            if epoch != self.epoch:
                self.epoch = epoch
                self._draw()

        def on_epoch_end(self):
            self.start_at(self.epoch + 1)

    return PatchBatches()


class ReportPages(NamedTuple):
    """What the `dirty_documents` report trains and scores on (`report_pages`)."""

    pages: Pages
    train_idx: np.ndarray  # training pages (whole documents)
    val_idx: np.ndarray  # validation pages: documents the models never train on
    description: str


def report_pages(*, data_dir=None, generated: bool = False,
                 validation_fraction: float = 0.15, seed: int = 0) -> ReportPages:
    """The `dirty_documents` report's pages and its split by document, for its notebook
    and its searches alike: the real pages under `data_dir`, or with `generated=True`
    generated pages written in the Kaggle layout to a temporary folder, read through the
    same loader and removed again."""
    if generated:
        import tempfile

        from kerasreports.datasets import synthetic  # it writes with this module

        with tempfile.TemporaryDirectory(prefix="kerasreports-generated-") as root:
            synthetic.write_dirty_documents_like(root, seed=seed)
            pages = load(root, verify=False)
    else:
        pages = load(data_dir or None)
    train_idx, val_idx = split_by_document(pages.clean, validation_fraction, seed=seed)
    description = (f"{len(train_idx)} training / {len(val_idx)} validation pages (whole "
                   f"documents){' (generated)' if generated else ''}, {len(pages.test)} "
                   f"test pages without targets")
    return ReportPages(pages, train_idx, val_idx, description)
