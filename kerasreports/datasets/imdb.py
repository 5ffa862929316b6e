"""IMDB movie reviews for sentiment classification (report R7, source 002 §6.11, Table 8).

The Large Movie Review Dataset v1.0 (Maas et al., ACL 2011): 50,000 labelled reviews,
25,000 in its official train part and 25,000 in its official test part, each half
positive (rating 7-10, folder pos/) and half negative (1-4, neg/). Read straight from a
.tar.gz, streamed (`gzip` + `tarfile`), nothing extracted: the members
`aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt`, one review each (UTF-8, with `<br />`
for line breaks). Every other member is ignored (README, imdb.vocab, urls_*.txt, and the
50,000 unlabelled reviews of train/unsup/ in the official archive).

Two forms are read, in `imdb/` under a data root (see `store`):
- `aclImdb_v1_labelled.tar.gz`, the staged copy (`shared/data/imdb/SOURCE.md`): the
  official tree without unsup/, repacked, sha256-checked. It is read when present.
- `aclImdb_v1.tar.gz`, the official archive (84 MB, `OFFICIAL_URL`), md5-checked against
  `OFFICIAL_MD5` (Stanford publishes no checksum; it is the md5 torchtext, PaddlePaddle
  and others pin). When no data root has an `imdb/` folder (and
  KERASREPORTS_OFFLINE is not set) it is downloaded into the Keras cache with
  `keras.utils.get_file` (the spec's `fetch`). The staged copy cannot be made from it:
  a repack's bytes depend on the tar program, so no sha256 could be pinned for it.
A tree missing one of the four folders, an archive without reviews, or bytes that are not
a .tar.gz: a one-paragraph DatasetCorruptError naming the file and what is missing.

The source's preparation (§6.11.1: "removing stop words and some unnecessary
characters", "Vocabulary Size: 1000", Embedding(1001, 64)) looks like the widely copied
Kaggle notebook "Sentiment Analysis using LSTM (PyTorch)" on the Kaggle "IMDB Dataset of
50K Movie Reviews" CSV, which holds these 50,000 labelled reviews: the five reviews the
source shows are that CSV's first rows, and all five are in our archive with the same
labels (`SOURCE_REVIEW_OPENINGS`, tested). We do (`words`): lower-case; `<br />` to a
space; every run of characters that are not letters (digits, punctuation, apostrophes:
"don't" is "don" + "t"; "café" stays) to a space; split; drop the 179 English stop
words of NLTK (`STOP_WORDS`, written out here: no NLTK needed). The vocabulary is the
`vocab_size` most frequent words of the *training* part (ties alphabetical), ids 1 to
`vocab_size`; id 0 is padding only: out-of-vocabulary words are left out, not mapped to
0, as that notebook did. Each review is cut to its first `max_length` words and padded
with 0 in front ("pre", the notebook's padding; `padding="post"` puts the zeros after).
The default `max_length` 500 is that notebook's `seq_len`, which the source most likely
kept (on the real data a review keeps 68 in-vocabulary words on average, 246 at the
99th percentile, so 500 cuts almost nothing).

Splits (`report_data`):
- `split="source"` (default): the source's. A seeded shuffle of all 50,000 labelled
  reviews, 40,000 for training and 10,000 for validation. The official test part (25,000)
  is returned too, as its own table row, but it is NOT held out: it is half of the
  50,000, so about 20,000 of its reviews are training reviews. `ReportData.test_held_out`
  is False and the description says how many overlap.
- `split="official"`: training on the official train part (25,000; a seeded 20% of it,
  5,000, for validation, the source's proportion) and testing on the official test part,
  which is then truly held out.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import hashlib
import io
import re
import tarfile
import zlib
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kerasreports.datasets import store

ARCHIVE = "aclImdb_v1_labelled.tar.gz"
ARCHIVE_SHA256 = "69d67dc228177f8465f7355a7ba792f8badb395005c733a140fd565027025ce9"
OFFICIAL = "aclImdb_v1.tar.gz"
OFFICIAL_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
OFFICIAL_MD5 = "7c2ac02c03563afcf9b574c7e56c153a"
FOLDERS = ("train/pos", "train/neg", "test/pos", "test/neg")


def download(folder: Path) -> None:
    """Fetch the official archive into `folder` (md5-pinned: get_file refuses other bytes).

    The `fetch` hook of the data set: `store.locate` calls it when no data root has an
    `imdb/` folder, unless KERASREPORTS_OFFLINE is set, and explains any failure.
    """
    import keras

    keras.utils.get_file(fname=OFFICIAL, origin=OFFICIAL_URL, file_hash=OFFICIAL_MD5,
                         cache_dir=str(folder.parent), cache_subdir=folder.name)


SPEC = store.DatasetSpec(
    name="imdb",
    folder="imdb",
    files={},  # one of two archives, each with its own checksum: check_folder
    files_summary=f"{ARCHIVE} (the staged labelled reviews) or the official {OFFICIAL}",
    fetch=download,
    check_folder=lambda folder: check_folder(folder),  # (defined below)
    how_to_get=(
        f"The official archive is {OFFICIAL_URL} (md5 {OFFICIAL_MD5}); when online "
        f"(KERASREPORTS_OFFLINE unset) it is downloaded into the Keras cache on first use."),
)

# The source's training / validation sizes and vocabulary (§6.11.1), Embedding(1001, 64).
SOURCE_TRAIN, SOURCE_VALIDATION, SOURCE_VOCAB = 40_000, 10_000, 1_000
VALIDATION_FRACTION = SOURCE_VALIDATION / (SOURCE_TRAIN + SOURCE_VALIDATION)  # 0.2
MAX_LENGTH = 500

# The five reviews the source shows (§6.11.1), as it printed their openings, and labels.
SOURCE_REVIEW_OPENINGS = (
    ("One of the other reviewers has mentioned that", 1),
    ("A wonderful little production. <br /><br />The", 1),
    ("I thought this was a wonderful way to spend ti", 1),
    ("Basically there's a family where a little boy", 0),
    ('Petter Mattei\'s "Love in the Time of Money" is', 1),
)

# NLTK's English stop words (nltk_data corpora/stopwords/english, the 179-word list of
# 2018-2023), in its order. The forms with an apostrophe never match after non-letters
# are removed; they are kept so that the list is NLTK's.
STOP_WORDS = (
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "you're", "you've",
    "you'll", "you'd", "your", "yours", "yourself", "yourselves", "he", "him", "his",
    "himself", "she", "she's", "her", "hers", "herself", "it", "it's", "its", "itself",
    "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this",
    "that", "that'll", "these", "those", "am", "is", "are", "was", "were", "be", "been",
    "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an", "the",
    "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for",
    "with", "about", "against", "between", "into", "through", "during", "before", "after",
    "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under",
    "again", "further", "then", "once", "here", "there", "when", "where", "why", "how",
    "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no",
    "nor", "not", "only", "own", "same", "so", "than", "too", "very", "s", "t", "can",
    "will", "just", "don", "don't", "should", "should've", "now", "d", "ll", "m", "o", "re",
    "ve", "y", "ain", "aren", "aren't", "couldn", "couldn't", "didn", "didn't", "doesn",
    "doesn't", "hadn", "hadn't", "hasn", "hasn't", "haven", "haven't", "isn", "isn't", "ma",
    "mightn", "mightn't", "mustn", "mustn't", "needn", "needn't", "shan", "shan't",
    "shouldn", "shouldn't", "wasn", "wasn't", "weren", "weren't", "won", "won't", "wouldn",
    "wouldn't",
)
_STOP = frozenset(STOP_WORDS)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_MEMBER = re.compile(r"aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt")


_NON_LETTERS = re.compile(r"[\W\d_]+")  # not a letter: not a word character, or a digit or _
# The same for ASCII text (most reviews), everything but a-z (the text is lower-cased),
# with str.translate: 5x faster.
_ASCII_NON_LETTERS = {i: " " for i in range(128) if not chr(i).isalpha()}


def _letter_runs(text: str) -> list[str]:
    """The runs of letters of `text`, lower-cased, `<br />` removed; stop words kept."""
    text = _BREAK.sub(" ", text.lower())
    if text.isascii():
        return text.translate(_ASCII_NON_LETTERS).split()
    return _NON_LETTERS.sub(" ", text).split()


def words(text: str) -> list[str]:
    """The words of a review, as the module docstring says."""
    return [w for w in _letter_runs(text) if w not in _STOP]


# --- reading -----------------------------------------------------------------------------


class Part(NamedTuple):
    """One official part (train or test), negative reviews first, each by file id."""

    texts: list[str]
    labels: np.ndarray  # (n,) int32: 1 positive (pos/), 0 negative (neg/)
    ratings: np.ndarray  # (n,) int32: the rating in the file name, 1-4 or 7-10
    files: list[str]  # member names, e.g. "aclImdb/train/pos/0_9.txt"


class Reviews(NamedTuple):
    train: Part  # the official train part (25,000)
    test: Part  # the official test part (25,000)


def _corrupt(path: Path, problem: str) -> store.DatasetCorruptError:
    return store.DatasetCorruptError(
        f"{path} {problem}. It should be the aclImdb archive, with 12,500 reviews in each "
        f"of aclImdb/{', aclImdb/'.join(FOLDERS)}/ (<id>_<rating>.txt); put a fresh copy "
        f"of {ARCHIVE} or of the official {OFFICIAL} ({OFFICIAL_URL}) in its place.")


def read_archive(path: str | Path, data: bytes) -> Reviews:
    """The labelled reviews of the .tar.gz whose bytes are `data` (read from `path`)."""
    path = Path(path)
    found: dict[str, list] = {folder: [] for folder in FOLDERS}
    try:
        # gzip's own reader, not tarfile's "r|gz": it checks the CRC and length at the
        # end and refuses a truncated stream, where tarfile would stop without a word at a
        # member header cut short.
        gz = gzip.GzipFile(fileobj=io.BytesIO(data))
        with tarfile.open(fileobj=gz, mode="r|") as tar:
            for member in tar:
                match = _MEMBER.fullmatch(member.name.removeprefix("./"))
                if not match or not member.isfile():
                    continue
                part, label, number, rating = match.groups()
                raw = tar.extractfile(member).read()
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise _corrupt(path, f"has a review that is not UTF-8 text, "
                                         f"{member.name} ({error})") from None
                found[f"{part}/{label}"].append((int(number), int(rating), text,
                                                 member.name))
        while gz.read(1 << 20):  # to the end of the gzip stream, checking it
            pass
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        reason = str(error) or type(error).__name__
        raise _corrupt(path, f"is not a readable .tar.gz archive ({reason})") from None
    if not any(found.values()):
        raise _corrupt(path, "holds no reviews (no aclImdb/{train,test}/{pos,neg}/"
                             "<id>_<rating>.txt members)")
    missing = [f"aclImdb/{folder}/" for folder, items in found.items() if not items]
    if missing:
        raise _corrupt(path, f"has no reviews in {' or '.join(missing)} (the folder is "
                             f"missing or empty)")

    def part(name: str) -> Part:
        items = [(label, *item) for label in ("neg", "pos")
                 for item in sorted(found[f"{name}/{label}"])]
        return Part([text for *_, text, _ in items],
                    np.array([label == "pos" for label, *_ in items], np.int32),
                    np.array([rating for _, _, rating, *_ in items], np.int32),
                    [member for *_, member in items])

    return Reviews(part("train"), part("test"))


def _archive_in(folder: Path) -> tuple[Path, str]:
    """The archive `load` reads in `folder`, and its form: "labelled" or "official"."""
    for name, form in ((ARCHIVE, "labelled"), (OFFICIAL, "official")):
        if store._is_file(folder / name):  # store's test: unreadable is an error
            return folder / name, form
    raise store.DatasetCorruptError(
        f"{folder} holds neither {ARCHIVE} (the staged labelled reviews) nor the official "
        f"{OFFICIAL} ({OFFICIAL_URL}): put one of them there, or remove the folder so that "
        f"the other data roots are searched.")


def _read(path: Path, form: str, verify: bool) -> bytes:
    if form == "labelled":
        return store.read_verified(path, ARCHIVE_SHA256 if verify else None)
    data = store.read_verified(path, None)
    if verify and (actual := hashlib.md5(data).hexdigest()) != OFFICIAL_MD5:
        raise store.DatasetCorruptError(
            f"{path} is not the official {OFFICIAL}: its md5 is {actual}, the published "
            f"one {OFFICIAL_MD5}. Delete it and put a fresh copy in its place.")
    return data


def check_folder(folder: str | Path) -> list[str]:
    """The checksum check a verifying `load` makes, without parsing: for `data status`
    (the spec's `check_folder`). Raises DatasetCorruptError; no notes."""
    path, form = _archive_in(Path(folder))
    if form == "labelled":
        store.verify(path, ARCHIVE_SHA256)
    else:
        _read(path, form, verify=True)
    return []


def load(data_dir=None, *, verify: bool = True) -> Reviews:
    """The 50,000 labelled reviews, from the first `imdb/` folder `store` finds (the
    official archive downloaded into the Keras cache when none is found and that is
    allowed). `verify=False` skips the checksum (generated stand-ins)."""
    folder = store.locate(SPEC, data_dir, verify_files=False)  # checked as read
    path, form = _archive_in(folder)
    return read_archive(path, _read(path, form, verify))


# --- the report's data -------------------------------------------------------------------


def build_vocab(token_lists, vocab_size: int) -> tuple[str, ...]:
    """id -> word: "<pad>" (0), then the `vocab_size` most frequent words (ties
    alphabetical) of `token_lists`."""
    counts = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:vocab_size]
    return ("<pad>", *(word for word, _ in ranked))


def encode(token_lists, word_index: dict[str, int], max_length: int,
           padding: str = "pre") -> np.ndarray:
    """(n, max_length) int32: each review's in-vocabulary word ids (others left out), its
    first `max_length` kept, 0-padded in front ("pre") or after ("post")."""
    out = np.zeros((len(token_lists), max_length), np.int32)
    for row, tokens in enumerate(token_lists):
        ids = [word_index[w] for w in tokens if w in word_index][:max_length]
        if ids:
            if padding == "pre":
                out[row, max_length - len(ids):] = ids
            else:
                out[row, : len(ids)] = ids
    return out


def encode_reviews(texts, word_index: dict[str, int], max_length: int = MAX_LENGTH,
                   padding: str = "pre") -> np.ndarray:
    """New reviews (raw text) as the model's input, prepared as the training reviews."""
    return encode([words(t) for t in texts], word_index, max_length, padding)


class ReportData(NamedTuple):
    """What the `rnn_language` report's sentiment classifier uses (`report_data`)."""

    split: str  # "source" or "official"
    words: tuple[str, ...]  # id -> word; 0 is "<pad>"
    word_index: dict[str, int]  # word -> id, 1 .. vocab_size
    x_train: np.ndarray  # (n, max_length) int32 word ids, 0-padded
    y_train: np.ndarray  # (n,) int32: 1 positive, 0 negative
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray  # the official test part (25,000)
    y_test: np.ndarray
    texts_train: list[str]  # the raw reviews, in the order of the rows above
    texts_val: list[str]
    texts_test: list[str]
    test_held_out: bool  # False for split="source": the test reviews overlap training
    test_in_train: int  # how many test reviews are training reviews
    max_length: int
    description: str


def report_data(*, data_dir=None, generated: bool = False, vocab_size: int = SOURCE_VOCAB,
                max_length: int = MAX_LENGTH, limit: int = 0, seed: int = 0,
                split: str = "source", padding: str = "pre") -> ReportData:
    """The sentiment classifier's data, for its notebook, searches and benchmarks alike.

    The real archive under `data_dir` (see `store`), or with `generated=True` a generated
    one in the same layout, written to a temporary folder and read through the same
    parser. `split` is the module docstring's: "source" (40,000 / 10,000 drawn from all
    50,000, and the official test part, which overlaps them: NOT held out) or "official"
    (20,000 / 5,000 drawn from the official train part, the official test part held out).
    `limit` > 0 caps each pool drawn from at that many reviews (a seeded sample): the
    50,000 (or the official train part) before the 80 / 20 split, and the official test
    part. Word ids: the `vocab_size` most frequent training words; `max_length`,
    `padding` as `encode`.

    WARNING (split="source"): the "official test" row is not a held-out score for a model
    trained on its 40,000 reviews; `test_held_out` is False and the description says so.
    """
    _check(vocab_size=vocab_size, max_length=max_length, limit=limit, split=split,
           padding=padding)
    return prepare(read(data_dir=data_dir, generated=generated, seed=seed),
                   vocab_size=vocab_size, max_length=max_length, limit=limit, seed=seed,
                   split=split, padding=padding,
                   name="imdb (generated)" if generated else "imdb")


def read(*, data_dir=None, generated: bool = False, seed: int = 0) -> Reviews:
    """The reviews `report_data` prepares: the real archive under `data_dir`, or with
    `generated=True` a generated one in the same layout (written to a temporary folder,
    read through the same parser, removed). Reading takes seconds; a notebook that
    prepares several vocabularies reads once and calls `prepare` for each."""
    return store.real_or_generated(load, data_dir=data_dir, generated=generated,
                                   writer="write_imdb_like", seed=seed)


def _check(*, vocab_size, max_length, limit, split, padding) -> None:
    if split not in ("source", "official"):
        raise ValueError(f"split must be 'source' or 'official', not {split!r}")
    if padding not in ("pre", "post"):
        raise ValueError(f"padding must be 'pre' or 'post', not {padding!r}")
    for name, value, least in (("vocab_size", vocab_size, 1), ("max_length", max_length, 1),
                               ("limit", limit, 0)):
        if value < least:
            raise ValueError(f"{name} must be at least {least}, not {value}")


def split_indices(n_train_part: int, n_test_part: int, *, split: str = "source",
                  limit: int = 0, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(train, validation, test) indices into the official train part followed by the
    official test part (`Reviews.train` + `Reviews.test`), as `report_data` draws them.

    Training and validation rows keep the seeded shuffle's order; test rows are sorted.
    """
    rng = np.random.default_rng(seed)
    cap = limit or None
    pool = rng.permutation(n_train_part + n_test_part if split == "source" else n_train_part)
    pool = pool[:cap]
    n_val = round(len(pool) * VALIDATION_FRACTION)
    test = np.sort(rng.permutation(n_test_part)[:cap]) + n_train_part
    return pool[: len(pool) - n_val], pool[len(pool) - n_val:], test


@contextlib.contextmanager
def _no_gc():
    """Python's cycle collector off for a while: splitting the reviews makes 12 million
    strings, which set it off over and over for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def prepare(reviews: Reviews, *, vocab_size: int = SOURCE_VOCAB,
            max_length: int = MAX_LENGTH, limit: int = 0, seed: int = 0,
            split: str = "source", padding: str = "pre", name: str = "imdb",
            keep_stop_words: bool = False) -> ReportData:
    """`report_data` on reviews already read (`load`): the splits, vocabulary and arrays.

    `keep_stop_words=True` keeps the NLTK stop words the source removed: among them are
    "not", "no", "nor" and "don't", which a bag-of-words model needs to tell "good" from
    "not good" (the fastText classifier beyond the source uses it)."""
    _check(vocab_size=vocab_size, max_length=max_length, limit=limit, split=split,
           padding=padding)
    texts = reviews.train.texts + reviews.test.texts
    labels = np.concatenate([reviews.train.labels, reviews.test.labels])
    n_train_part, n_test_part = len(reviews.train.texts), len(reviews.test.texts)
    train_idx, val_idx, test_idx = split_indices(n_train_part, n_test_part, split=split,
                                                 limit=limit, seed=seed)
    needed = np.unique(np.concatenate([train_idx, val_idx, test_idx])).tolist()
    with _no_gc():  # each review once, however many parts hold it
        split_words = _letter_runs if keep_stop_words else words
        tokens = {i: split_words(texts[i]) for i in needed}
    vocabulary = build_vocab((tokens[i] for i in train_idx.tolist()), vocab_size)
    word_index = {w: i for i, w in enumerate(vocabulary) if i}

    def arrays(idx):
        x = encode([tokens[i] for i in idx.tolist()], word_index, max_length, padding)
        return x, labels[idx].astype(np.int32), [texts[i] for i in idx.tolist()]

    (x_tr, y_tr, t_tr), (x_va, y_va, t_va), (x_te, y_te, t_te) = map(
        arrays, (train_idx, val_idx, test_idx))
    overlap = len(set(test_idx.tolist()) & set(train_idx.tolist()))
    if split == "source":
        how = (f"a seeded shuffle (seed {seed}) of all {n_train_part + n_test_part:,} "
               f"labelled reviews{f' cut to {limit:,}' if limit else ''}: {len(train_idx):,} "
               f"training / {len(val_idx):,} validation, as the source; the official test "
               f"part ({len(test_idx):,}) is NOT held out: {overlap:,} of its reviews are "
               f"training reviews")
    else:
        how = (f"the official train part{f' cut to {limit:,}' if limit else ''}: "
               f"{len(train_idx):,} training / {len(val_idx):,} validation (seed {seed}); "
               f"the official test part ({len(test_idx):,}) held out")
    stop = ("stop words kept" if keep_stop_words
            else f"{len(STOP_WORDS)} NLTK stop words dropped")
    description = (
        f"{name}: {how}. Words: lower-cased, <br /> and non-letters removed, {stop}; ids 1-{len(word_index):,} for the most "
        f"frequent training words, 0 for padding (other words left out); reviews cut to "
        f"{max_length} words, padded {'in front' if padding == 'pre' else 'after'}")
    return ReportData(split, vocabulary, word_index, x_tr, y_tr, x_va, y_va, x_te, y_te,
                      t_tr, t_va, t_te, split == "official", overlap, max_length,
                      description)
