"""R5 `image_classification`'s data: CIFAR-10 in the official python layout, TinyImageNet.

Tiny generated copies in the real on-disk formats; one optional test on the staged real
CIFAR-10. Generated files fail the published hashes, so `pin_cifar` makes a generated
copy the published one (as `test_store_reliability.pin` does for sha256 sums). Nothing
downloads: the download paths run against a stand-in for `keras.utils.get_file`.
"""

import hashlib
import importlib.util
import io
import os
import pickle
import shutil
import sys
import tarfile
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kerasreports import datasets
from kerasreports.datasets import cifar10, store, synthetic, tiny_imagenet
from kerasreports.datasets.classification import ClassificationData

# ----------------------------------------------------------------------------- helpers


def batches(root) -> Path:
    return Path(root) / "cifar-10" / cifar10.BATCHES


def pin_cifar(monkeypatch, folder):
    """Make the batch files in `folder` (or the members of an archive) the published ones."""
    folder = Path(folder)
    if folder.is_file():  # an archive: hash its members
        with tarfile.open(folder) as tar:
            files = {Path(m.name).name: tar.extractfile(m).read()
                     for m in tar.getmembers() if m.isfile()}
    else:
        files = {name: (folder / name).read_bytes() for name in cifar10.BATCH_FILES}
    monkeypatch.setattr(cifar10, "BATCH_MD5",
                        {name: hashlib.md5(data).hexdigest() for name, data in files.items()})


def fake_keras(monkeypatch, get_file):
    """`import keras` gives a module whose `utils.get_file` is `get_file`.

    Stands in for keras.utils.get_file without importing Keras (and TensorFlow, seconds);
    it takes only the keyword arguments the real one does.
    """
    module = types.SimpleNamespace(utils=types.SimpleNamespace(get_file=get_file))
    monkeypatch.setitem(sys.modules, "keras", module)


GET_FILE_ARGS = {"fname", "origin", "untar", "md5_hash", "file_hash", "cache_subdir",
                 "hash_algorithm", "extract", "archive_format", "cache_dir", "force_download"}


def serving(served: Path, calls: list):
    """A get_file that records its arguments and "downloads" `served` where asked."""

    def get_file(**kwargs):
        assert set(kwargs) <= GET_FILE_ARGS
        calls.append(kwargs)
        target = Path(kwargs["cache_dir"]) / kwargs["cache_subdir"] / kwargs["fname"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(served, target)
        return str(target)

    return get_file


def same(a: ClassificationData, b: ClassificationData) -> bool:
    return all((x is None and y is None) or (x.dtype == y.dtype and np.array_equal(x, y))
               for x, y in zip(a[:6], b[:6]))


# ---------------------------------------------------------------- CIFAR-10: the split


def test_generated_cifar10_split_sizes_dtypes_and_disjoint_parts():
    d = cifar10.classification_data(generated=True, n_train=120, n_val=30, n_test=20, seed=1)
    assert d.x_train.shape == (120, 32, 32, 3) and d.x_val.shape == (30, 32, 32, 3)
    assert d.x_test.shape == (20, 32, 32, 3)
    assert {a.dtype for a in (d.x_train, d.x_val, d.x_test)} == {np.dtype(np.uint8)}
    assert {a.dtype for a in (d.y_train, d.y_val, d.y_test)} == {np.dtype(np.int64)}
    assert d.class_names == cifar10.CLASS_NAMES and len(d.class_names) == 10
    # Every generated image is different (noise), so a shared row would be a shared image.
    train = {x.tobytes() for x in d.x_train}
    val = {x.tobytes() for x in d.x_val}
    assert len(train) == 120 and len(val) == 30 and not train & val
    assert "generated" in d.description and "seed 1" in d.description
    # The whole part (0, or the real size, the default) means the small stand-in.
    small = cifar10.classification_data(generated=True)
    assert (len(small.x_train), len(small.x_val), len(small.x_test)) == (500, 100, 200)
    assert len(cifar10.classification_data(generated=True, n_train=0).x_train) == 500


def test_cifar10_split_is_a_seeded_permutation_first_n_of_each_part(tmp_path, monkeypatch):
    synthetic.write_cifar10_python_like(tmp_path, n_train=200, n_test=30, seed=4)
    pin_cifar(monkeypatch, batches(tmp_path))
    full = cifar10.read_batches(batches(tmp_path))
    d = cifar10.classification_data(data_dir=tmp_path, n_train=0, n_val=0, n_test=0, seed=7)
    order = np.random.default_rng(7).permutation(200)  # the last tenth is validation
    np.testing.assert_array_equal(d.x_train, full.x_train[order[:180]])
    np.testing.assert_array_equal(d.y_val, full.y_train[order[180:]].astype(np.int64))
    np.testing.assert_array_equal(d.x_test, full.x_test)
    # n_* take the first n of each part; the same seed gives the same arrays.
    part = cifar10.classification_data(data_dir=tmp_path, n_train=50, n_val=5, n_test=3, seed=7)
    np.testing.assert_array_equal(part.x_train, d.x_train[:50])
    np.testing.assert_array_equal(part.x_val, d.x_val[:5])
    np.testing.assert_array_equal(part.x_test, d.x_test[:3])
    assert same(d, cifar10.classification_data(data_dir=tmp_path, n_train=0, n_val=0,
                                               n_test=0, seed=7))
    other = cifar10.classification_data(data_dir=tmp_path, n_train=0, n_val=0, n_test=0,
                                        seed=8)
    assert not np.array_equal(other.x_val, d.x_val)
    assert f"{batches(tmp_path)} ({cifar10.BATCHES}/, data_dir argument)" in d.description


def test_sizes_beyond_a_part_are_one_paragraph_value_errors():
    with pytest.raises(ValueError, match=r"n_train=45001 cannot be taken from CIFAR-10's "
                       r"training part \(45,000 images"):
        cifar10.classification_data(generated=True, n_train=45001)
    with pytest.raises(ValueError, match=r"n_val=-1 .* choose a number from 1 to 5000, or 0"):
        cifar10.classification_data(generated=True, n_val=-1)
    with pytest.raises(ValueError, match="n_test=10001"):
        cifar10.classification_data(generated=True, n_test=10001)


def test_the_generated_classes_are_learnable():
    # A nearest-mean-colour classifier, fitted on the training part, beats chance by far.
    d = cifar10.classification_data(generated=True, seed=3)
    def colour(x):
        return x.reshape(len(x), -1, 3).mean(axis=1)

    means = np.stack([colour(d.x_train[d.y_train == k]).mean(0) for k in range(10)])
    guess = np.argmin(((colour(d.x_val)[:, None] - means) ** 2).sum(-1), axis=1)
    assert np.mean(guess == d.y_val) > 0.5  # chance: 0.1


# --------------------------------------------------------- CIFAR-10: the three forms


def test_npz_batches_and_archive_give_identical_arrays(tmp_path, monkeypatch):
    synthetic.write_cifar10_python_like(tmp_path / "a", n_train=100, n_test=20, seed=2)
    synthetic.write_cifar10_python_like(tmp_path / "b", n_train=100, n_test=20, seed=2,
                                        archive=True)
    images = cifar10.read_batches(batches(tmp_path / "a"), verify=False)
    npz = tmp_path / "c" / "cifar-10" / cifar10.FILE
    npz.parent.mkdir(parents=True)
    np.savez(npz, **images._asdict())
    pin_cifar(monkeypatch, batches(tmp_path / "a"))
    monkeypatch.setattr(cifar10, "SPEC", cifar10.dataclasses.replace(
        cifar10.SPEC, files={cifar10.FILE: store.sha256(npz)}))

    loaded = {form: cifar10.classification_data(data_dir=tmp_path / root, n_train=0,
                                                n_val=0, n_test=0, seed=5)
              for form, root in (("batches", "a"), ("archive", "b"), ("npz", "c"))}
    assert same(loaded["batches"], loaded["archive"]) and same(loaded["batches"], loaded["npz"])
    assert cifar10.ARCHIVE in loaded["archive"].description
    assert loaded["npz"].x_train.shape == (90, 32, 32, 3)


def test_within_a_root_the_npz_comes_first_then_the_folder_then_the_archive(tmp_path):
    synthetic.write_cifar10_python_like(tmp_path, n_train=10, n_test=5, archive=True)
    assert cifar10.find_copy(tmp_path).form == "archive"
    synthetic.write_cifar10_python_like(tmp_path, n_train=10, n_test=5)
    assert cifar10.find_copy(tmp_path) == cifar10.Copy("batches", batches(tmp_path),
                                                       "data_dir argument")
    synthetic.write_cifar10_like(tmp_path, n_train=10, n_test=5)
    assert cifar10.find_copy(tmp_path).form == "npz"


def test_the_official_python2_byte_stream_parses(tmp_path):
    # rebuild_python_batches.py writes the official files byte for byte (SOURCE.md): its
    # writer on small arrays gives files in exactly the official pickle layout.
    script = Path(os.environ.get("KERASREPORTS_DATA", "/nonexistent")) / "cifar-10" / \
        "rebuild_python_batches.py"
    if not script.is_file():
        pytest.skip("needs $KERASREPORTS_DATA/cifar-10/rebuild_python_batches.py")
    spec = importlib.util.spec_from_file_location("rebuild_python_batches", script)
    rebuild = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rebuild)
    x, y = synthetic.cifar10_like_classes(25, seed=9)
    folder = tmp_path / cifar10.BATCHES
    folder.mkdir()
    (folder / "batches.meta").write_bytes(rebuild.meta_bytes())
    for i, part in enumerate(np.array_split(np.arange(20), 5), 1):
        (folder / f"data_batch_{i}").write_bytes(rebuild.batch_bytes(
            x[part], y[part], [f"{k}.png" for k in part], f"training batch {i} of 5"))
    (folder / "test_batch").write_bytes(rebuild.batch_bytes(x[20:], y[20:], ["t"] * 5, "t"))
    data = cifar10.read_batches(folder, verify=False)
    np.testing.assert_array_equal(data.x_train, x[:20])
    np.testing.assert_array_equal(data.y_test, y[20:])
    with pytest.raises(store.DatasetCorruptError, match="data_batch_1 is corrupt or a "
                       "different version: its md5 is .*, expected the published "
                       "c99cafc152244af753f735de768cd75f"):
        cifar10.read_batches(folder)


# ------------------------------------------------------ CIFAR-10: what is refused


def test_an_md5_mismatch_is_refused_naming_the_file(tmp_path, monkeypatch):
    synthetic.write_cifar10_python_like(tmp_path, n_train=20, n_test=5)
    with pytest.raises(store.DatasetCorruptError, match=r"data_batch_1 is corrupt .* md5"):
        cifar10.classification_data(data_dir=tmp_path)  # generated: not the published md5
    pin_cifar(monkeypatch, batches(tmp_path))
    path = batches(tmp_path) / "test_batch"
    data = bytearray(path.read_bytes())
    data[-100] ^= 1  # one pixel bit: the pickle still parses, the md5 does not match
    path.write_bytes(bytes(data))
    with pytest.raises(store.DatasetCorruptError, match=f"{path} is corrupt or a different "
                       f"version: its md5 is {hashlib.md5(data).hexdigest()}"):
        cifar10.classification_data(data_dir=tmp_path, n_train=0, n_val=0, n_test=0)


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_pickle_with_a_forbidden_global_is_refused_without_running_it(tmp_path):
    synthetic.write_cifar10_python_like(tmp_path, n_train=20, n_test=5)
    marker = tmp_path / "ran"
    evil = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1], b"x": _Evil(marker)}
    path = batches(tmp_path) / "data_batch_3"
    path.write_bytes(pickle.dumps(evil, protocol=3))  # bytes as bytes, not _codecs
    # Unverified (as generated stand-ins are read), the unpickler alone must refuse it.
    with pytest.raises(store.DatasetCorruptError, match=f"{path} is not a CIFAR-10 batch "
                       r"file: its pickle asks for (posix|nt)\.system, .* refused without "
                       r"running it"):
        cifar10.read_batches(batches(tmp_path), verify=False)
    assert not marker.exists()


def test_a_truncated_or_damaged_file_is_corrupt_naming_it(tmp_path):
    synthetic.write_cifar10_python_like(tmp_path, n_train=20, n_test=5)
    path = batches(tmp_path) / "data_batch_2"
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(store.DatasetCorruptError, match=f"{path} is not a readable CIFAR-10 "
                       "batch file \\(truncated or damaged"):
        cifar10.read_batches(batches(tmp_path), verify=False)
    path.write_bytes(pickle.dumps({b"data": np.zeros((2, 7), np.uint8), b"labels": [0, 1]}))
    with pytest.raises(store.DatasetCorruptError, match=f"{path} is not a CIFAR-10 batch "
                       "file: it lacks 'data', \\(n, 3072\\) uint8"):
        cifar10.read_batches(batches(tmp_path), verify=False)

    synthetic.write_cifar10_python_like(tmp_path / "t", n_train=20, n_test=5, archive=True)
    archive = tmp_path / "t" / "cifar-10" / cifar10.ARCHIVE
    archive.write_bytes(archive.read_bytes()[:3000])
    with pytest.raises(store.DatasetCorruptError, match=f"{archive} is not a readable "
                       ".tar.gz"):
        cifar10.read_archive(archive, verify=False)


def test_an_archive_without_a_batch_file_is_corrupt_naming_what_it_lacks(tmp_path):
    synthetic.write_cifar10_python_like(tmp_path, n_train=20, n_test=5)
    archive = tmp_path / cifar10.ARCHIVE
    with tarfile.open(archive, "w:gz") as tar:
        for name in cifar10.BATCH_FILES[:-1]:  # no batches.meta
            tar.add(batches(tmp_path) / name, arcname=f"{cifar10.BATCHES}/{name}")
    with pytest.raises(store.DatasetCorruptError,
                       match=f"{archive} lacks {cifar10.BATCHES}/batches.meta"):
        cifar10.read_archive(archive, verify=False)


# -------------------------------------------------- CIFAR-10: download and not found


def test_the_archive_is_downloaded_into_the_keras_cache_pinned_to_its_md5(
        no_data_anywhere, monkeypatch):
    served = synthetic.write_cifar10_python_like(no_data_anywhere / "server", n_train=50,
                                                 n_test=10, archive=True)
    served = served / "cifar-10" / cifar10.ARCHIVE
    pin_cifar(monkeypatch, served)
    calls = []
    fake_keras(monkeypatch, serving(served, calls))
    monkeypatch.setenv("KERASREPORTS_OFFLINE", "0")

    d = cifar10.classification_data(n_train=0, n_val=0, n_test=0)
    assert len(calls) == 1 and calls[0]["file_hash"] == "c58f30108f718f92721af3b95e74349a"
    assert calls[0]["origin"] == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    cached = store.keras_cache_dir() / "cifar-10" / cifar10.ARCHIVE
    assert cached.is_file() and d.x_train.shape == (45, 32, 32, 3)
    assert "downloaded into the Keras cache" in d.description
    # The next call finds it in the Keras cache: no second download.
    again = cifar10.classification_data(n_train=0, n_val=0, n_test=0)
    assert len(calls) == 1 and same(d, again) and "Keras cache" in again.description

    cached.unlink()

    def fails(**kwargs):
        raise ValueError("URL fetch failure: no network")

    fake_keras(monkeypatch, fails)
    with pytest.raises(store.DatasetNotFoundError, match="A download from https://www.cs."
                       "toronto.edu/~kriz/cifar-10-python.tar.gz was tried and failed: URL "
                       "fetch failure"):
        cifar10.classification_data()


def test_offline_without_data_the_message_says_what_to_put_where(no_data_anywhere):
    incomplete = no_data_anywhere / "data" / "cifar-10" / cifar10.BATCHES
    incomplete.mkdir(parents=True)
    (incomplete / "data_batch_1").write_bytes(b"")
    with pytest.raises(store.DatasetNotFoundError) as caught:
        cifar10.classification_data(data_dir=no_data_anywhere / "mine")
    message = str(caught.value)
    assert "\n" not in message
    for text in (f"{no_data_anywhere / 'mine' / 'cifar-10'} (data_dir argument)",
                 f"{store.keras_cache_dir() / 'cifar-10'} (Keras cache)",
                 "cifar10.npz", "cifar-10-batches-py/ (data_batch_1, data_batch_2",
                 "cifar-10-python.tar.gz (from https://www.cs.toronto.edu/~kriz/",
                 f"{incomplete} (./data) lacks data_batch_2",
                 "KERASREPORTS_OFFLINE=1 forbids that now"):
        assert text in message


@pytest.mark.real_data
def test_the_staged_npz_and_its_rebuilt_official_batches_agree(real_data, tmp_path):
    """The batch reader on the official bytes (rebuilt from the staged copy, md5-checked
    against the published values) equals the staged npz. About 20 s (the npz is LZMA)."""
    import gzip
    import json

    staged = real_data / "cifar-10"
    if not (staged / "rebuild_python_batches.py").is_file():
        pytest.skip("$KERASREPORTS_DATA has no cifar-10/rebuild_python_batches.py")
    spec = importlib.util.spec_from_file_location("rebuild_python_batches",
                                                  staged / "rebuild_python_batches.py")
    rebuild = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rebuild)
    npz = cifar10.load(real_data)
    with gzip.open(staged / "filenames.json.gz", "rt") as f:
        names = json.load(f)
    folder = batches(tmp_path)
    folder.mkdir(parents=True)
    (folder / "batches.meta").write_bytes(rebuild.meta_bytes())
    for i in range(5):
        part = slice(i * 10000, (i + 1) * 10000)
        (folder / f"data_batch_{i + 1}").write_bytes(rebuild.batch_bytes(
            npz.x_train[part], npz.y_train[part], names["train"][part],
            f"training batch {i + 1} of 5"))
    (folder / "test_batch").write_bytes(rebuild.batch_bytes(
        npz.x_test, npz.y_test, names["test"], "testing batch 1 of 1"))
    assert rebuild.MD5 == cifar10.BATCH_MD5
    python = cifar10.read_batches(folder)  # md5-checked against the published values
    for a, b in zip(npz, python):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    d = cifar10.classification_data(data_dir=tmp_path, n_train=1000, n_val=100, n_test=100)
    assert d.x_train.shape == (1000, 32, 32, 3) and f"{cifar10.BATCHES}/" in d.description


# --------------------------------------------------------------------- TinyImageNet


def tiny(root, **kwargs) -> Path:
    kwargs = {"classes": 4, "train_per_class": 3, "val_per_class": 2, **kwargs}
    synthetic.write_tiny_imagenet_like(root, **kwargs)
    return Path(root) / tiny_imagenet.FOLDER


def load_tiny(root, **kwargs):
    return tiny_imagenet.load(root, verify=False, cache=False, **kwargs)


def pin_tiny_counts(monkeypatch, classes=4, per_class=3, val=8):
    """Make a generated copy's counts the official ones (200, 500, 10,000)."""
    monkeypatch.setattr(tiny_imagenet, "CLASSES", classes)
    monkeypatch.setattr(tiny_imagenet, "TRAIN_PER_CLASS", per_class)
    monkeypatch.setattr(tiny_imagenet, "VAL_IMAGES", val)


def test_tiny_imagenet_layout_is_parsed_from_generated_files(tmp_path):
    folder = tiny(tmp_path)
    data = load_tiny(tmp_path)
    wnids = (folder / "wnids.txt").read_text().split()
    assert data.wnids == tuple(wnids) and data.class_names[0] == "pattern 0"
    assert data.x_train.shape == (12, 64, 64, 3) and data.x_train.dtype == np.uint8
    assert data.y_train.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    annotations = [line.split("\t") for line in
                   (folder / "val" / "val_annotations.txt").read_text().splitlines()]
    assert data.y_val.tolist() == [wnids.index(fields[1]) for fields in annotations]
    first = Image.open(folder / "val" / "images" / annotations[0][0]).convert("RGB")
    np.testing.assert_array_equal(data.x_val[0], np.asarray(first))
    # The official counts are checked for the published data set, not for a stand-in.
    with pytest.raises(store.DatasetCorruptError, match="lists 4 classes, the official one 200"):
        tiny_imagenet.load(tmp_path, cache=False)


def test_a_greyscale_jpeg_becomes_rgb(tmp_path):
    tiny(tmp_path, greyscale_every=2)
    path = tmp_path / tiny_imagenet.FOLDER / "train"
    grey = min(path.glob("*/images/*_1.JPEG"))
    assert Image.open(grey).mode == "L"
    data = load_tiny(tmp_path)
    assert data.x_train.shape[-1] == 3
    pixels = data.x_train[1]  # the second image written: greyscale
    assert np.array_equal(pixels[..., 0], pixels[..., 1])
    assert np.array_equal(pixels[..., 1], pixels[..., 2])


def test_a_missing_val_annotations_file_is_corrupt_naming_it(tmp_path):
    folder = tiny(tmp_path)
    (folder / "val" / "val_annotations.txt").unlink()
    with pytest.raises(store.DatasetCorruptError, match=f"{folder / 'val' / 'val_annotations.txt'}"
                       " is missing \\(the validation labels\\)"):
        load_tiny(tmp_path)


def test_an_annotation_with_an_unknown_wnid_is_corrupt_naming_it(tmp_path):
    folder = tiny(tmp_path)
    path = folder / "val" / "val_annotations.txt"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace(lines[2].split("\t")[1], "n99999999")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(store.DatasetCorruptError, match=f"{path} line 3 labels val_2.JPEG "
                       "n99999999, which is not in wnids.txt"):
        load_tiny(tmp_path)


def test_a_corrupt_jpeg_is_corrupt_naming_it(tmp_path):
    folder = tiny(tmp_path)
    path = max((folder / "train").glob("*/images/*_2.JPEG"))
    path.write_bytes(path.read_bytes()[:300])  # truncated
    with pytest.raises(store.DatasetCorruptError, match=f"{path} is not a readable image"):
        load_tiny(tmp_path)
    path.write_bytes(b"not a jpeg")
    with pytest.raises(store.DatasetCorruptError, match=f"{path} is not a readable image: "
                       "Pillow cannot identify"):
        load_tiny(tmp_path)
    Image.new("RGB", (32, 32)).save(path, format="JPEG")
    with pytest.raises(store.DatasetCorruptError, match=f"{path} is 32x32, not 64x64"):
        load_tiny(tmp_path)


def test_class_folders_must_match_wnids_and_hold_images(tmp_path):
    folder = tiny(tmp_path)
    wnid = (folder / "wnids.txt").read_text().split()[1]
    images = folder / "train" / wnid / "images"
    for path in images.iterdir():
        path.unlink()
    with pytest.raises(store.DatasetCorruptError, match=f"{images} has no images"):
        load_tiny(tmp_path)
    shutil.rmtree(folder)
    folder = tiny(tmp_path)
    (folder / "train" / "n00000001" / "images").mkdir(parents=True)
    with pytest.raises(store.DatasetCorruptError, match=f"{folder / 'train' / 'n00000001'} "
                       "is a class folder whose wnid is not in wnids.txt"):
        load_tiny(tmp_path)


def test_the_zip_form_reads_the_same_and_is_md5_checked(tmp_path):
    tiny(tmp_path / "a", seed=3)
    tiny(tmp_path / "b", seed=3, as_zip=True)
    copy = tiny_imagenet.find_copy(tmp_path / "b")
    assert copy == tiny_imagenet.Copy("zip", tmp_path / "b" / tiny_imagenet.ZIP,
                                      "data_dir argument")
    a, b = load_tiny(tmp_path / "a"), load_tiny(tmp_path / "b")
    for x, y in zip(a, b):
        assert np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y
    with pytest.raises(store.DatasetCorruptError, match=f"{copy.path} is not the official "
                       "tiny-imagenet-200.zip: its md5 is .*, the published one "
                       "90528d7ca1a48142e341f4ef8d21d0de"):
        tiny_imagenet.load(tmp_path / "b", cache=False)
    # Within a root the folder comes first.
    tiny(tmp_path / "b", seed=3)
    assert tiny_imagenet.find_copy(tmp_path / "b").form == "folder"


def test_tiny_imagenet_not_found_says_what_to_put_where(no_data_anywhere):
    nested = no_data_anywhere / "mine" / tiny_imagenet.FOLDER
    tiny(nested)  # unzipped into a folder of the same name: wnids.txt one level too deep
    with pytest.raises(store.DatasetNotFoundError) as caught:
        tiny_imagenet.classification_data(data_dir=no_data_anywhere / "mine")
    message = str(caught.value)
    assert "\n" not in message
    for text in ((f"{nested} (data_dir argument) has no wnids.txt (unzipped into itself? "
                  f"move the files of {nested / tiny_imagenet.FOLDER}/ up one level)"),
                 "tiny-imagenet-200/ with wnids.txt, words.txt, train/<wnid>/images/*.JPEG",
                 "val/val_annotations.txt",
                 ("tiny-imagenet-200.zip (http://cs231n.stanford.edu/tiny-imagenet-200.zip, "
                  "md5 90528d7ca1a48142e341f4ef8d21d0de)"),
                 f"{store.keras_cache_dir()} (Keras cache)",
                 "KERASREPORTS_OFFLINE=1 forbids that now"):
        assert text in message


def test_tiny_imagenet_is_downloaded_and_unzipped_into_the_keras_cache(no_data_anywhere,
                                                                      monkeypatch):
    tiny(no_data_anywhere / "server", as_zip=True)
    calls = []
    fake_keras(monkeypatch, serving(no_data_anywhere / "server" / tiny_imagenet.ZIP, calls))
    monkeypatch.setenv("KERASREPORTS_OFFLINE", "0")
    pin_tiny_counts(monkeypatch)

    d = tiny_imagenet.classification_data(n_train=0, n_val=0)
    assert len(calls) == 1 and calls[0]["file_hash"] == "90528d7ca1a48142e341f4ef8d21d0de"
    assert calls[0]["origin"] == "http://cs231n.stanford.edu/tiny-imagenet-200.zip"
    folder = store.keras_cache_dir() / tiny_imagenet.FOLDER
    assert (folder / "wnids.txt").is_file() and not (folder / "test").exists()
    assert d.x_train.shape == (12, 64, 64, 3) and d.x_test is None and d.y_test is None
    # Found there next time, and `data status` sees it.
    again = tiny_imagenet.classification_data(n_train=0, n_val=0)
    assert len(calls) == 1 and same(d, again)
    row = {r["name"]: r for r in datasets.status()}["tiny_imagenet"]
    assert (row["state"], row["folder"]) == ("ok", str(folder))


def test_status_checks_the_tiny_imagenet_layout(tmp_path, monkeypatch):
    folder = tiny(tmp_path)
    row = {r["name"]: r for r in datasets.status(tmp_path)}["tiny_imagenet"]
    assert row["state"] == "corrupt" and "lists 4 classes, the official one 200" in row["help"]
    pin_tiny_counts(monkeypatch)
    row = {r["name"]: r for r in datasets.status(tmp_path)}["tiny_imagenet"]
    assert row["state"] == "ok" and row["ok"]
    (folder / "val" / "val_annotations.txt").unlink()
    row = {r["name"]: r for r in datasets.status(tmp_path)}["tiny_imagenet"]
    assert row["state"] == "corrupt" and "val_annotations.txt is missing" in row["help"]


def test_the_decoded_images_are_cached_until_the_copy_changes(no_data_anywhere, capsys):
    folder = tiny(no_data_anywhere / "root")
    first = tiny_imagenet.load(no_data_anywhere / "root", verify=False)
    assert (store.keras_cache_dir() / tiny_imagenet.CACHE).is_file()
    assert "read the decoded images" not in capsys.readouterr().out
    again = tiny_imagenet.load(no_data_anywhere / "root", verify=False)
    assert "read the decoded images from" in capsys.readouterr().out
    for x, y in zip(first, again):
        assert np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y
    path = min((folder / "train").glob("*/images/*.JPEG"))
    Image.new("RGB", (64, 64), (255, 0, 0)).save(path, format="JPEG")
    changed = tiny_imagenet.load(no_data_anywhere / "root", verify=False)
    assert "read the decoded images" not in capsys.readouterr().out
    assert changed.x_train[0].mean(axis=(0, 1))[0] > 200  # the new, red image


def test_tiny_imagenet_classification_data_generated():
    d = tiny_imagenet.classification_data(generated=True, n_train=25, n_val=12, seed=2)
    assert d.x_train.shape == (25, 64, 64, 3) and d.x_val.shape == (12, 64, 64, 3)
    assert d.y_train.dtype == np.int64 and d.x_test is None and d.y_test is None
    assert len(d.class_names) == tiny_imagenet.GENERATED_CLASSES
    counts = np.bincount(d.y_train, minlength=10)
    assert counts.min() >= 2 and counts.max() <= 3  # class-balanced subset
    assert np.array_equal(np.bincount(d.y_train[:10]), np.ones(10))  # mixed classes
    assert same(d, tiny_imagenet.classification_data(generated=True, n_train=25, n_val=12,
                                                     seed=2))
    small = tiny_imagenet.classification_data(generated=True)
    assert (len(small.x_train), len(small.x_val)) == (400, 100)
    with pytest.raises(ValueError, match="n_test=5: TinyImageNet has no labelled test set"):
        tiny_imagenet.classification_data(generated=True, n_test=5)
    with pytest.raises(ValueError, match="n_train=100001 cannot be taken from TinyImageNet"):
        tiny_imagenet.classification_data(generated=True, n_train=100001)


def test_balanced_order_takes_each_class_in_turn():
    y = np.repeat(np.arange(5), [3, 4, 5, 6, 7])
    order = tiny_imagenet.balanced_order(y, seed=0)
    assert sorted(order.tolist()) == list(range(len(y)))
    assert sorted(y[order[:5]].tolist()) == [0, 1, 2, 3, 4]
    counts = np.bincount(y[order[:12]])
    assert counts.sum() == 12 and counts.max() - counts.min() <= 1
    assert not np.array_equal(order, tiny_imagenet.balanced_order(y, seed=1))


def test_decode_converts_any_mode_to_rgb():
    out = io.BytesIO()
    Image.new("L", (64, 64), 77).save(out, format="JPEG")
    pixels = tiny_imagenet.decode("x.JPEG", out.getvalue())
    assert pixels.shape == (64, 64, 3) and pixels.dtype == np.uint8
    assert abs(int(pixels.mean()) - 77) <= 1
