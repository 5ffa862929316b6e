"""Data set loaders. Each returns NumPy arrays; `store` finds and verifies the files.

This package is the one list of the data sets: `specs()` gathers the `DatasetSpec`
constants the loader modules define (`mnist.SPECS`, which holds `mnist.MNIST` and
`mnist.FASHION_MNIST`; `small_vocab.SMALL_VOCAB`; `dirty_documents.SPEC`; `cifar10.SPEC`;
`tiny_imagenet.SPEC`; and R7's `names.SPEC`, `shakespeare.SPEC`, `imdb.SPEC`,
`eng_fra.SPEC`), `spec(name)` finds one by name, and `status()` is what `kerasreports data status` prints. `store` is a
leaf that knows no data set: its functions take a spec.

The loaders are imported inside these functions, not here, so that importing `store` (or
any one loader) does not import the others, and the specs are read at call time, so that
a test that replaces a loader's constant sees it here too.
"""

from __future__ import annotations


def specs() -> dict:
    """Every data set's spec by name ({name: store.DatasetSpec}), read from the loaders now."""
    from kerasreports.datasets import (
        cifar10,
        dirty_documents,
        eng_fra,
        imdb,
        mnist,
        names,
        shakespeare,
        small_vocab,
        tiny_imagenet,
    )

    # CIFAR-10 has one row, its staged cifar10.npz: the other forms `cifar10.find_copy`
    # reads (the official batches or archive) are alternatives, and a row for each would
    # fail `data status` unless every form were there.
    found = [*mnist.SPECS.values(), small_vocab.SMALL_VOCAB, dirty_documents.SPEC,
             cifar10.SPEC, tiny_imagenet.SPEC, names.SPEC, shakespeare.SPEC, imdb.SPEC,
             eng_fra.SPEC]
    return {s.name: s for s in found}


def spec(name: str):
    """The spec of data set `name`; an unknown name is an UnknownNameError listing the known."""
    from kerasreports.errors import UnknownNameError

    known = specs()
    try:
        return known[name]
    except KeyError:
        raise UnknownNameError(
            f"unknown data set {name!r}; known: {', '.join(sorted(known))}") from None


def status(data_dir=None) -> list[dict]:
    """One row per data set, sorted by name: where it was found, whether it loads, what to do.

    The rows are `store.status_row`'s (`name`, `folder`, `state`, `ok`, `help`). A
    `data_dir` that is not an existing folder raises `store.DataDirError` first.
    """
    from kerasreports.datasets import store

    store.check_data_dir(data_dir)
    return [store.status_row(s, data_dir) for _, s in sorted(specs().items())]
