"""First names for a character-level name generator (report R7, source 002 §6.8).

The file is karpathy/makemore's `names.txt`: 32,033 lower-case first names from US
Social Security baby-name data, one a line, no final newline (`shared/data/names/SOURCE.md`).
The source trained on "a collection of 50,000 meaningful names", a file we do not have:
our 32,033 names are a different, smaller list, and the report says so.

The alphabet. The source's hand-written RNN cell has i2h Linear(187 -> 128) and
i2o Linear(187 -> 59): 187 = 59 input characters + 128 hidden units. 59 is the PyTorch
char-RNN generation tutorial's `n_letters = len(all_letters) + 1` with `all_letters =
string.ascii_letters + " .,;'-"`: 52 letters, 6 punctuation marks and one EOS marker
(`SOURCE_ALPHABET`, `SOURCE_ALPHABET_SIZE`). (The tutorial's cell also takes an 18-way
language category; 187 leaves no room for it, so the source dropped it.) Our names fit a
smaller alphabet: they are all lower-case a-z, so we use `ALPHABET` = the 26 letters. A
name is lower-cased first (so "Emma" reads as "emma"; the real file needs no mapping), and
a name with any other character (a space, hyphen, apostrophe, "é") is skipped and counted:
`ReportData.skipped` and the description say how many and show a few.

Ids (`VOCABULARY`): 0 padding, 1 start, 2 end, 3-28 the letters a-z: 29 in all, against
the source's 59 (58 characters + EOS; the tutorial needs no start marker because it is
given the first letter). For next-character training each name becomes
x = [start, c1, ..., cn] and y = [c1, ..., cn, end], right-padded with 0 to the longest
name + 1 (16 on the real file): position t of y is the character after x[:t+1], and a
position where y is 0 is padding that the loss should weigh 0 (`y != PAD`).

Downloading: when no data root holds the file (and KERASREPORTS_OFFLINE is not set), it
is fetched from makemore's repository at the pinned commit with `keras.utils.get_file`,
checked against its sha256.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kerasreports.datasets import store

FILE = "names.txt"
COMMIT = "988aa59e4d8fefa526d06f3b453ad116258398d4"  # karpathy/makemore
URL = f"https://raw.githubusercontent.com/karpathy/makemore/{COMMIT}/"

SPEC = store.DatasetSpec(
    name="names",
    folder="names",
    files={FILE: "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"},
    url=URL,
)

SOURCE_NAMES = 50_000  # "a collection of 50000 meaningful Names" (§6.8.1)
SOURCE_ALPHABET = string.ascii_letters + " .,;'-"  # the PyTorch tutorial's all_letters
SOURCE_ALPHABET_SIZE = len(SOURCE_ALPHABET) + 1  # 59: + EOS; 187 = 59 + 128 hidden

ALPHABET = string.ascii_lowercase  # ours: the 26 letters of names.txt
PAD, START, END = 0, 1, 2
VOCABULARY = ("<pad>", "<start>", "<end>", *ALPHABET)  # id -> token
CHAR_ID = {c: i for i, c in enumerate(VOCABULARY) if len(c) == 1}


def read_names(path: str | Path, digest: str | None = None) -> list[str]:
    """The names of a names.txt, one a line, surrounding white space and blank lines
    dropped (nothing else is changed). With `digest` (its sha256) the bytes are checked
    before they are parsed. An empty file or one that is not UTF-8 is a
    DatasetCorruptError naming it."""
    path = Path(path)
    data = store.read_verified(path, digest)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise store.DatasetCorruptError(
            f"{path} is not UTF-8 text ({error}); it should hold one name a line") from None
    names = [line.strip() for line in text.splitlines()]
    names = [name for name in names if name]
    if not names:
        raise store.DatasetCorruptError(
            f"{path} holds no names; it should hold one name a line (the real file has "
            f"32,033). Put a fresh copy of {FILE} in its place.")
    return names


def load(data_dir=None, *, verify: bool = True) -> list[str]:
    """The names of names.txt in file order (32,033 on the real file), found as `store`
    says; `verify=False` skips the sha256 check (generated stand-ins)."""
    folder = store.locate(SPEC, data_dir, verify_files=False)  # checked as read
    return read_names(folder / FILE, SPEC.files[FILE] if verify else None)


def split_alphabet(names) -> tuple[list[str], list[str]]:
    """(kept, skipped): each name lower-cased, kept when every character is in ALPHABET."""
    kept, skipped = [], []
    for name in names:
        lowered = name.lower()
        (kept if lowered and all(c in CHAR_ID for c in lowered) else skipped).append(name)
    return [n.lower() for n in kept], skipped


def encode(names, length: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y), each (len(names), length) int32: x = start + characters, y = characters +
    end, right-padded with PAD. A name needs length >= len(name) + 1; a longer name or a
    character outside ALPHABET is a ValueError naming it."""
    x = np.zeros((len(names), length), np.int32)
    y = np.zeros((len(names), length), np.int32)
    for row, name in enumerate(names):
        if len(name) + 1 > length:
            raise ValueError(f"{name!r} needs {len(name) + 1} steps, more than {length}")
        try:
            ids = [CHAR_ID[c] for c in name]
        except KeyError as error:
            raise ValueError(f"{name!r} has {error.args[0]!r}, which is not in the "
                             f"alphabet a-z") from None
        x[row, : len(ids) + 1] = [START, *ids]
        y[row, : len(ids) + 1] = [*ids, END]
    return x, y


def decode(ids) -> str:
    """The name spelled by `ids`: letters up to the first end or padding id, the start id
    skipped."""
    out = []
    for i in np.asarray(ids).reshape(-1).tolist():
        if i in (END, PAD):
            break
        if i != START:
            out.append(VOCABULARY[i])
    return "".join(out)


class ReportData(NamedTuple):
    """What the `rnn_language` report's name generator trains on (`report_data`)."""

    alphabet: str  # ours: "abcdefghijklmnopqrstuvwxyz"
    vocabulary: tuple[str, ...]  # id -> token: <pad>, <start>, <end>, a ... z (29)
    source_alphabet_size: int  # 59: the source's 58 characters + EOS
    source_names: int  # 50,000: the size of the source's (other) names file
    read: int  # names in the file (32,033 on the real one)
    skipped: list[str]  # names left out for characters outside the alphabet
    train_names: list[str]
    held_out_names: list[str]
    x_train: np.ndarray  # (n_train, max_length) int32: <start> + characters, 0-padded
    y_train: np.ndarray  # (n_train, max_length) int32: characters + <end>, 0-padded
    x_held_out: np.ndarray
    y_held_out: np.ndarray
    max_length: int  # steps per sequence: the longest kept name + 1 (16 on the real file)
    description: str


def report_data(*, data_dir=None, generated: bool = False, val_fraction: float = 0.1,
                limit: int = 0, seed: int = 0) -> ReportData:
    """The name generator's data, for its notebook, searches and benchmarks alike.

    The real names.txt under `data_dir` (see `store`), or with `generated=True` a
    generated one in the same format, written to a temporary folder, read through the
    same parser and removed again. Names with characters outside a-z are skipped (and
    counted); the rest are shuffled with `seed`, cut to the first `limit` (0: all), and
    the first `val_fraction` of them (rounded) held out, the others trained on. The real
    file repeats some names (29,494 distinct of 32,033), so a held-out name can also be a
    training name, as in makemore's split; the description counts them.
    """
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), not {val_fraction}")
    if limit < 0:
        raise ValueError(f"limit must be 0 (all names) or more, not {limit}")
    names = store.real_or_generated(load, data_dir=data_dir, generated=generated,
                                 writer="write_names_like", seed=seed)
    kept, skipped = split_alphabet(names)
    if not kept:
        raise store.DatasetCorruptError(
            f"{FILE}: none of its {len(names)} names uses only the letters a-z (e.g. "
            f"{skipped[0]!r}): nothing to train on")
    order = np.random.default_rng(seed).permutation(len(kept))
    if limit:
        order = order[:limit]
    shuffled = [kept[i] for i in order]
    n_held = round(len(shuffled) * val_fraction)
    held_out, train = shuffled[:n_held], shuffled[n_held:]
    length = max(map(len, shuffled)) + 1
    x_train, y_train = encode(train, length)
    x_held, y_held = encode(held_out, length)
    repeated = len(set(held_out) & set(train))
    shown = ", ".join(repr(n) for n in skipped[:3])
    description = (
        f"names{' (generated)' if generated else ''}: {len(names):,} names read (the "
        f"source's file had {SOURCE_NAMES:,}); {len(skipped):,} skipped for characters "
        f"outside a-z{f' ({shown})' if skipped else ''}; {len(train):,} training / "
        f"{len(held_out):,} held-out names (seeded shuffle, seed {seed}; {repeated:,} "
        f"held-out names also occur among the training names); {len(VOCABULARY)} ids (26 "
        f"letters + padding, start, end) against the source's {SOURCE_ALPHABET_SIZE} (58 "
        f"characters + EOS); sequences of {length} steps")
    return ReportData(ALPHABET, VOCABULARY, SOURCE_ALPHABET_SIZE, SOURCE_NAMES, len(names),
                      skipped, train, held_out, x_train, y_train, x_held, y_held, length,
                      description)
