"""Tiny Shakespeare for a word-level language model (report R7, source 002 §6.9-6.10).

The file is the char-rnn `input.txt`: 1,115,394 ASCII characters of Shakespeare's plays,
40,000 lines (`shared/data/tinyshakespeare/SOURCE.md`). The source used the Hugging Face
`tiny_shakespeare` data set (the same text) and wikitext; its vocabularies, 21,949
(WordModel1) and 29,473 (WordModel2), came from its own tokenisation and from other
corpora, so ours differs and the report states its own size next to theirs.

Tokens (`tokenize`): the text is lower-cased; a word is a run of letters a-z, with
apostrophes inside it kept ("i'll", "o'er", "ne'er"); every other character that is not
white space is a token of its own: punctuation (`, . ; : ! ? ' - &` ...), "$" and the
digit "3" (the only one in the file), so "'tis" is "'" + "tis" and "to-morrow" is "to",
"-", "morrow". Line breaks, like spaces, only separate tokens (generated text reads as
prose, like the source's "think about his own life .").

Split: the token stream is cut once, the first 90% training and the last 10% held out:
contiguous, so the held-out perplexity is measured on text the model never saw. The
vocabulary comes from the training part only: "<unk>" is id 0 and the words follow by
descending count (ties in order of first appearance), optionally only the `max_vocab`
most frequent; a held-out (or prompt) word outside it reads as "<unk>". Sequences for
next-word prediction are non-overlapping windows of `seq_length` tokens: x = ids[i:i+L],
y = ids[i+1:i+L+1]. The default L = 35 is the `bptt` of PyTorch's word_language_model
example, whose "large" model (2-layer LSTM of 1,024 units, dropout 0.65) is the source's
WordModel2.

Downloading: when no data root holds the file (and KERASREPORTS_OFFLINE is not set), it
is fetched from char-rnn's repository at the pinned commit with `keras.utils.get_file`,
checked against its sha256.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kerasreports.datasets import store

FILE = "input.txt"
COMMIT = "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e"  # karpathy/char-rnn
URL = f"https://raw.githubusercontent.com/karpathy/char-rnn/{COMMIT}/data/tinyshakespeare/"

SPEC = store.DatasetSpec(
    name="tiny_shakespeare",
    folder="tinyshakespeare",
    files={FILE: "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"},
    url=URL,
)

SOURCE_VOCAB_SIZES = {"WordModel1": 21_949, "WordModel2": 29_473}  # §6.10's Embeddings
UNK = "<unk>"  # id 0; the tokenizer never makes it from text (it splits "<" and ">")
SEQ_LENGTH = 35

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|[^\sa-z]")


def tokenize(text: str) -> list[str]:
    """The tokens of `text`, as the module docstring says."""
    return _TOKEN.findall(text.lower())


def read_text(path: str | Path, digest: str | None = None) -> str:
    """The text of an input.txt; with `digest` (its sha256) its bytes are checked before
    they are decoded. Not UTF-8, or nothing but white space: a DatasetCorruptError."""
    path = Path(path)
    data = store.read_verified(path, digest)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise store.DatasetCorruptError(f"{path} is not UTF-8 text ({error})") from None
    if not text.strip():
        raise store.DatasetCorruptError(
            f"{path} holds no text; the real {FILE} has 1,115,394 characters of "
            f"Shakespeare. Put a fresh copy in its place.")
    return text


def load(data_dir=None, *, verify: bool = True) -> str:
    """The text of input.txt, found as `store` says; `verify=False` skips the sha256
    check (generated stand-ins)."""
    folder = store.locate(SPEC, data_dir, verify_files=False)  # checked as read
    return read_text(folder / FILE, SPEC.files[FILE] if verify else None)


def build_vocab(tokens, max_vocab: int = 0) -> dict[str, int]:
    """{word: id}: "<unk>" 0, then the words of `tokens` by descending count (ties in
    order of first appearance), only the `max_vocab` most frequent when it is > 0."""
    ranked = [w for w, _ in Counter(tokens).most_common(max_vocab or None)]
    return {UNK: 0, **{w: i for i, w in enumerate(ranked, start=1)}}


def encode(tokens, vocab: dict[str, int]) -> np.ndarray:
    """int32 ids of `tokens`, a word outside `vocab` as "<unk>"."""
    unk = vocab[UNK]
    return np.array([vocab.get(t, unk) for t in tokens], np.int32)


def encode_prompt(text: str, vocab: dict[str, int]) -> tuple[np.ndarray, list[str]]:
    """(ids, unknown_words): `text` tokenized as the corpus, as int32 ids, and the words
    not in `vocab` (each once, in order), which the ids hold as "<unk>". A prompt without
    a single token is a ValueError."""
    tokens = tokenize(text)
    if not tokens:
        raise ValueError(f"the prompt {text!r} has no words to start from")
    unknown = list(dict.fromkeys(t for t in tokens if t not in vocab))
    return encode(tokens, vocab), unknown


def decode(ids, words) -> str:
    """`ids` as text: the tokens (`words[id]`) joined by single spaces."""
    return " ".join(words[i] for i in np.asarray(ids).reshape(-1).tolist())


def sequences(ids: np.ndarray, seq_length: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y), each (n, seq_length) int32: non-overlapping windows of `ids` and the same
    windows one token later; n = (len(ids) - 1) // seq_length (a short tail is dropped)."""
    n = max(0, (len(ids) - 1) // seq_length)
    span = n * seq_length
    x = np.asarray(ids[:span], np.int32).reshape(n, seq_length)
    y = np.asarray(ids[1:span + 1], np.int32).reshape(n, seq_length)
    return x, y


class ReportData(NamedTuple):
    """What the `rnn_language` report's word-level language models use (`report_data`)."""

    vocab: dict[str, int]  # word -> id; "<unk>" is 0
    words: tuple[str, ...]  # id -> word
    train_ids: np.ndarray  # (n,) int32: the first 90% of the token stream
    held_out_ids: np.ndarray  # (m,) int32: the last 10%, contiguous
    x_train: np.ndarray  # (n_seq, seq_length) int32 windows of train_ids
    y_train: np.ndarray  # (n_seq, seq_length) int32: the next token of each position
    x_held_out: np.ndarray
    y_held_out: np.ndarray
    seq_length: int
    vocab_size: int  # len(vocab), "<unk>" included: the Embedding and softmax size
    train_words: int  # distinct words of the training part (before any max_vocab cap)
    text_words: int  # distinct words of the whole text
    held_out_unknown: float  # fraction of held-out tokens that are "<unk>"
    source_vocab_sizes: dict[str, int]  # 21,949 and 29,473 (other tokenisers and corpora)
    description: str


def report_data(*, data_dir=None, generated: bool = False, val_fraction: float = 0.1,
                seq_length: int = SEQ_LENGTH, max_vocab: int = 0,
                seed: int = 0) -> ReportData:
    """The word-level models' data, for their notebook, searches and benchmarks alike.

    The real input.txt under `data_dir` (see `store`), or with `generated=True` a
    generated one in the same format, written to a temporary folder and read through the
    same parser. Tokens, vocabulary, the contiguous split (the last `val_fraction` of the
    tokens held out) and the windows are the module docstring's. The split is not
    random: `seed` only seeds the generated text.
    """
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), not {val_fraction}")
    if seq_length < 1:
        raise ValueError(f"seq_length must be at least 1, not {seq_length}")
    if max_vocab < 0:
        raise ValueError(f"max_vocab must be 0 (every word) or more, not {max_vocab}")
    text = store.real_or_generated(load, data_dir=data_dir, generated=generated,
                                 writer="write_shakespeare_like", seed=seed)
    tokens = tokenize(text)
    cut = round(len(tokens) * (1 - val_fraction))
    train_tokens, held_tokens = tokens[:cut], tokens[cut:]
    vocab = build_vocab(train_tokens, max_vocab)
    words = tuple(vocab)
    train_ids, held_ids = encode(train_tokens, vocab), encode(held_tokens, vocab)
    x_train, y_train = sequences(train_ids, seq_length)
    if not len(x_train):
        raise ValueError(f"the training part has {len(train_ids)} tokens, too few for one "
                         f"sequence of {seq_length} + 1: lower seq_length")
    x_held, y_held = sequences(held_ids, seq_length)
    unknown = float(np.mean(held_ids == 0)) if len(held_ids) else 0.0
    train_words = len(set(train_tokens))
    description = (
        f"tiny_shakespeare{' (generated)' if generated else ''}: {len(tokens):,} tokens "
        f"(lower-cased words, punctuation as tokens), the first {len(train_ids):,} for "
        f"training and the last {len(held_ids):,} held out (contiguous); vocabulary "
        f"{len(vocab):,} with <unk> (training words: {train_words:,}"
        f"{f', capped at {max_vocab:,}' if max_vocab else ''}; the source's 21,949 and "
        f"29,473 came from other tokenisers and corpora); {unknown:.2%} of the held-out "
        f"tokens are <unk>; {len(x_train):,} training / {len(x_held):,} held-out "
        f"sequences of {seq_length} tokens")
    return ReportData(vocab, words, train_ids, held_ids, x_train, y_train, x_held, y_held,
                      seq_length, len(vocab), train_words, len(set(tokens)), unknown,
                      dict(SOURCE_VOCAB_SIZES), description)
