"""One home for each report's data: the profile's values, the data step, its clean-up.

A report's notebook, its searches and its benchmark all read their data through one
function of the data set's module, with the values `parameters.for_profile` gives; these
tests hold the search side to that (the notebooks' side runs in the smoke tests).
"""

import tempfile

import numpy as np
import pytest

from kerasreports import catalog, parameters, tuning
from kerasreports.datasets import arithmetic, dirty_documents, mnist, small_vocab


def test_a_profile_is_the_parameters_cell_then_the_catalogues_overrides():
    smoke = parameters.for_profile("mnist_dae", "smoke")
    declared = parameters.notebook_parameters(catalog.get("mnist_dae").notebook)
    assert set(smoke) == set(declared)
    for name, value in catalog.get("mnist_dae").profile_parameters("smoke").items():
        assert smoke[name] == value
    assert smoke["noise_factor"] == declared["noise_factor"].default  # not overridden
    assert smoke["profile"] == "smoke"
    quick = parameters.for_profile("mnist_dae", "quick", seed=7)
    assert quick["seed"] == 7 and quick["generated_data"] is False


def test_profile_overrides_are_checked_like_run_parameters():
    with pytest.raises(parameters.ParameterError, match="out of range"):
        parameters.for_profile("mnist_dae", "smoke", dae_epochs=0)
    with pytest.raises(parameters.ParameterError, match="no parameter 'nope'"):
        parameters.for_profile("mnist_dae", "smoke", nope=1)
    with pytest.raises(parameters.ParameterError, match="set by the runner"):
        parameters.for_profile("mnist_dae", "smoke", output_dir="x")


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Temporary folders made under `tmp_path`, to see that none is left behind."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("load", [
    lambda: mnist.dae_data("fashion_mnist", generated=True, seed=1),
    lambda: small_vocab.report_data(generated=True, generated_pairs=200, seed=1),
    lambda: dirty_documents.report_pages(generated=True, seed=1),
    lambda: arithmetic.report_digits(generated=True, seed=1),
], ids=["mnist", "small_vocab", "dirty_documents", "arithmetic"])
def test_generated_data_is_read_through_the_real_parser_and_removed(private_tmp, load):
    first, second = load(), load()
    assert list(private_tmp.iterdir()) == []  # the stand-in files are gone
    flat = lambda data: np.concatenate([np.ravel(np.asarray(a, dtype=float))  # noqa: E731
                                        for a in _arrays(data)])
    np.testing.assert_array_equal(flat(first), flat(second))  # one seed, one data set


def _arrays(data):
    """The numeric arrays inside a data step's result, in a fixed order."""
    if isinstance(data, np.ndarray) and data.dtype != object:
        return [data]
    if isinstance(data, (tuple, list)):
        return [a for item in data for a in _arrays(item)]
    return []


def _spy(monkeypatch, module, name):
    """Replace module.name by a wrapper that records each call's keyword arguments."""
    calls, real = [], getattr(module, name)

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


def test_the_dae_search_trains_on_the_smoke_reports_data(monkeypatch):
    calls = _spy(monkeypatch, mnist, "dae_data")
    data = tuning.task("mnist_dae").load("smoke", 3, None)
    p = parameters.for_profile("mnist_dae", "smoke", seed=3)
    (dataset,), kwargs = calls[0]
    assert dataset == p["dataset"] and kwargs == dict(
        data_dir=p["data_dir"], generated=True, train_limit=p["train_limit"],
        test_limit=p["test_limit"], noise_factor=p["noise_factor"], seed=3)
    report = mnist.dae_data(dataset, **kwargs)
    np.testing.assert_array_equal(data.x, report.x_noisy_train[report.train_idx])
    np.testing.assert_array_equal(data.validation[1], report.x_train[report.val_idx])
    np.testing.assert_array_equal(data.evaluation["x_test"], report.x_test)


@pytest.mark.parametrize("builder", list(tuning.TASKS["translation"]))
def test_the_translation_searches_train_on_the_smoke_reports_pairs(monkeypatch, builder):
    calls = _spy(monkeypatch, small_vocab, "report_data")
    data = tuning.task("translation", builder).load("smoke", 0, None)
    p = parameters.for_profile("translation", "smoke")
    assert calls[0][1] == dict(data_dir=p["data_dir"], generated=True,
                               pair_limit=p["pair_limit"], seed=0)
    report = small_vocab.report_data(**calls[0][1])
    assert len(data.x) == len(report.split.train)
    np.testing.assert_array_equal(data.evaluation["y_test"], report.prepared.y[report.split.test])


@pytest.mark.parametrize("builder", list(tuning.TASKS["dirty_documents"]))
def test_the_page_searches_score_on_the_reports_validation_pages(monkeypatch, builder):
    calls = _spy(monkeypatch, dirty_documents, "report_pages")
    data = tuning.task("dirty_documents", builder).load("smoke", 0, None)
    p = parameters.for_profile("dirty_documents", "smoke")
    assert calls[0][1] == dict(data_dir=p["data_dir"], generated=True,
                               validation_fraction=p["validation_fraction"], seed=0)
    report = dirty_documents.report_pages(**calls[0][1])
    scored = data.evaluation["clean"]
    assert len(scored) == len(report.val_idx)
    for page, i in zip(scored, report.val_idx):
        np.testing.assert_array_equal(page, report.pages.clean[i])


@pytest.mark.parametrize("builder", [b for b in tuning.TASKS["arithmetic"] if b != "reader"])
def test_the_arithmetic_searches_score_on_the_reports_test_queries(monkeypatch, builder):
    calls = _spy(monkeypatch, arithmetic, "report_split")
    data = tuning.task("arithmetic", builder).load("smoke", 0, None)
    p = parameters.for_profile("arithmetic", "smoke")
    (task, test_size, digits), kwargs = calls[0]
    assert (task.highest_integer, test_size, kwargs) == (p["highest_integer"],
                                                         p["test_size"], {"seed": 0})
    train, test = arithmetic.report_data(generated=True, highest_integer=p["highest_integer"],
                                         test_size=p["test_size"], seed=0).splits[task.name]
    assert list(data.evaluation["y_text"]) == list(test.y_text)
    # What a search selects on is part of the report's training queries, never its test.
    assert len(data.validation[0]) + len(data.x) == len(train.x_text)
    if builder.startswith("text2text"):
        selection = arithmetic.decode_labels(data.validation[0], task.chars)
        assert set(selection) <= set(train.x_text) and not set(selection) & set(test.x_text)
