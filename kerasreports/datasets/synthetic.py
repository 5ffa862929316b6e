"""Small generated stand-ins for the real data sets, written in the real on-disk formats.

The smoke profile and the tests read these through the same loaders as the real files, so
the parsing code is exercised end to end without the real data (or a network).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kerasreports import datasets
from kerasreports.datasets import mnist, small_vocab


def mnist_like_images(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` 28x28 uint8 images of 10 classes that a small classifier can tell apart.

    Class k is a bright blob at one of ten positions on a ring, with a random jitter, a
    random brightness and background noise, so that the task is learnable but not trivial.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    yy, xx = np.mgrid[0:28, 0:28]
    angles = labels * (2 * np.pi / 10) + rng.normal(0, 0.15, n)
    cy = 14 + 8 * np.sin(angles) + rng.normal(0, 1.0, n)
    cx = 14 + 8 * np.cos(angles) + rng.normal(0, 1.0, n)
    radius = rng.uniform(3.0, 5.0, n)
    dist2 = (yy[None] - cy[:, None, None]) ** 2 + (xx[None] - cx[:, None, None]) ** 2
    blob = np.exp(-dist2 / (2 * radius[:, None, None] ** 2))
    images = blob * rng.uniform(0.6, 1.0, (n, 1, 1)) + rng.uniform(0, 0.15, (n, 28, 28))
    return (np.clip(images, 0, 1) * 255).astype(np.uint8), labels


def write_mnist_like(root: str | Path, name: str = "fashion_mnist", *,
                     n_train: int = 1200, n_test: int = 300, seed: int = 0) -> Path:
    """Write generated IDX `.gz` files where `mnist.load(name, data_dir=root)` finds them."""
    folder = Path(root) / datasets.spec(name).folder
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, n, split_seed in (("train", n_train, seed), ("t10k", n_test, seed + 1)):
        images, labels = mnist_like_images(n, split_seed)
        mnist.write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
        mnist.write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return Path(root)


# English -> French, word by word (a phrase where French needs one), in the style of the
# real corpus: lower case, " ," and " ." as tokens, "l'" and "états-unis" as in French.
_PLACES = {"new jersey": "new jersey", "paris": "paris", "california": "californie",
           "the united states": "les états-unis", "france": "la france"}
_ADVERBS = {"usually": "généralement", "sometimes": "parfois", "never": "jamais"}
_ADJECTIVES = {"quiet": "calme", "hot": "chaud", "cold": "froid", "mild": "doux",
               "snowy": "neigeux", "busy": "occupé", "rainy": "pluvieux"}
_MONTHS = dict(zip(
    "january february march april may june july august september october november "
    "december".split(),
    "janvier février mars avril mai juin juillet août septembre octobre novembre "
    "décembre".split()))
_CONJUNCTIONS = {"and": "et", "but": "mais"}
_POSSESSIVES = {"his": "son", "my": "mon", "your": "votre", "our": "notre"}
_FRUITS = {"apple": "la pomme", "grape": "le raisin", "orange": "l' orange",
           "lemon": "le citron", "banana": "la banane"}


def small_vocab_like_pairs(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """`n` English–French pairs from a tiny grammar with a fixed word-by-word mapping.

    Two sentence shapes of the real corpus, "<place> is <adverb> <adjective> during
    <month> , and it is ... in <month> ." and "<his> favorite fruit is the <fruit> , but
    <my> favorite is the <fruit> .", so a small model learns the mapping in seconds.
    """
    rng = np.random.default_rng(seed)
    pick = lambda table: list(table.items())[rng.integers(len(table))]  # noqa: E731
    english, french = [], []
    for _ in range(n):
        if rng.random() < 0.7:
            p, c = pick(_PLACES), pick(_CONJUNCTIONS)
            a1, j1, m1 = pick(_ADVERBS), pick(_ADJECTIVES), pick(_MONTHS)
            a2, j2, m2 = pick(_ADVERBS), pick(_ADJECTIVES), pick(_MONTHS)
            english.append(f"{p[0]} is {a1[0]} {j1[0]} during {m1[0]} , {c[0]} it is "
                           f"{a2[0]} {j2[0]} in {m2[0]} .")
            french.append(f"{p[1]} est {a1[1]} {j1[1]} en {m1[1]} , {c[1]} il est "
                          f"{a2[1]} {j2[1]} en {m2[1]} .")
        else:
            s1, f1, s2, f2 = pick(_POSSESSIVES), pick(_FRUITS), pick(_POSSESSIVES), pick(_FRUITS)
            english.append(f"{s1[0]} favorite fruit is the {f1[0]} , but {s2[0]} favorite "
                           f"is the {f2[0]} .")
            french.append(f"{s1[1]} fruit préféré est {f1[1]} , mais {s2[1]} préféré "
                          f"est {f2[1]} .")
    return english, french


def write_small_vocab_like(root: str | Path, *, n: int = 2000, seed: int = 0) -> Path:
    """Write generated `small_vocab_{en,fr}.gz` where `small_vocab.load_pairs(root)` finds them."""
    folder = Path(root) / datasets.spec("small_vocab").folder
    folder.mkdir(parents=True, exist_ok=True)
    english, french = small_vocab_like_pairs(n, seed)
    small_vocab.write_lines(folder / small_vocab.ENGLISH_FILE, english)
    small_vocab.write_lines(folder / small_vocab.FRENCH_FILE, french)
    return Path(root)


_WORDS = ("the quick brown fox jumps over a lazy dog while scanned pages gather coffee "
          "stains folds and faded ink across every line of text").split()


def clean_page(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A white page of dark text lines as uint8, the look of a `train_cleaned/` page."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    for top in range(12, height - 16, 18):
        words = rng.choice(_WORDS, size=int(rng.integers(6, 12)))
        draw.text((int(rng.integers(16, 40)), top), " ".join(words), fill=int(rng.integers(0, 60)),
                  font=font)
    return np.asarray(image, dtype=np.uint8)


def dirty_page(clean: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`clean` under a stain: a dimmed, blotched background with noise, text kept dark."""
    height, width = clean.shape
    yy, xx = np.mgrid[0:height, 0:width]
    background = np.full((height, width), rng.uniform(0.75, 0.95))
    for _ in range(int(rng.integers(2, 5))):  # blotches: dark round stains of random size
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        radius = rng.uniform(20, 90)
        background -= rng.uniform(0.1, 0.35) * np.exp(
            -((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * radius**2))
    background += 0.05 * np.sin(xx / rng.uniform(15, 40) + rng.uniform(0, 6))  # creases
    ink = clean.astype(np.float64) / 255.0
    page = np.minimum(background, ink + 0.1) + rng.normal(0, 0.04, (height, width))
    return (np.clip(page, 0, 1) * 255).astype(np.uint8)


def write_dirty_documents_like(root: str | Path, *, documents: int = 6, stains: int = 2,
                               test_pages: int = 4, seed: int = 0) -> Path:
    """Write generated pages in the Kaggle layout where `dirty_documents.load(root)` finds them.

    `documents` texts, each under `stains` different stains, in train/ and train_cleaned/
    (same file names), and `test_pages` dirty pages in test/: 8-bit grey PNGs 540 px wide,
    258 or 420 px high, numbered like the real files.
    """
    from PIL import Image

    rng = np.random.default_rng(seed)
    folder = Path(root) / datasets.spec("dirty_documents").folder
    for sub in ("train", "train_cleaned", "test"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    number = 1
    for doc in range(documents + test_pages):
        clean = clean_page((258, 420)[doc % 2], 540, rng)
        for _ in range(stains if doc < documents else 1):
            number += 1
            name = f"{number}.png"
            dirty = Image.fromarray(dirty_page(clean, rng), mode="L")
            if doc < documents:
                dirty.save(folder / "train" / name)
                Image.fromarray(clean, mode="L").save(folder / "train_cleaned" / name)
            else:
                dirty.save(folder / "test" / name)
    return Path(root)


def cifar10_like_images(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` 32x32 RGB uint8 images with CIFAR-like structure for a denoiser to learn: a
    smooth two-colour gradient background under a few soft coloured discs and one
    sharp-edged square (edges are where denoisers blur), with class ids 0-9."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:32, 0:32] / 31.0
    images = np.empty((n, 32, 32, 3))
    for k in range(n):
        a, b = rng.uniform(0, 1, 3), rng.uniform(0, 1, 3)
        angle = rng.uniform(0, 2 * np.pi)
        t = (np.cos(angle) * xx + np.sin(angle) * yy + 1.5) / 3
        image = a * t[..., None] + b * (1 - t[..., None])
        for _ in range(int(rng.integers(1, 4))):
            cy, cx, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.1, 0.3)
            disc = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r**2))[..., None]
            image = image * (1 - disc) + rng.uniform(0, 1, 3) * disc
        top, left = rng.integers(0, 24, 2)
        size = int(rng.integers(5, 12))
        image[top:top + size, left:left + size] = rng.uniform(0, 1, 3)
        images[k] = image
    labels = rng.integers(0, 10, n).astype(np.uint8)
    return (np.clip(images, 0, 1) * 255).round().astype(np.uint8), labels


def write_cifar10_like(root: str | Path, *, n_train: int = 600, n_test: int = 200,
                       seed: int = 0) -> Path:
    """Write a generated `cifar10.npz` where `cifar10.load(root)` finds it."""
    from kerasreports.datasets import cifar10

    folder = Path(root) / datasets.spec("cifar10").folder
    folder.mkdir(parents=True, exist_ok=True)
    x_train, y_train = cifar10_like_images(n_train, seed)
    x_test, y_test = cifar10_like_images(n_test, seed + 1)
    np.savez(folder / cifar10.FILE, x_train=x_train, y_train=y_train, x_test=x_test,
             y_test=y_test)
    return Path(root)


def class_patterns(labels: np.ndarray, size: int, classes: int,
                   rng: np.random.Generator) -> np.ndarray:
    """RGB uint8 (n, size, size, 3) images a small classifier tells apart by their class:
    class k is a grating at angle k·180°/classes in hue k/classes, over a random dim
    background, with a random phase and pixel noise (learnable, not one exact image)."""
    import colorsys

    palette = np.array([colorsys.hsv_to_rgb(k / classes, 0.85, 0.95) for k in range(classes)])
    yy, xx = np.mgrid[0:size, 0:size] / size
    images = np.empty((len(labels), size, size, 3), np.uint8)
    for start in range(0, len(labels), 2048):  # in chunks: 60,000 floats images are 1.5 GB
        y = labels[start:start + 2048]
        n = len(y)
        angle = (y * np.pi / classes + rng.normal(0, 0.03, n))[:, None, None]
        phase = rng.uniform(0, 2 * np.pi, n)[:, None, None]
        wave = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * (np.cos(angle) * xx + np.sin(angle) * yy)
                                  + phase)
        colour = palette[y] + rng.normal(0, 0.05, (n, 3))
        background = rng.uniform(0, 0.4, (n, 3))
        image = (background[:, None, None] * (1 - wave[..., None])
                 + colour[:, None, None] * wave[..., None]
                 + rng.normal(0, 0.05, (n, size, size, 3)))
        images[start:start + n] = (np.clip(image, 0, 1) * 255).round()
    return images


def cifar10_like_classes(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` 32x32 RGB uint8 images of CIFAR-10's 10 classes whose class shows in their
    colour and pattern (`class_patterns`), with uint8 class ids 0-9: the stand-in on
    which a smoke-run classifier beats chance."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    return class_patterns(labels, 32, 10, rng), labels


def _cifar10_pickle(content: dict) -> bytes:
    # Protocol 3, not the official files' 2: Python 3's protocol 2 writes bytes as calls of
    # `_codecs.encode`, a global the reader refuses; 3 writes them as bytes and pickles
    # the array through `_reconstruct`, `ndarray` and `dtype` as the official files do.
    import pickle

    return pickle.dumps(content, protocol=3)


def cifar10_batch_files(x_train, y_train, x_test, y_test) -> dict[str, bytes]:
    """The seven files of `cifar-10-batches-py/` holding these arrays, in the official
    layout: each batch a dict of b"batch_label", b"labels" (a list of ints), b"data"
    ((n, 3072) uint8, each row the R, G and B planes) and b"filenames"; `batches.meta`
    with b"label_names". The training images are split over five batches."""
    from kerasreports.datasets import cifar10

    def batch(x, y, label, first):
        return _cifar10_pickle({
            b"batch_label": label.encode(),
            b"labels": [int(v) for v in y],
            b"data": np.ascontiguousarray(x.transpose(0, 3, 1, 2)).reshape(len(x), 3072),
            b"filenames": [f"generated_{first + k:05d}.png".encode() for k in range(len(x))],
        })

    files = {"batches.meta": _cifar10_pickle({
        b"num_cases_per_batch": -(-len(x_train) // 5),
        b"label_names": [name.encode() for name in cifar10.CLASS_NAMES], b"num_vis": 3072})}
    first = 0
    for i, (x, y) in enumerate(zip(np.array_split(x_train, 5), np.array_split(y_train, 5)), 1):
        files[f"data_batch_{i}"] = batch(x, y, f"training batch {i} of 5", first)
        first += len(x)
    files["test_batch"] = batch(x_test, y_test, "testing batch 1 of 1", 0)
    return files


def write_cifar10_python_like(root: str | Path, *, n_train: int = 600, n_test: int = 200,
                              seed: int = 0, archive: bool = False) -> Path:
    """Write generated CIFAR-10 in the official python layout under `root`/cifar-10/:
    the folder `cifar-10-batches-py/`, or with `archive=True` the `cifar-10-python.tar.gz`
    holding it, where `cifar10.find_copy(root)` finds it. Images: `cifar10_like_classes`."""
    import io
    import tarfile

    from kerasreports.datasets import cifar10

    folder = Path(root) / datasets.spec("cifar10").folder
    folder.mkdir(parents=True, exist_ok=True)
    files = cifar10_batch_files(*cifar10_like_classes(n_train, seed),
                                *cifar10_like_classes(n_test, seed + 1))
    if not archive:
        (folder / cifar10.BATCHES).mkdir(exist_ok=True)
        for name, data in files.items():
            (folder / cifar10.BATCHES / name).write_bytes(data)
        return Path(root)
    with tarfile.open(folder / cifar10.ARCHIVE, "w:gz") as tar:
        entry = tarfile.TarInfo(cifar10.BATCHES)
        entry.type, entry.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(entry)
        for name, data in files.items():
            entry = tarfile.TarInfo(f"{cifar10.BATCHES}/{name}")
            entry.size, entry.mode = len(data), 0o644
            tar.addfile(entry, io.BytesIO(data))
    return Path(root)


def write_tiny_imagenet_like(root: str | Path, *, classes: int = 10, train_per_class: int = 40,
                             val_per_class: int = 10, seed: int = 0, as_zip: bool = False,
                             greyscale_every: int = 7) -> Path:
    """Write a generated TinyImageNet in the official `tiny-imagenet-200/` layout under
    `root` (or with `as_zip=True` the zip `root`/tiny-imagenet-200.zip holding it), where
    `tiny_imagenet.find_copy(root)` finds it.

    `classes` wnids (the real data set has 200) in wnids.txt, with words.txt naming them
    and a few other wnids (the real words.txt names all of ImageNet's); per class
    `train_per_class` 64x64 JPEGs in train/<wnid>/images/<wnid>_<k>.JPEG and a
    <wnid>_boxes.txt; `val_per_class` per class in val/images/val_<k>.JPEG, shuffled,
    labelled by val/val_annotations.txt (file, wnid, box); two unlabelled test/ images.
    Every `greyscale_every`-th image is a greyscale JPEG, as some real ones are. Pixels:
    `class_patterns`, so a small model learns the classes.
    """
    import io
    import zipfile

    from PIL import Image

    rng = np.random.default_rng(seed)
    wnids = [f"n{1443537 + 7919 * k:08d}" for k in range(classes)]
    files: dict[str, bytes] = {"wnids.txt": "".join(w + "\n" for w in wnids).encode()}
    words = [(w, f"pattern {k}, generated class {k}") for k, w in enumerate(wnids)]
    words += [("n00001740", "entity"), ("n09999999", "not a class here")]
    files["words.txt"] = "".join(f"{w}\t{text}\n" for w, text in sorted(words)).encode()
    count = 0

    def jpeg(pixels):
        nonlocal count
        count += 1
        image = Image.fromarray(pixels)
        if greyscale_every and count % greyscale_every == 0:
            image = image.convert("L")
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=90)
        return out.getvalue()

    box = "\t8\t8\t56\t56"
    for k, wnid in enumerate(wnids):
        pixels = class_patterns(np.full(train_per_class, k), 64, classes, rng)
        files[f"train/{wnid}/{wnid}_boxes.txt"] = "".join(
            f"{wnid}_{i}.JPEG{box}\n" for i in range(train_per_class)).encode()
        for i in range(train_per_class):
            files[f"train/{wnid}/images/{wnid}_{i}.JPEG"] = jpeg(pixels[i])
    val_labels = rng.permutation(np.repeat(np.arange(classes), val_per_class))
    annotations = []
    for i, (k, pixels) in enumerate(zip(val_labels, class_patterns(val_labels, 64, classes,
                                                                     rng))):
        files[f"val/images/val_{i}.JPEG"] = jpeg(pixels)
        annotations.append(f"val_{i}.JPEG\t{wnids[k]}{box}\n")
    files["val/val_annotations.txt"] = "".join(annotations).encode()
    for i, pixels in enumerate(class_patterns(rng.integers(0, classes, 2), 64, classes, rng)):
        files[f"test/images/test_{i}.JPEG"] = jpeg(pixels)

    top = datasets.spec("tiny_imagenet").folder
    Path(root).mkdir(parents=True, exist_ok=True)
    if as_zip:  # with folder entries, as the official zip has
        folders = sorted({"/".join(name.split("/")[:depth]) for name in files
                          for depth in range(name.count("/") + 1)})
        with zipfile.ZipFile(Path(root) / f"{top}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for folder in folders:
                zf.writestr(f"{top}/{folder}/".replace("//", "/"), b"")
            for name, data in files.items():
                zf.writestr(f"{top}/{name}", data)
        return Path(root)
    for name, data in files.items():
        path = Path(root) / top / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return Path(root)


# --- R7 rnn_language: names, Tiny Shakespeare, IMDB, eng-fra ---------------------------------

_SYLLABLES = ("an", "el", "ma", "ri", "jo", "li", "sa", "na", "ka", "ty", "le", "mi", "ar",
              "ja", "da", "ne", "ro", "ha", "ve", "lo", "is", "ya", "bel", "son", "lyn")


def write_names_like(root: str | Path, *, n: int = 600, seed: int = 0) -> Path:
    """Write a generated `names/names.txt` (makemore's format: lower-case a-z names, one a
    line, no final newline) where `names.load(root)` finds it. Names are 1-4 syllables
    of a small set, so a small model learns their shape; some repeat, as in the real file."""
    rng = np.random.default_rng(seed)
    names = ["".join(rng.choice(_SYLLABLES, size=int(rng.integers(1, 5)))) for _ in range(n)]
    folder = Path(root) / datasets.spec("names").folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "names.txt").write_text("\n".join(names), encoding="utf-8")
    return Path(root)


_SPEAKERS = ("First Citizen", "Second Citizen", "MENENIUS", "CORIOLANUS", "KING RICHARD II",
             "QUEEN", "ROMEO", "JULIET", "Nurse", "GLOUCESTER")
_SUBJECTS = ("I", "thou", "he", "she", "we", "you", "the king", "my lord", "this man", "'tis")
_VERBS = ("love", "know", "speak of", "hear", "see", "fear", "serve", "pray for", "bear",
          "call")
_OBJECTS = ("the people", "my father", "thy name", "the crown", "his honour", "her grace",
            "the state", "our good friends", "this o'er-weening pride", "the poor citizens")


def write_shakespeare_like(root: str | Path, *, speeches: int = 300, seed: int = 0) -> Path:
    """Write a generated `tinyshakespeare/input.txt` (char-rnn's format: plain ASCII,
    "SPEAKER:" lines, each speech followed by a blank line) where `shakespeare.load(root)`
    finds it. The lines come from a small grammar with the real text's punctuation,
    apostrophes and hyphens."""
    rng = np.random.default_rng(seed)
    pick = lambda options: options[int(rng.integers(len(options)))]
    blocks = []
    for _ in range(speeches):
        lines = []
        for _ in range(int(rng.integers(1, 4))):
            line = f"{pick(_SUBJECTS)} {pick(_VERBS)} {pick(_OBJECTS)}"
            if rng.random() < 0.4:
                line += f", and {pick(_SUBJECTS).lower()} {pick(_VERBS)} {pick(_OBJECTS)}"
            line = line[0].upper() + line[1:] + pick((".", ".", "!", "?", ";", ":"))
            lines.append(line)
        blocks.append(f"{pick(_SPEAKERS)}:\n" + "\n".join(lines) + "\n")
    folder = Path(root) / datasets.spec("tiny_shakespeare").folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "input.txt").write_text("\n".join(blocks), encoding="ascii")
    return Path(root)


_GOOD = ("wonderful", "brilliant", "moving", "superb", "delightful", "excellent", "touching",
         "great", "beautiful", "funny")
_BAD = ("awful", "boring", "dull", "terrible", "dreadful", "poor", "stupid", "worst",
        "annoying", "waste")
_NEUTRAL = ("movie", "film", "plot", "acting", "story", "cast", "director", "ending",
            "script", "scenes", "music", "characters")


def imdb_like_review(positive: bool, rng: np.random.Generator) -> str:
    """One generated review in the style of aclImdb: sentences with stop words, capitals,
    punctuation and `<br /><br />` breaks, whose sentiment words give its label (with a
    few words of the other side, so that the task is not trivial)."""
    own, other = (_GOOD, _BAD) if positive else (_BAD, _GOOD)
    sentences = []
    for _ in range(int(rng.integers(3, 9))):
        word = other[int(rng.integers(10))] if rng.random() < 0.2 else own[int(rng.integers(10))]
        thing = _NEUTRAL[int(rng.integers(len(_NEUTRAL)))]
        sentences.append(rng.choice([
            f"The {thing} was {word}.", f"I thought the {thing} is really {word}!",
            f"It's a {word} {thing}, and I don't care what others say.",
            f"What a {word} {thing}... 10/10 or 1/10?", f"Honestly, {word}."]))
    text = " ".join(sentences)
    return text.replace("! ", "!<br /><br />", 1)


def write_imdb_like(root: str | Path, *, per_folder: int = 100, seed: int = 0,
                    leave_out=(), official: bool = False) -> Path:
    """Write a generated aclImdb archive under `root`/imdb/ where `imdb.load(root)` finds it.

    The staged form, `aclImdb_v1_labelled.tar.gz`, or with `official=True` the official
    `aclImdb_v1.tar.gz` (which also holds train/unsup/ reviews, to be ignored): the tree
    `aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt` with `per_folder` reviews in each
    folder (ids 0.., ratings 7-10 for pos and 1-4 for neg), README, imdb.vocab and the
    urls_*.txt files. `leave_out` names folders to leave out, e.g. ("test/neg",).
    """
    import io
    import tarfile

    from kerasreports.datasets import imdb

    rng = np.random.default_rng(seed)
    files = {"aclImdb/README": b"Large Movie Review Dataset v1.0 (generated stand-in)\n",
             "aclImdb/imdb.vocab": "\n".join(_GOOD + _BAD + _NEUTRAL).encode() + b"\n"}
    folders = list(imdb.FOLDERS) + (["train/unsup"] if official else [])
    for folder in folders:
        if folder in leave_out:
            continue
        part, label = folder.split("/")
        urls = []
        for i in range(per_folder):
            rating = (int(rng.integers(7, 11)) if label == "pos" else
                      int(rng.integers(1, 5)) if label == "neg" else 0)
            review = imdb_like_review(label == "pos" or (label == "unsup" and i % 2 == 0),
                                      rng)
            files[f"aclImdb/{folder}/{i}_{rating}.txt"] = review.encode("utf-8")
            urls.append(f"http://www.imdb.com/title/tt{1000000 + i}/usercomments")
        files[f"aclImdb/{part}/urls_{label}.txt"] = ("\n".join(urls) + "\n").encode()
    target = Path(root) / datasets.spec("imdb").folder
    target.mkdir(parents=True, exist_ok=True)
    dirs = sorted({"/".join(name.split("/")[:depth]) for name in files
                   for depth in range(1, name.count("/") + 1)})
    with tarfile.open(target / (imdb.OFFICIAL if official else imdb.ARCHIVE), "w:gz") as tar:
        for name in sorted(dirs + list(files)):
            entry = tarfile.TarInfo(name)
            entry.mtime = 1306886400  # 2011-06-01, as the staged copy
            if name in files:
                entry.size, entry.mode = len(files[name]), 0o644
                tar.addfile(entry, io.BytesIO(files[name]))
            else:
                entry.type, entry.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(entry)
    return Path(root)


# (English, French) subjects and complements: the English side starts with one of the
# tutorial's prefixes once normalized ("I'm" -> "i m ").
_EF_SUBJECTS = (("I am", "Je suis"), ("I'm", "Je suis"), ("He is", "Il est"),
                ("He's", "Il est"), ("She is", "Elle est"), ("She's", "Elle est"),
                ("You are", "Vous êtes"), ("You're", "Tu es"), ("We are", "Nous sommes"),
                ("We're", "Nous sommes"), ("They are", "Ils sont"), ("They're", "Elles sont"))
_EF_COMPLEMENTS = (("happy", "heureux"), ("tired", "fatigué"), ("very generous", "très généreux"),
                   ("at home", "à la maison"), ("a teacher", "professeur"), ("hungry", "affamé"),
                   ("ready", "prêt"), ("late", "en retard"), ("busy", "occupé"),
                   ("too old", "trop âgé"), ("a good student", "un bon étudiant"),
                   ("worried", "inquiet"), ("not sure", "pas sûr"), ("in Paris", "à Paris"))
_EF_OTHERS = (("Go.", "Va !"), ("Run!", "Cours !"), ("It's raining.", "Il pleut."),
              ("Where is the station?", "Où est la gare ?"), ("Thank you.", "Merci."),
              ("Tom likes apples.", "Tom aime les pommes."))


def eng_fra_like_pairs(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """`n` (English, French) pairs in the style of the tutorial's eng-fra.txt: capitals,
    accents, contractions, French spaces (U+202F) before "!" and "?"; about 70% pass the
    tutorial's filter, the others start otherwise or are 10 words or longer."""
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(n):
        draw = rng.random()
        if draw < 0.7 or draw >= 0.85:
            (en_s, fr_s), (en_c, fr_c) = (
                _EF_SUBJECTS[int(rng.integers(len(_EF_SUBJECTS)))],
                _EF_COMPLEMENTS[int(rng.integers(len(_EF_COMPLEMENTS)))])
            if draw >= 0.85:  # too long for the filter
                en_c += " and they say so every single day"
                fr_c += " et ils le disent chaque jour"
            end = "!" if rng.random() < 0.2 else "."
            pairs.append((f"{en_s} {en_c}{end}",
                          f"{fr_s} {fr_c}{chr(0x202F) + end if end == '!' else end}"))
        else:
            en, fr = _EF_OTHERS[int(rng.integers(len(_EF_OTHERS)))]
            pairs.append((en, fr.replace(" !", chr(0x202F) + "!").replace(" ?", chr(0x202F) + "?")))
    return pairs


def write_eng_fra_like(root: str | Path, *, n: int = 2000, seed: int = 0) -> Path:
    """Write a generated `eng-fra/eng-fra.txt.gz` (lines English<TAB>French, newline-
    terminated, `gzip -9 -n`) where `eng_fra.load(root)` finds it."""
    folder = Path(root) / datasets.spec("eng_fra").folder
    folder.mkdir(parents=True, exist_ok=True)
    small_vocab.write_lines(folder / "eng-fra.txt.gz",
                            [f"{en}\t{fr}" for en, fr in eng_fra_like_pairs(n, seed)])
    return Path(root)
