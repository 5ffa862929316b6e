"""French -> English sentence pairs, prepared as the PyTorch seq2seq tutorial (report R7,
source 002 §6.12-6.13).

The file is the tutorial's `data/eng-fra.txt` (Tatoeba via manythings.org, CC BY 2.0 FR):
135,842 lines `English<TAB>French`, stored gzip-compressed as `eng-fra.txt.gz`
(`shared/data/eng-fra/SOURCE.md`). The source "trimmed the dataset from 135842 to 10599
sentence pairs, the vocabulary size of the languages French and English are 4345 and
2803": exactly what the tutorial's *older* preparation gives, which `prepare_pairs`
follows step by step:

- the file read as `read().strip().split('\\n')`, each line split on its tab;
- `normalize`: lower-case and strip, accents removed (Unicode NFD, combining marks,
  category "Mn", dropped), a space put before each `.`, `!` and `?`, every other run of
  characters that are not a-z, A-Z, `.`, `!` or `?` replaced by one space, and no strip
  after that (a sentence can keep a leading or final space);
- each pair reversed, French first;
- kept when both sides have fewer than `max_length` (10) words counted with
  `split(' ')` (so an empty string from a leading space counts), and the English side
  starts with one of the 12 `ENG_PREFIXES`;
- one vocabulary per language, the tutorial's `Lang`: SOS 0, EOS 1, then each word of
  `split(' ')` in order of first appearance (an empty string too, as the tutorial adds
  it): 4,345 French and 2,803 English words, SOS and EOS included.

(The tutorial's current normalisation, which drops '.' and strips, gives 11,445 / 4,601
/ 2,991 instead.) A line without exactly one tab is not a pair: it is skipped and
counted (`ReportData.skipped_lines`; the real file has none), never guessed at.

For training, a sentence is its word ids followed by EOS (`sentence_ids`); batched arrays
are padded with 0 after EOS, as the tutorial's batched version does (0 is also SOS, so
mask the loss with `target_weights`, not with `mask_zero`). `SOURCE_SAMPLES` are the six
translations the source printed; `ReportData.sample_parts` says where each is in our
pairs.

Checks: what is verified is the *content*, the sha256 of the uncompressed text
(`CONTENT_SHA256`, from SOURCE.md), on the bytes that are then parsed, not the bytes of
the .gz: the staged file is GNU gzip 1.12's `gzip -9 -n`, which Python's zlib does not
reproduce byte for byte (it does for small_vocab, not for this file), so a pinned .gz
sha256 would refuse every copy but the staged one. The spec therefore lists no file
sums and checks the folder itself (`check_folder`, for `data status`): a folder without
the file is a DatasetCorruptError there and a DatasetNotFoundError when loading.

Downloading: the tutorial serves `data.zip` (https://download.pytorch.org/tutorial/data.zip,
holding data/eng-fra.txt). No checksum of the zip is published, so `download` checks the
file it extracts against `CONTENT_SHA256` and gzips it into the Keras cache
(`small_vocab.gzip_bytes`); it runs when no data root has an `eng-fra/` folder and
KERASREPORTS_OFFLINE is not set.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import unicodedata
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kerasreports.datasets import small_vocab, store

FILE = "eng-fra.txt.gz"
ZIP_URL = "https://download.pytorch.org/tutorial/data.zip"
ZIP_MEMBER = "data/eng-fra.txt"
CONTENT_SHA256 = "6b0f3decdb78600485b58efb541f5a2ab69ba888742ac04180e013084e40de7c"


def download(folder: Path) -> None:
    """Fetch the tutorial's data.zip, check its eng-fra.txt and gzip it into `folder`.

    The `fetch` hook of the data set: `store.locate` calls it when no data root holds
    the file, unless KERASREPORTS_OFFLINE is set, and explains any failure.
    """
    import keras

    archive = Path(keras.utils.get_file(fname="pytorch-tutorial-data.zip", origin=ZIP_URL,
                                        cache_dir=str(folder.parent),
                                        cache_subdir=folder.name))
    try:
        with zipfile.ZipFile(archive) as zf:
            text = zf.read(ZIP_MEMBER)
    except (zipfile.BadZipFile, KeyError) as error:
        raise store.DatasetCorruptError(
            f"{archive} ({ZIP_URL}) is not a zip holding {ZIP_MEMBER}: {error}") from None
    actual = hashlib.sha256(text).hexdigest()
    if actual != CONTENT_SHA256:
        raise store.DatasetCorruptError(
            f"{ZIP_MEMBER} of {ZIP_URL} has sha256 {actual}, not the known {CONTENT_SHA256}: "
            f"the tutorial's data changed; put the known {FILE} in place by hand")
    partial = folder / (FILE + ".part")
    partial.write_bytes(small_vocab.gzip_bytes(text))
    partial.replace(folder / FILE)
    archive.unlink()


SPEC = store.DatasetSpec(
    name="eng_fra",
    folder="eng-fra",
    files={},  # the content is checked, not the .gz bytes (module docstring): check_folder
    files_summary=FILE,
    fetch=download,  # the file is published inside a zip, uncompressed
    check_folder=lambda folder: check_folder(folder),  # (defined below)
    how_to_get=(
        f"It is data/eng-fra.txt of the PyTorch tutorial's {ZIP_URL}, gzip-compressed "
        f"(`gzip -9 -n eng-fra.txt`). When online (KERASREPORTS_OFFLINE unset) it is "
        f"downloaded, checked and compressed into the Keras cache on first use."),
)
# The staged eng-fra.txt.gz (SOURCE.md), for reference: not checked, see above.
STAGED_SHA256 = "288fd5b7fc1431692c9f91c404f6fd0e2ce9b341e6380ac7cb8919ee70ac2744"

SOS, EOS = 0, 1
MAX_LENGTH = 10
ENG_PREFIXES = ("i am ", "i m ", "he is", "he s ", "she is", "she s ", "you are",
                "you re ", "we are", "we re ", "they are", "they re ")
SOURCE_PAIRS, SOURCE_FRENCH_WORDS, SOURCE_ENGLISH_WORDS = 10_599, 4_345, 2_803
HELD_OUT = 0.1  # the fraction of pairs held out: 1,060 of 10,599

# The six translations the source printed (§6.13.1): (French, English reference, the
# source's prediction, the model that made it).
SOURCE_SAMPLES = (
    ("je me rejouis de l entendre .", "i m glad to hear that .",
     "i m glad to hear that . <EOS>", "GRU"),
    ("il est professeur de biologie a harvard .", "he s a professor of biology at harvard .",
     "he s a bit of of at the . <EOS>", "GRU"),
    ("c est un puissant sorcier .", "he s a powerful sorcerer .",
     "he s a powerful sorcerer . <EOS>", "GRU"),
    ("ils bronzent autour de la piscine .", "they re sunbathing around the pool .",
     "they re all who me . <EOS>", "LSTM"),
    ("tu es tres genereux .", "you re very generous .", "you re very . . <EOS>", "LSTM"),
    ("vous etes inquietes n est ce pas ?", "you re worried aren t you ?",
     "you re not supposed to as here . <EOS>", "LSTM"),
)


_MARKS: dict[int, None] = {}  # the combining marks (category "Mn") met so far
_CHECKED: set[str] = set()  # the characters whose category was looked up
_PUNCTUATION = re.compile(r"([.!?])")
_OTHERS = re.compile(r"[^a-zA-Z.!?]+")


def unicode_to_ascii(s: str) -> str:
    """The tutorial's `unicodeToAscii`: NFD, combining marks (category "Mn") dropped.

    `"".join(c for c in NFD(s) if category(c) != "Mn")` with each character's category
    looked up once and the marks removed by `str.translate` (3x faster on the file).
    """
    if s.isascii():
        return s
    nfd = unicodedata.normalize("NFD", s)
    for c in set(nfd).difference(_CHECKED):
        _CHECKED.add(c)
        if unicodedata.category(c) == "Mn":
            _MARKS[ord(c)] = None
    return nfd.translate(_MARKS)


def normalize(s: str) -> str:
    """The tutorial's older `normalizeString` (see the module docstring)."""
    s = unicode_to_ascii(s.lower().strip())
    s = _PUNCTUATION.sub(r" \1", s)
    return _OTHERS.sub(" ", s)


class Lang:
    """The tutorial's vocabulary of one language: SOS 0, EOS 1, words by first appearance."""

    def __init__(self, name: str):
        self.name = name
        self.word2index: dict[str, int] = {}
        self.word2count: dict[str, int] = {}
        self.index2word: dict[int, str] = {SOS: "SOS", EOS: "EOS"}
        self.n_words = 2  # SOS and EOS

    def add_sentence(self, sentence: str) -> None:
        for word in sentence.split(" "):
            self.add_word(word)

    def add_word(self, word: str) -> None:
        if word not in self.word2index:
            self.word2index[word] = self.n_words
            self.word2count[word] = 1
            self.index2word[self.n_words] = word
            self.n_words += 1
        else:
            self.word2count[word] += 1


def read_text(path: str | Path, digest: str | None = None) -> bytes:
    """The uncompressed bytes of a gzip-compressed eng-fra.txt; with `digest` their
    sha256 is checked (the very bytes then parsed). Not gzip: a DatasetCorruptError."""
    path = Path(path)
    data = store.read_verified(path, None)
    try:
        text = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise store.DatasetCorruptError(
            f"{path} is not a readable gzip-compressed text file: {error}") from None
    if digest is not None and (actual := hashlib.sha256(text).hexdigest()) != digest:
        raise store.DatasetCorruptError(
            f"{path} is corrupt or a different version: the sha256 of its uncompressed "
            f"content is {actual}, expected {digest}. Delete it and put a fresh copy in "
            f"its place.")
    return text


def read_lines(path: str | Path, digest: str | None = None) -> list[str]:
    """The lines of a gzip-compressed eng-fra.txt as the tutorial reads the file,
    `read().strip().split('\\n')`; `digest` as `read_text`. Not gzip or UTF-8, or no
    text at all: a DatasetCorruptError naming it."""
    path = Path(path)
    try:
        text = read_text(path, digest).decode("utf-8")
    except UnicodeDecodeError as error:
        raise store.DatasetCorruptError(f"{path} is not UTF-8 text: {error}") from None
    if not text.strip():
        raise store.DatasetCorruptError(
            f"{path} holds no sentence pairs; it should hold lines English<TAB>French "
            f"(135,842 in the real file). Put a fresh copy of {FILE} in its place.")
    return text.strip().split("\n")


def _lacks(folder: Path) -> str:
    return f"{folder} has no {FILE}: put the file there, or remove the folder"


def check_folder(folder: str | Path) -> list[str]:
    """The content check a verifying `load` makes, without parsing: for `data status`
    (the spec's `check_folder`). Raises DatasetCorruptError; no notes."""
    path = Path(folder) / FILE
    if not store._is_file(path):  # store's test: unreadable is an error
        raise store.DatasetCorruptError(_lacks(Path(folder)) + ".")
    read_text(path, CONTENT_SHA256)
    return []


def load(data_dir=None, *, verify: bool = True) -> list[str]:
    """The lines of eng-fra.txt.gz, found as `store` says (downloaded when no data root
    has an `eng-fra/` folder and that is allowed); `verify=False` skips the content's
    sha256 check (generated stand-ins)."""
    folder = store.locate(SPEC, data_dir, verify_files=False)  # checked as read
    if not store._is_file(folder / FILE):
        raise store.DatasetNotFoundError(
            f"{_lacks(folder)}, so that the other places are searched. "
            + store.explain_missing(SPEC, data_dir))
    return read_lines(folder / FILE, CONTENT_SHA256 if verify else None)


def keep(pair: tuple[str, str], max_length: int = MAX_LENGTH) -> bool:
    """The tutorial's `filterPair` on a normalized (French, English) pair."""
    return (len(pair[0].split(" ")) < max_length and len(pair[1].split(" ")) < max_length
            and pair[1].startswith(ENG_PREFIXES))


class Prepared(NamedTuple):
    pairs: list[tuple[str, str]]  # (French, English), normalized, in file order
    french: Lang
    english: Lang
    read: int  # pairs read (135,842 on the real file)
    skipped_lines: list[int]  # 1-based numbers of the lines without exactly one tab


def prepare_pairs(lines, max_length: int = MAX_LENGTH) -> Prepared:
    """The tutorial's `prepareData('eng', 'fra', reverse=True)` on the file's lines."""
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1 word, not {max_length}")
    kept, read, skipped = [], 0, []
    for number, line in enumerate(lines, start=1):
        fields = line.split("\t")
        if len(fields) != 2:
            skipped.append(number)
            continue
        read += 1
        # `keep` on the normalized pair, the English side first: the French one is only
        # normalized when the English one passes (the same pairs, 3x faster).
        english = normalize(fields[0])
        if not (english.startswith(ENG_PREFIXES) and len(english.split(" ")) < max_length):
            continue
        french = normalize(fields[1])
        if len(french.split(" ")) < max_length:
            kept.append((french, english))
    french, english = Lang("fra"), Lang("eng")
    for fr, en in kept:
        french.add_sentence(fr)
        english.add_sentence(en)
    return Prepared(kept, french, english, read, skipped)


def sentence_ids(lang: Lang, sentence: str) -> np.ndarray:
    """int32 ids of a normalized sentence's words (split on ' ') followed by EOS; a word
    `lang` does not know is a ValueError naming it."""
    words = sentence.split(" ")
    unknown = [w for w in words if w not in lang.word2index]
    if unknown:
        raise ValueError(f"{sentence!r} has words the {lang.name} vocabulary does not "
                         f"know: {unknown}")
    return np.array([lang.word2index[w] for w in words] + [EOS], np.int32)


def encode(lang: Lang, sentences, length: int) -> np.ndarray:
    """(n, length) int32: each sentence's `sentence_ids`, padded with 0 after EOS. A
    sentence of length words or more (no room for EOS) is a ValueError."""
    out = np.zeros((len(sentences), length), np.int32)
    for row, sentence in enumerate(sentences):
        ids = sentence_ids(lang, sentence)
        if len(ids) > length:
            raise ValueError(f"{sentence!r} needs {len(ids)} ids with EOS, more than {length}")
        out[row, : len(ids)] = ids
    return out


def target_weights(y: np.ndarray) -> np.ndarray:
    """float32 weights for `y` from `encode`: 1 up to and including the first EOS, 0 after."""
    after_eos = np.cumsum(y == EOS, axis=-1) - (y == EOS)
    return (after_eos == 0).astype(np.float32)


def ids_to_sentence(lang: Lang, ids) -> str:
    """The words of `ids` up to the first EOS (which is not included)."""
    out = []
    for i in np.asarray(ids).reshape(-1).tolist():
        if i == EOS:
            break
        out.append(lang.index2word[i])
    return " ".join(out)


class ReportData(NamedTuple):
    """What the `rnn_language` report's French -> English translators use (`report_data`)."""

    pairs: list[tuple[str, str]]  # (French, English), normalized, in file order
    french: Lang  # input vocabulary: word2index, index2word, n_words (4,345)
    english: Lang  # output vocabulary (2,803)
    train_idx: np.ndarray  # sorted indices into pairs
    held_out_idx: np.ndarray  # sorted; disjoint from train_idx
    x_train: np.ndarray  # (n, max_length) int32 French ids + EOS, 0-padded
    y_train: np.ndarray  # (n, max_length) int32 English ids + EOS, 0-padded
    x_held_out: np.ndarray
    y_held_out: np.ndarray
    max_length: int
    read: int  # pairs in the file (135,842)
    skipped_lines: list[int]  # lines without exactly one tab (1-based)
    sample_parts: tuple[str, ...]  # per SOURCE_SAMPLES: "train", "held-out" or "absent"
    description: str


def report_data(*, data_dir=None, generated: bool = False, max_length: int = MAX_LENGTH,
                held_out: float = HELD_OUT, seed: int = 0) -> ReportData:
    """The translators' data, for their notebook, searches and benchmarks alike.

    The real file under `data_dir` (see `store`), or with `generated=True` a generated
    one in the same format, written to a temporary folder and read through the same
    parser; prepared as the module docstring says. The fraction `held_out` of the pairs
    (rounded; 0.1: 1,060 of the 10,599) is drawn with a seeded permutation and left out
    of training; the rest are trained on. The vocabularies cover all pairs, as the tutorial's (so the
    source's 4,345 / 2,803 hold): a word seen only in held-out pairs has an id but an
    untrained embedding. (The tutorial itself trained on every pair and showed random
    training pairs; `sample_parts` says where the source's six samples fall.)
    """
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1 word, not {max_length}")
    if not 0 <= held_out < 1:
        raise ValueError(f"held_out is the fraction of pairs held out, in [0, 1), not "
                         f"{held_out}")
    lines = store.real_or_generated(load, data_dir=data_dir, generated=generated,
                                 writer="write_eng_fra_like", seed=seed)
    prepared = prepare_pairs(lines, max_length)
    pairs = prepared.pairs
    if not pairs:
        raise store.DatasetCorruptError(
            f"{FILE}: no pair of the {prepared.read:,} read is shorter than {max_length} words on "
            f"both sides with an English side starting like {ENG_PREFIXES[0]!r}: nothing "
            f"to train on")
    order = np.random.default_rng(seed).permutation(len(pairs))
    n_held = round(len(pairs) * held_out)
    held_idx, train_idx = np.sort(order[:n_held]), np.sort(order[n_held:])

    def arrays(idx):
        return (encode(prepared.french, [pairs[i][0] for i in idx], max_length),
                encode(prepared.english, [pairs[i][1] for i in idx], max_length))

    (x_train, y_train), (x_held, y_held) = arrays(train_idx), arrays(held_idx)
    where = {pair: "train" for pair in (pairs[i] for i in train_idx)}
    where.update({pairs[i]: "held-out" for i in held_idx if pairs[i] not in where})
    parts = tuple(where.get((fr, en), "absent") for fr, en, *_ in SOURCE_SAMPLES)
    skipped = prepared.skipped_lines
    description = (
        f"eng_fra{' (generated)' if generated else ''}: {prepared.read:,} pairs read"
        f"{f', {len(skipped):,} line(s) without one tab skipped' if skipped else ''}; "
        f"{len(pairs):,} French -> English pairs kept (both sides under {max_length} "
        f"words, English starting with one of the 12 prefixes; the source: "
        f"{SOURCE_PAIRS:,}); vocabularies {prepared.french.n_words:,} French and "
        f"{prepared.english.n_words:,} English words with SOS and EOS (the source: "
        f"{SOURCE_FRENCH_WORDS:,} and {SOURCE_ENGLISH_WORDS:,}); {len(train_idx):,} "
        f"training / {len(held_idx):,} held-out pairs (seeded permutation, seed {seed}); "
        f"the source's six samples: {', '.join(parts)}")
    return ReportData(pairs, prepared.french, prepared.english, train_idx, held_idx,
                      x_train, y_train, x_held, y_held, max_length, prepared.read,
                      skipped, parts, description)
