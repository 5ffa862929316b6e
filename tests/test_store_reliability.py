"""The data store when files are unreadable, missing, stray or changed (tiny generated data).

Generated files fail the real sha256 sums, so `pin` makes a generated copy the published
one: the verifying loaders (and `status`) then accept it, as they accept the real files.
"""

import builtins
import dataclasses
import io
import os
import time

import numpy as np
import pytest
from PIL import Image

from kerasreports import cli, datasets
from kerasreports.datasets import dirty_documents, mnist, small_vocab, store, synthetic
from kerasreports.errors import InvalidValueError, UsageError


def pin(monkeypatch, name, root):
    """Make the files of `name` under `root` its published ones (their sha256 sums).

    Replaces the spec constant of its loader module, which the loader and
    `datasets.specs()` read at call time.
    """
    s = datasets.spec(name)
    folder = root / s.folder
    files = {p.relative_to(folder).as_posix(): store.sha256(p)
             for p in sorted(folder.rglob("*")) if p.is_file()}
    pinned = dataclasses.replace(s, files=files)
    if name in mnist.SPECS:
        monkeypatch.setitem(mnist.SPECS, name, pinned)
    elif name == "small_vocab":
        monkeypatch.setattr(small_vocab, "SMALL_VOCAB", pinned)
    else:
        monkeypatch.setattr(dirty_documents, "SPEC", pinned)
    assert datasets.spec(name) is pinned
    return folder


def write(name, root, seed=0):
    """A tiny generated copy of data set `name` under `root`; returns its folder."""
    if name in ("mnist", "fashion_mnist"):
        synthetic.write_mnist_like(root, name, n_train=20, n_test=10, seed=seed)
    elif name == "small_vocab":
        synthetic.write_small_vocab_like(root, n=30, seed=seed)
    else:  # train/ and train_cleaned/ 2.png to 5.png, test/6.png: 9 files
        synthetic.write_dirty_documents_like(root, documents=2, stains=2, test_pages=1,
                                             seed=seed)
    return root / datasets.spec(name).folder


LOADERS = {
    "mnist": lambda root, verify: mnist.load("mnist", root, verify=verify),
    "small_vocab": lambda root, verify: small_vocab.load_pairs(root, verify=verify),
    "dirty_documents": lambda root, verify: dirty_documents.load(root, verify=verify),
}
# One file of each data set, read after others (so that a bad one is not the first read).
LATER_FILE = {"mnist": "train-labels-idx1-ubyte.gz", "small_vocab": "small_vocab_fr.gz",
              "dirty_documents": "train_cleaned/3.png"}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, no_data_anywhere):
    # No data root but the test's own, and no file verified yet in this process.
    monkeypatch.setattr(store, "_verified", set())


@pytest.fixture
def block(monkeypatch):
    """block(path): opening `path` fails as after `chmod 000` for a user who is not root.

    Tests and CI run as root, for whom chmod 000 does not stop reading: patch open().
    """
    blocked = set()
    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.path.abspath(file) in blocked:
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    monkeypatch.setattr(io, "open", guarded)
    return lambda path: blocked.add(os.path.abspath(path))


# --- 5. an unreadable file: one message naming it, no traceback ---------------------------


@pytest.mark.parametrize("verify", [True, False])
@pytest.mark.parametrize("name", list(LOADERS))
def test_an_unreadable_file_is_one_data_error_naming_it(tmp_path, monkeypatch, block, name,
                                                        verify):
    folder = write(name, tmp_path)
    pin(monkeypatch, name, tmp_path)
    block(folder / LATER_FILE[name])
    with pytest.raises(store.DatasetUnreadableError) as caught:
        LOADERS[name](tmp_path, verify)
    message = str(caught.value)
    assert str(folder / LATER_FILE[name]) in message and "Permission denied" in message
    assert "\n" not in message
    # A DatasetCorruptError: `tune` and the CLI report it as a data error, not a crash.
    assert isinstance(caught.value, store.DatasetCorruptError)


def test_status_reports_an_unreadable_file_in_its_row(tmp_path, monkeypatch, block, capsys):
    folder = write("mnist", tmp_path)
    pin(monkeypatch, "mnist", tmp_path)
    block(folder / "t10k-images-idx3-ubyte.gz")
    row = {r["name"]: r for r in datasets.status(tmp_path)}["mnist"]
    assert row["state"] == "unreadable" and row["ok"] is False
    assert str(folder / "t10k-images-idx3-ubyte.gz") in row["help"]
    assert "Permission denied" in row["help"]

    cli.main(["data", "status", "--data-dir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert "unreadable" in out and "t10k-images-idx3-ubyte.gz" in out
    assert "Traceback" not in out + err


def test_a_folder_that_cannot_be_searched_is_named_in_status(tmp_path, monkeypatch):
    # `chmod 000 mnist/`: stat() of a file inside fails with EACCES (is_file() would raise).
    folder = write("mnist", tmp_path)
    blocked = str(folder / mnist.FILES[0])
    real_stat = os.stat

    def guarded(path, *args, **kwargs):
        if isinstance(path, (str, os.PathLike)) and os.fspath(path) == blocked:
            raise PermissionError(13, "Permission denied", blocked)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", guarded)
    row = {r["name"]: r for r in datasets.status(tmp_path)}["mnist"]
    assert row["state"] == "unreadable" and not row["ok"] and blocked in row["help"]
    with pytest.raises(store.DatasetUnreadableError, match="Permission denied"):
        mnist.load("mnist", tmp_path, verify=False)


def test_an_unreadable_file_stops_tune_with_one_line(tmp_path, monkeypatch, block, capsys):
    folder = write("fashion_mnist", tmp_path / "data")
    pin(monkeypatch, "fashion_mnist", tmp_path / "data")
    monkeypatch.setenv("KERASREPORTS_DATA", str(tmp_path / "data"))
    block(folder / "train-labels-idx1-ubyte.gz")
    status = cli.main(["tune", "mnist_dae", "--profile", "quick", "--max-trials", "1",
                       "--epochs", "1", "--directory", str(tmp_path / "tuning"),
                       "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    [line] = [line for line in err.splitlines() if line.startswith("kerasreports:")]
    assert line.startswith("kerasreports: data error: ")
    assert str(folder / "train-labels-idx1-ubyte.gz") in line and "Permission denied" in line


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_a_real_chmod_000_file_and_folder(tmp_path):
    folder = write("mnist", tmp_path)
    path = folder / "t10k-labels-idx1-ubyte.gz"
    path.chmod(0)
    try:
        with pytest.raises(store.DatasetUnreadableError, match="t10k-labels-idx1-ubyte.gz"):
            mnist.load("mnist", tmp_path, verify=False)
    finally:
        path.chmod(0o644)
    folder.chmod(0)
    try:
        row = {r["name"]: r for r in datasets.status(tmp_path)}["mnist"]
        assert row["state"] == "unreadable" and str(folder) in row["help"]
    finally:
        folder.chmod(0o755)


# --- 6. status says what loading would, and exits non-zero when it would fail ----------


def test_each_status_row_says_whether_the_data_set_loads(no_data_anywhere, monkeypatch):
    root = no_data_anywhere / "root"
    write("mnist", root)
    pin(monkeypatch, "mnist", root)
    write("small_vocab", root)  # generated: fails the real checksums
    pages = write("dirty_documents", root)
    pin(monkeypatch, "dirty_documents", root)
    (pages / "test" / "6.png").unlink()
    rows = {r["name"]: r for r in datasets.status(root)}
    assert {name: (r["state"], r["ok"]) for name, r in rows.items()} == {
        "mnist": ("ok", True), "fashion_mnist": ("missing", False),
        "small_vocab": ("corrupt", False), "dirty_documents": ("incomplete", False),
        "cifar10": ("missing", False), "tiny_imagenet": ("missing", False),
        "names": ("missing", False), "tiny_shakespeare": ("missing", False),
        "imdb": ("missing", False), "eng_fra": ("missing", False)}
    assert not all(r["ok"] for r in rows.values())  # what makes `data status` exit 1


def test_a_stray_non_png_file_is_ignored_by_the_loader_and_noted_by_status(tmp_path,
                                                                         monkeypatch):
    pages = write("dirty_documents", tmp_path)
    pin(monkeypatch, "dirty_documents", tmp_path)
    (pages / "test" / "notes.txt").write_text("scanned on a Tuesday")
    (pages / "train" / ".DS_Store").write_bytes(b"\0")  # hidden: silently skipped
    row = {r["name"]: r for r in datasets.status(tmp_path)}["dirty_documents"]
    assert row["state"] == "ok" and row["ok"]
    assert row["help"] == f"note: {pages / 'test' / 'notes.txt'} is not a PNG page; ignored"
    with pytest.warns(UserWarning, match="test/notes.txt is not a PNG page; ignored") as seen:
        loaded = dirty_documents.load(tmp_path)
    assert len(seen) == 1 and loaded.test_names == ["6.png"]


def test_an_unpublished_png_is_refused_by_the_loader_and_by_status(tmp_path, monkeypatch):
    pages = write("dirty_documents", tmp_path)
    pin(monkeypatch, "dirty_documents", tmp_path)
    Image.new("L", (540, 258), 255).save(pages / "test" / "99.png")
    row = {r["name"]: r for r in datasets.status(tmp_path)}["dirty_documents"]
    assert row["state"] == "corrupt" and "test/99.png is not one of the" in row["help"]
    with pytest.raises(dirty_documents.PageError, match="test/99.png is not one of the"):
        dirty_documents.load(tmp_path)
    # Unverified (generated stand-ins), every *.png is a page.
    assert "99.png" in dirty_documents.load(tmp_path, verify=False).test_names


def test_an_incomplete_folder_names_what_it_lacks(no_data_anywhere, monkeypatch):
    root = no_data_anywhere / "root"
    pages = write("dirty_documents", root)
    pin(monkeypatch, "dirty_documents", root)
    (pages / "train_cleaned" / "4.png").unlink()
    lacks = f"{pages} (data_dir argument) lacks 1 of the 9 files: train_cleaned/4.png."
    row = {r["name"]: r for r in datasets.status(root)}["dirty_documents"]
    assert row["state"] == "incomplete" and row["folder"] == str(pages) and lacks in row["help"]
    with pytest.raises(store.DatasetNotFoundError) as caught:
        dirty_documents.load(root)
    assert lacks in str(caught.value)

    for name in ("2.png", "3.png", "5.png"):
        (pages / "train" / name).unlink()
        (pages / "train_cleaned" / name).unlink()
    with pytest.raises(store.DatasetNotFoundError, match=r"lacks 7 of the 9 files: "
                       r"train/2.png, train/3.png, train/5.png, train_cleaned/2.png, "
                       r"train_cleaned/3.png and 2 more\."):
        dirty_documents.load(root)


def test_an_incomplete_copy_passed_over_is_noted(no_data_anywhere, monkeypatch):
    complete = write("mnist", no_data_anywhere / "complete")
    pin(monkeypatch, "mnist", no_data_anywhere / "complete")
    monkeypatch.setenv("KERASREPORTS_DATA", str(no_data_anywhere / "complete"))
    partial = write("mnist", no_data_anywhere / "partial")
    (partial / "t10k-labels-idx1-ubyte.gz").unlink()
    row = {r["name"]: r for r in datasets.status(no_data_anywhere / "partial")}["mnist"]
    assert row["state"] == "ok" and row["folder"] == str(complete)
    assert row["help"] == (f"note: passed over an incomplete copy: {partial} (data_dir "
                           f"argument) lacks 1 of the 4 files: t10k-labels-idx1-ubyte.gz.")


def test_a_data_dir_that_is_not_a_folder_is_an_error_naming_it(tmp_path, capsys):
    nowhere = tmp_path / "no-such-dir"
    with pytest.raises(store.DataDirError, match=f"{nowhere} does not exist"):
        store.check_data_dir(nowhere)
    (tmp_path / "a-file").write_text("")
    with pytest.raises(store.DataDirError, match="a-file is not a folder"):
        store.check_data_dir(tmp_path / "a-file")
    store.check_data_dir(tmp_path)
    store.check_data_dir(None)
    with pytest.raises(store.DataDirError):
        datasets.status(nowhere)
    # An InvalidValueError (a UsageError and a ValueError): the CLI's usage error (exit 2),
    # one line naming the path.
    assert issubclass(store.DataDirError, InvalidValueError)
    assert issubclass(store.DataDirError, UsageError) and issubclass(store.DataDirError,
                                                                     ValueError)
    assert cli.main(["data", "status", "--data-dir", str(nowhere)]) == 2
    assert f"kerasreports: error: the data directory {nowhere} does not exist" in (
        capsys.readouterr().err)


# --- 10. each file is read once: the bytes verified are the bytes parsed -----------------


@pytest.fixture
def opens(monkeypatch):
    """How many times each file was opened (path -> count)."""
    counts = {}
    real_open = builtins.open

    def counting(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)):
            key = os.path.abspath(file)
            counts[key] = counts.get(key, 0) + 1
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting)
    return counts


@pytest.mark.parametrize("name", list(LOADERS))
def test_a_verifying_loader_opens_each_file_once(tmp_path, monkeypatch, opens, name):
    folder = write(name, tmp_path)
    pin(monkeypatch, name, tmp_path)
    opens.clear()  # (writing and pinning opened them too)
    LOADERS[name](tmp_path, True)
    files = {os.path.abspath(folder / f) for f in datasets.spec(name).files}
    assert {path: n for path, n in opens.items() if path in files} == dict.fromkeys(files, 1)


@pytest.mark.parametrize("name", list(LOADERS))
def test_a_file_replaced_after_it_is_opened_does_not_reach_the_parser(
        tmp_path, monkeypatch, name):
    # The race of a check-then-read-again loader: the file is swapped for another right
    # after the loader first opens it. What is returned must be what was verified.
    folder = write(name, tmp_path / "a")
    pin(monkeypatch, name, tmp_path / "a")
    expected = LOADERS[name](tmp_path / "a", True)
    other = write(name, tmp_path / "b", seed=7)  # same layout, other contents
    target = folder / LATER_FILE[name]
    assert target.read_bytes() != (other / LATER_FILE[name]).read_bytes()
    monkeypatch.setattr(store, "_verified", set())
    real_open = builtins.open
    swapped = []

    def swapping(file, *args, **kwargs):
        f = real_open(file, *args, **kwargs)
        if (not swapped and isinstance(file, (str, os.PathLike))
                and os.path.abspath(file) == str(target)):
            os.replace(other / LATER_FILE[name], target)  # the open file keeps the old bytes
            swapped.append(True)
        return f

    monkeypatch.setattr(builtins, "open", swapping)
    got = LOADERS[name](tmp_path / "a", True)
    monkeypatch.setattr(builtins, "open", real_open)
    assert swapped
    for a, b in zip(_arrays(expected), _arrays(got), strict=True):
        assert np.array_equal(a, b)
    # The file now on disk is another version: the next load checks it and refuses it.
    with pytest.raises(store.DatasetCorruptError, match=LATER_FILE[name]):
        LOADERS[name](tmp_path / "a", True)


def _arrays(loaded):
    if isinstance(loaded, dirty_documents.Pages):
        return [*loaded.dirty, *loaded.clean, *loaded.test]
    if isinstance(loaded, mnist.ImageDataset):
        return [loaded.train.images, loaded.train.labels, loaded.test.images, loaded.test.labels]
    return [np.array(loaded[0]), np.array(loaded[1])]


def test_a_file_changed_in_place_is_verified_again_even_with_its_old_mtime(tmp_path,
                                                                         monkeypatch):
    folder = write("mnist", tmp_path)
    pin(monkeypatch, "mnist", tmp_path)
    mnist.load("mnist", tmp_path)  # verified: now in the cache
    path = folder / "train-images-idx3-ubyte.gz"
    before = path.stat()
    time.sleep(0.05)  # past the file system's timestamp tick
    data = bytearray(path.read_bytes())
    data[-9] ^= 0xFF  # same size, other bytes, same inode
    with open(path, "r+b") as f:
        f.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # `touch -r` the old time
    assert path.stat().st_size == before.st_size and path.stat().st_mtime == before.st_mtime
    with pytest.raises(store.DatasetCorruptError, match="train-images-idx3-ubyte.gz is corrupt"):
        mnist.load("mnist", tmp_path)
    row = {r["name"]: r for r in datasets.status(tmp_path)}["mnist"]
    assert row["state"] == "corrupt" and "train-images-idx3-ubyte.gz" in row["help"]


def test_an_unchanged_file_is_hashed_once_per_process(tmp_path, monkeypatch):
    write("small_vocab", tmp_path)
    pin(monkeypatch, "small_vocab", tmp_path)
    hashed = []
    real_digest = store._digest
    monkeypatch.setattr(store, "_digest", lambda data: hashed.append(1) or real_digest(data))
    first = small_vocab.load_pairs(tmp_path)
    assert len(hashed) == 2
    assert small_vocab.load_pairs(tmp_path) == first and len(hashed) == 2
    assert all(r["ok"] for r in datasets.status(tmp_path) if r["name"] == "small_vocab")
    assert len(hashed) == 2
