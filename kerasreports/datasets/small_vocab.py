"""The English–French `small_vocab` corpus of Udacity's NLP capstone, and its word tokens.

Two text files, `small_vocab_en` and `small_vocab_fr`: line i of one translates line i of
the other. We keep them gzip-compressed (`small_vocab_en.gz`, `small_vocab_fr.gz`, the
bytes of `gzip -9 -n`); `shared/data/small_vocab/SOURCE.md` says where they come from.

How many pairs? Each file has 137,860 newline-terminated lines. The Udacity code reads a
file with `f.read().split('\\n')`, which yields one more item, an empty string after the
final newline: the 137,861 "sentences" the source reports. `load_pairs()` returns the
137,860 real pairs; `load_pairs(like_source=True)` returns the source's 137,861 items
(the last pair empty) so that a report can print both numbers and say why they differ.

Tokens follow the Udacity code, which used Keras' legacy `Tokenizer()` (gone from
Keras 3): `WordTokenizer` reproduces its defaults in plain Python. English ids are padded
('post') to the French length, 21, and shaped (n, 21, 1), as in the source.

Downloading: when no data root holds the files (and `KERASREPORTS_OFFLINE` is not set),
`load_pairs` fetches the uncompressed originals from the Udacity repository with
`keras.utils.get_file`, pinned to their sha256, and gzips them into the Keras cache;
zlib at level 9 with memLevel 9 gives back exactly the bytes of `gzip -9 -n`, so the
result passes the same sha256 check as a copied file.
"""

from __future__ import annotations

import gzip
import io
import struct
import zlib
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kerasreports.datasets import store

ENGLISH_FILE = "small_vocab_en.gz"
FRENCH_FILE = "small_vocab_fr.gz"

_UDACITY = "https://raw.githubusercontent.com/udacity/aind2-nlp-capstone/master/data/"

# Uncompressed originals: gz file we make -> (URL, sha256 of the uncompressed bytes).
ORIGINALS = {
    ENGLISH_FILE: (
        _UDACITY + "small_vocab_en",
        "a393417576dafa6afff7e2e7291fb05d7b0f645c44b17d8c6b65841d3ccd29a8",
    ),
    FRENCH_FILE: (
        _UDACITY + "small_vocab_fr",
        "6629c6d4417657a4b3d24f85393d111c8d88552123ce41303b8938641e3cde64",
    ),
}

def download(folder: Path) -> None:
    """Fetch the uncompressed originals (hash-pinned) and gzip them into `folder`.

    The `fetch` hook of the data set: `store.locate` calls it when no data root holds
    the files, unless KERASREPORTS_OFFLINE is set, and explains any failure.
    """
    import keras

    for gz_name, (url, digest) in ORIGINALS.items():
        original = Path(
            keras.utils.get_file(
                fname=gz_name[: -len(".gz")],
                origin=url,
                file_hash=digest,
                cache_dir=str(folder.parent),
                cache_subdir=folder.name,
            )
        )
        partial = folder / (gz_name + ".part")
        partial.write_bytes(gzip_bytes(original.read_bytes()))
        partial.replace(folder / gz_name)
        original.unlink()


# The data set's spec; `load_pairs` looks it up at call time (tests replace it).
SMALL_VOCAB = store.DatasetSpec(
    name="small_vocab",
    folder="small_vocab",
    files={
        ENGLISH_FILE: "893def9fa42d4d08165317cfc11598dcbab4753ff9112a72137414a73d094a9d",
        FRENCH_FILE: "74daf89971a23e7edd06a12d9f05a8ab88b42fef607381aacf7fd69038ef2bf5",
    },
    # No URL serves the .gz files: the originals are plain text (see ORIGINALS).
    fetch=download,
    how_to_get=(
        "They are the Udacity files data/small_vocab_en and data/small_vocab_fr of "
        "github.com/udacity/aind2-nlp-capstone, compressed with `gzip -9 -n`. When "
        f"online (KERASREPORTS_OFFLINE unset) they are downloaded from {_UDACITY} and "
        "compressed into the Keras cache on first use."
    ),
)

# The source's ten sample sentences (seeds/000_*, section 4.1.3): the corpus' first lines.
SAMPLE_SENTENCES = (
    "new jersey is sometimes quiet during autumn , and it is snowy in april .",
    "the united states is usually chilly during july , and it is usually freezing in november .",
    "california is usually quiet during march , and it is usually hot in june .",
    "the united states is sometimes mild during june , and it is cold in september .",
    "your least liked fruit is the grape , but my least liked is the apple .",
    "his favorite fruit is the orange , but my favorite is the grape .",
    "paris is relaxing during december , but it is usually chilly in july .",
    "new jersey is busy during spring , and it is never hot in march .",
    "our least liked fruit is the lemon , but my least liked is the grape .",
    "the united states is sometimes busy during january , and it is sometimes warm in november .",
)

PAD = "<PAD>"  # how the source printed id 0


# --- files ---------------------------------------------------------------------------


def gzip_bytes(data: bytes) -> bytes:
    """`data` compressed exactly as `gzip -9 -n` does (no name, no time stamp)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
    body = deflate.compress(data) + deflate.flush()
    # magic, deflate, no flags, mtime 0, "maximum compression", OS Unix
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03"
    return header + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def write_lines(path: str | Path, lines) -> None:
    """Write sentences one per line, newline-terminated, gzip-compressed (the real format)."""
    text = "".join(line + "\n" for line in lines)
    Path(path).write_bytes(gzip_bytes(text.encode("utf-8")))


def read_lines(path: str | Path, *, like_source: bool = False,
               digest: str | None = None) -> list[str]:
    """The lines of a gzip-compressed UTF-8 text file, without their newlines.

    `like_source=True` splits as the Udacity code did, `read().split('\\n')`: one more,
    empty, item after the final newline. With `digest` (the file's sha256) its bytes are
    checked before they are decompressed: the very bytes checked are the ones read.
    """
    path = Path(path)
    data = store.read_verified(path, digest)
    try:  # GzipFile, as gzip.open reads a file, over the bytes already read
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            text = f.read().decode("utf-8")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise store.DatasetCorruptError(
            f"{path} is not a readable gzip-compressed text file: {error}"
        ) from None
    lines = text.split("\n")
    if not like_source and lines and lines[-1] == "":
        lines.pop()
    return lines


def load_pairs(data_dir=None, *, verify: bool = True,
               like_source: bool = False) -> tuple[list[str], list[str]]:
    """The English and French sentences, aligned: `french[i]` translates `english[i]`.

    `data_dir` is a data root holding `small_vocab/` (see `store`). `verify=False` skips
    the sha256 check, for generated stand-ins in the same format. `like_source=True` keeps
    the empty item after the final newline that the source counted (137,861 pairs rather
    than 137,860).
    """
    spec = SMALL_VOCAB
    folder = store.locate(spec, data_dir, verify_files=False)  # checked as read
    digests = spec.files if verify else {}
    english = read_lines(folder / ENGLISH_FILE, like_source=like_source,
                         digest=digests.get(ENGLISH_FILE))
    french = read_lines(folder / FRENCH_FILE, like_source=like_source,
                        digest=digests.get(FRENCH_FILE))
    if len(english) != len(french):
        raise store.DatasetCorruptError(
            f"{folder}: {ENGLISH_FILE} has {len(english)} lines but {FRENCH_FILE} has "
            f"{len(french)}; line i of one must translate line i of the other"
        )
    return english, french


# --- word tokens -----------------------------------------------------------------------

# Keras' legacy Tokenizer default filter. Note that "'" is not in it ("l'" is a word)
# and "-" is ("états-unis" is two words).
FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_TO_SPACE = str.maketrans(FILTERS, " " * len(FILTERS))


def words(text: str) -> list[str]:
    """Keras' legacy `text_to_word_sequence` defaults: lower-case, filter, split on ' '."""
    return [w for w in text.lower().translate(_TO_SPACE).split(" ") if w]


class WordTokenizer:
    """Keras' legacy `Tokenizer()` with its defaults, for words.

    Ids are given by descending frequency, ties in order of first occurrence, from 1;
    id 0 is padding. Unlike the legacy class, which silently dropped words it had not
    seen, `texts_to_ids` raises a `ValueError` naming them.
    """

    def __init__(self, word_counts: dict[str, int] | None = None):
        self.word_counts = dict(word_counts or {})  # in order of first occurrence
        # sorted() is stable, so equal counts keep their first-occurrence order.
        ranked = sorted(self.word_counts, key=self.word_counts.get, reverse=True)
        self.word_index = {word: i for i, word in enumerate(ranked, start=1)}
        self.index_word = {i: word for word, i in self.word_index.items()}

    @classmethod
    def fit(cls, texts) -> WordTokenizer:
        counts = Counter()  # a dict: keeps first-occurrence order
        for text in texts:
            counts.update(words(text))
        return cls(counts)

    @property
    def vocab_size(self) -> int:
        """Number of words, padding not included (the source's "vocabulary size")."""
        return len(self.word_index)

    def texts_to_ids(self, texts) -> list[list[int]]:
        ids = []
        for text in texts:
            tokens = words(text)
            unknown = [w for w in tokens if w not in self.word_index]
            if unknown:
                raise ValueError(f"unknown words {unknown} in {text!r}: not in the vocabulary")
            ids.append([self.word_index[w] for w in tokens])
        return ids

    def ids_to_text(self, ids, *, pad: str | None = PAD) -> str:
        """Words for `ids`; id 0 shown as `pad` (the source's `<PAD>`) or left out if None."""
        out = []
        for i in np.asarray(ids).reshape(-1).tolist():
            if i == 0:
                if pad is not None:
                    out.append(pad)
            else:
                out.append(self.index_word[i])
        return " ".join(out)


def encode_sentences(tokenizer: WordTokenizer, sentences, length: int) -> np.ndarray:
    """(n, length) int32 ids, right-padded with 0: the model input for new sentences.

    A sentence longer than `length` words is a `ValueError` (the legacy `pad_sequences`
    silently cut its start); so is a word the tokenizer has not seen.
    """
    return _pad(tokenizer.texts_to_ids(sentences), sentences, length)


def _pad(ids, sentences, length: int) -> np.ndarray:
    out = np.zeros((len(ids), length), np.int32)
    for row, (sentence, seq) in enumerate(zip(sentences, ids)):
        if len(seq) > length:
            raise ValueError(
                f"{sentence!r} has {len(seq)} words, more than the padding length {length}"
            )
        out[row, : len(seq)] = seq
    return out


class Prepared(NamedTuple):
    x: np.ndarray  # (n, length, 1) int32 English ids, padded to the French length
    y: np.ndarray  # (n, length) int32 French ids
    english: WordTokenizer
    french: WordTokenizer


def prepare(english, french, *, length: int | None = None) -> Prepared:
    """Tokenize both languages and pad both to the French length (21 on the real data).

    As the Udacity code: English ids padded ('post') to the longest French sentence and
    shaped (n, length, 1), one feature per step; French ids (n, length). For the
    embedding model use `x[..., 0]`.
    """
    en_tok, fr_tok = WordTokenizer.fit(english), WordTokenizer.fit(french)
    en_ids, fr_ids = en_tok.texts_to_ids(english), fr_tok.texts_to_ids(french)
    if length is None:
        length = max(map(len, fr_ids), default=0)
    x = _pad(en_ids, english, length)[..., None]
    y = _pad(fr_ids, french, length)
    return Prepared(x, y, en_tok, fr_tok)


# --- splits ----------------------------------------------------------------------------


class Split(NamedTuple):
    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


def split(n: int, *, seed: int, validation: float = 0.1, test: float = 0.1) -> Split:
    """Disjoint sorted index arrays covering range(n), drawn with a seeded permutation."""
    if not (0 <= validation and 0 <= test and validation + test < 1):
        raise ValueError(f"need 0 <= validation, test and validation + test < 1; got "
                         f"validation={validation}, test={test}")
    order = np.random.default_rng(seed).permutation(n)
    n_test, n_val = round(n * test), round(n * validation)
    parts = order[:n_test], order[n_test : n_test + n_val], order[n_test + n_val :]
    test_idx, val_idx, train_idx = (np.sort(p) for p in parts)
    return Split(train_idx, val_idx, test_idx)


def unseen_in_training(english, french, train_idx, indices) -> np.ndarray:
    """The `indices` whose (English, French) pair does not occur among the training pairs.

    The corpus repeats itself: 8,686 of its 137,860 lines are copies of earlier ones, so a
    random split puts about 9% of the test pairs in training too (all ten of the source's
    sample sentences are in our training split). Scores on the pairs this returns are
    scores on sentences the model has not seen.
    """
    seen = {(english[i], french[i]) for i in train_idx}
    return np.array([i for i in indices if (english[i], french[i]) not in seen], dtype=int)


def repeated_pairs(english, french) -> int:
    """How many pairs are copies of an earlier pair."""
    return len(english) - len(set(zip(english, french)))


# --- the translation report's data -----------------------------------------------------


class ReportData(NamedTuple):
    """What the `translation` report trains and scores on (`report_data`)."""

    english: list[str]
    french: list[str]
    source_count: int  # pairs as the source counted them (read().split("\n"))
    prepared: Prepared
    split: Split  # seeded 80 / 10 / 10: training, validation, held-out test pairs
    samples: list[str]  # the English sentences the report translates for show
    description: str


def report_data(*, data_dir=None, generated: bool = False, pair_limit: int = 0,
                seed: int = 0, generated_pairs: int = 3000) -> ReportData:
    """The `translation` report's data, for its notebook and its searches alike.

    The real files under `data_dir`, or with `generated=True` `generated_pairs` generated
    pairs written in the same gzip layout to a temporary folder, read through the same
    parser and removed again; the first `pair_limit` pairs (0: all), tokenized and padded
    as the source, and split 80 / 10 / 10 with `seed`.
    """
    if generated:
        import tempfile

        from kerasreports.datasets import synthetic  # it writes with this module

        with tempfile.TemporaryDirectory(prefix="kerasreports-generated-") as root:
            synthetic.write_small_vocab_like(root, n=generated_pairs, seed=seed)
            return _report_data(root, False, pair_limit, seed)
    return _report_data(data_dir or None, True, pair_limit, seed)


def _report_data(data_dir, real: bool, pair_limit: int, seed: int) -> ReportData:
    english, french = load_pairs(data_dir, verify=real)
    source_count = len(load_pairs(data_dir, verify=False, like_source=True)[0])
    if pair_limit:
        english, french = english[:pair_limit], french[:pair_limit]
    parts = split(len(english), seed=seed, validation=0.1, test=0.1)
    # The source's ten samples are the corpus' first ten lines; generated data has its own.
    samples = list(SAMPLE_SENTENCES) if real else english[:10]
    description = (f"small_vocab{'' if real else ' (generated)'}: {len(parts.train)} "
                   f"training / {len(parts.validation)} validation / {len(parts.test)} "
                   f"test pairs")
    return ReportData(english, french, source_count, prepare(english, french), parts,
                      samples, description)
