import gzip

import numpy as np
import pytest

from kerasreports import datasets
from kerasreports.datasets import mnist, noise, store, synthetic


def test_idx_round_trip(tmp_path):
    images = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28)
    mnist.write_idx(tmp_path / "x.gz", images)
    back = mnist.read_idx(tmp_path / "x.gz")
    assert back.dtype == np.uint8 and np.array_equal(back, images)


def test_truncated_idx_file_is_an_error_naming_it(tmp_path):
    mnist.write_idx(tmp_path / "x.gz", np.zeros((10, 28, 28), np.uint8))
    raw = gzip.open(tmp_path / "x.gz").read()
    with gzip.open(tmp_path / "cut.gz", "wb") as f:
        f.write(raw[:-100])
    with pytest.raises(store.DatasetCorruptError, match="cut.gz is truncated"):
        mnist.read_idx(tmp_path / "cut.gz")


def test_non_idx_file_is_an_error_naming_it(tmp_path):
    (tmp_path / "junk.gz").write_bytes(b"not gzip at all")
    with pytest.raises(store.DatasetCorruptError, match="junk.gz"):
        mnist.read_idx(tmp_path / "junk.gz")


def test_generated_data_loads_through_the_real_parser(tmp_path):
    synthetic.write_mnist_like(tmp_path, "fashion_mnist", n_train=50, n_test=20, seed=1)
    data = mnist.load("fashion_mnist", tmp_path, verify=False)
    assert data.train.images.shape == (50, 28, 28) and data.train.images.dtype == np.uint8
    assert data.test.labels.shape == (20,) and set(data.test.labels) <= set(range(10))
    assert data.class_names[0] == "T-shirt/top"


def test_generated_data_fails_the_checksum_naming_the_file(tmp_path):
    synthetic.write_mnist_like(tmp_path, "mnist", n_train=10, n_test=10)
    with pytest.raises(store.DatasetCorruptError, match="train-images-idx3-ubyte.gz"):
        mnist.load("mnist", tmp_path)


def test_missing_data_says_which_files_to_put_where(no_data_anywhere):
    with pytest.raises(store.DatasetNotFoundError) as caught:
        mnist.load("fashion_mnist", no_data_anywhere / "nowhere")
    message = str(caught.value)
    for file in mnist.FILES:
        assert file in message
    assert str(no_data_anywhere / "nowhere" / "fashion-mnist") in message
    assert "KERASREPORTS_DATA" in message


def test_unknown_data_set_name():
    with pytest.raises(ValueError, match="choose one of: mnist, fashion_mnist"):
        mnist.load("cifar")


def test_status_reports_ok_missing_and_corrupt(no_data_anywhere):
    root = no_data_anywhere / "root"
    synthetic.write_mnist_like(root, "mnist", n_train=10, n_test=10)
    rows = {r["name"]: r for r in datasets.status(root)}
    assert rows["mnist"]["state"] == "corrupt"  # generated files are not the real ones
    assert "train-images-idx3-ubyte.gz" in rows["mnist"]["help"]
    assert rows["fashion_mnist"]["state"] == "missing"
    assert "fashion-mnist" in rows["fashion_mnist"]["help"]


def test_noise_stays_in_range_and_is_seeded():
    x = np.full((4, 784), 0.5, np.float32)
    a = noise.uniform(x, 0.4, np.random.default_rng(0))
    b = noise.uniform(x, 0.4, np.random.default_rng(0))
    assert np.array_equal(a, b) and a.min() >= 0.1 - 1e-6 and a.max() <= 0.9 + 1e-6
    g = noise.gaussian(x, 10.0, np.random.default_rng(0))
    assert g.min() == 0.0 and g.max() == 1.0


@pytest.mark.real_data
@pytest.mark.parametrize("name, mean", [("fashion_mnist", 0.2860), ("mnist", 0.1307)])
def test_real_files_verify_and_parse(real_data, name, mean):
    data = mnist.load(name, real_data)
    assert data.train.images.shape == (60000, 28, 28)
    assert data.test.images.shape == (10000, 28, 28)
    assert np.bincount(data.test.labels).tolist() == [1000] * 10 or name == "mnist"
    assert abs(data.train.images.mean() / 255 - mean) < 5e-4
    assert datasets.status(real_data) and all(
        r["state"] == "ok" for r in datasets.status(real_data) if r["name"] == name)


def test_download_fills_the_keras_cache_and_checks_the_hash(no_data_anywhere, monkeypatch):
    # An ad-hoc spec, registered nowhere: `store` takes the spec itself.
    # A "server" on disk: keras.utils.get_file fetches file:// URLs like http:// ones.
    served = synthetic.write_mnist_like(no_data_anywhere / "server", "mnist", n_train=5,
                                        n_test=5) / "mnist"
    files = {f: store.sha256(served / f) for f in mnist.FILES}
    spec = store.DatasetSpec("served_mnist", "served-mnist", files, url=served.as_uri() + "/")
    monkeypatch.setenv("KERASREPORTS_OFFLINE", "0")

    folder = store.locate(spec)
    assert folder == store.keras_cache_dir() / "served-mnist"
    assert mnist.load_folder(folder)[0].images.shape == (5, 28, 28)

    wrong = store.DatasetSpec("bad_mnist", "bad-mnist", {f: "0" * 64 for f in mnist.FILES},
                              url=served.as_uri() + "/")
    with pytest.raises(store.DatasetNotFoundError, match="download from file:.* was tried and failed"):
        store.locate(wrong)


def test_the_registry_lists_each_loaders_spec_and_refuses_unknown_names():
    from kerasreports.datasets import (
        cifar10,
        eng_fra,
        imdb,
        names,
        shakespeare,
        tiny_imagenet,
    )
    from kerasreports.errors import UnknownNameError

    assert datasets.specs() == {"mnist": mnist.MNIST, "fashion_mnist": mnist.FASHION_MNIST,
                                "small_vocab": datasets.spec("small_vocab"),
                                "dirty_documents": datasets.spec("dirty_documents"),
                                "cifar10": cifar10.SPEC, "tiny_imagenet": tiny_imagenet.SPEC,
                                "names": names.SPEC, "tiny_shakespeare": shakespeare.SPEC,
                                "imdb": imdb.SPEC, "eng_fra": eng_fra.SPEC}
    with pytest.raises(UnknownNameError, match="unknown data set 'cifar'; known: "
                       "cifar10, dirty_documents, eng_fra, fashion_mnist, imdb, mnist, "
                       "names, small_vocab, tiny_imagenet, tiny_shakespeare"):
        datasets.spec("cifar")
    assert [r["name"] for r in datasets.status()] == sorted(datasets.specs())


def test_the_registry_reads_the_loaders_constants_at_call_time(monkeypatch):
    import dataclasses

    from kerasreports.datasets import small_vocab

    other = dataclasses.replace(small_vocab.SMALL_VOCAB, folder="elsewhere")
    monkeypatch.setattr(small_vocab, "SMALL_VOCAB", other)
    assert datasets.spec("small_vocab") is other


def test_the_store_is_a_leaf_that_imports_no_loader():
    import subprocess
    import sys

    code = ("import sys, kerasreports.datasets.store; print(sorted(m for m in sys.modules "
            "if m.startswith('kerasreports.datasets.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['kerasreports.datasets.store']"
