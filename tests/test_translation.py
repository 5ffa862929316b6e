import gzip
import hashlib
import os
from pathlib import Path

import keras
import numpy as np
import pytest

from kerasreports import runtime
from kerasreports.datasets import small_vocab, store, synthetic
from kerasreports.models import translation

# The source's three summary tables (seeds/000_*, section 3.1), in order.
SOURCE_TABLES = {
    "simplernn": ([("simple_rnn_2", 4224), ("simple_rnn_3", 8256),
                   ("time_distributed_1", 22425), ("activation_1", 0)], 34_905),
    "lstm": ([("lstm", 16896), ("lstm_1", 33024), ("time_distributed_2", 22425),
              ("activation_2", 0)], 72_345),
    "gru": ([("gru", 12864), ("gru_1", 24960), ("time_distributed_3", 22425),
             ("activation_3", 0)], 60_249),
}


# --- models -----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", list(SOURCE_TABLES))
def test_stacked_rnn_matches_the_source_summary(cell):
    model = translation.stacked_rnn(cell=cell)
    table, total = SOURCE_TABLES[cell]
    assert [(layer.name, layer.count_params()) for layer in model.layers[1:]] == table
    assert model.count_params() == total
    assert model.input_shape == (None, 21, 1) and model.output_shape == (None, 21, 345)


def test_stacked_rnn_cell_names_are_forgiving_but_unknown_ones_fail():
    assert translation.stacked_rnn(cell="SimpleRNN").count_params() == 34_905
    with pytest.raises(ValueError, match="choose one of: simplernn, lstm, gru"):
        translation.stacked_rnn(cell="transformer")
    with pytest.raises(ValueError, match="choose one of: gru, lstm"):
        translation.embedding_bidirectional(cell="simplernn")


def test_deeper_stacks_get_unique_names():
    names = [layer.name for layer in translation.stacked_rnn(cell="gru", depth=3).layers]
    assert names[1:4] == ["gru", "gru_1", "gru_2"]


def test_embedding_bidirectional_shapes_and_size():
    model = translation.embedding_bidirectional()
    assert model.input_shape == (None, 21) and model.output_shape == (None, 21, 345)
    assert [layer.name for layer in model.layers[1:]] == [
        "embedding", "encoder", "decoder", "time_distributed", "activation"]
    assert model.count_params() == 206_297


@pytest.fixture(scope="module")
def tiny():
    english, french = synthetic.small_vocab_like_pairs(32, seed=3)
    return small_vocab.prepare(english, french)


@pytest.fixture(autouse=True)
def _seeded():
    runtime.set_seed(0)  # the same weights every run: a pass/fail that never depends on luck


def _train_steps(model, x, y, steps=5):
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    losses = [float(model.train_on_batch(x, y)) for _ in range(steps)]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]


@pytest.mark.parametrize("cell", ["simplernn", "lstm", "gru"])
def test_one_training_step_lowers_the_loss_stacked(tiny, cell):
    steps = tiny.x.shape[1]
    model = translation.stacked_rnn(cell=cell, units=16, steps=steps,
                                    vocab=tiny.french.vocab_size + 1)
    _train_steps(model, tiny.x, tiny.y)  # int ids into the float input, as the source


def test_one_training_step_lowers_the_loss_embedding(tiny):
    model = translation.embedding_bidirectional(
        src_vocab=tiny.english.vocab_size + 1, tgt_vocab=tiny.french.vocab_size + 1,
        steps=tiny.x.shape[1], embed_dim=16, units=16)
    _train_steps(model, tiny.x[..., 0], tiny.y)


# --- tokens -----------------------------------------------------------------------------


def test_tokenizer_reproduces_the_legacy_keras_defaults():
    tok = small_vocab.WordTokenizer.fit(
        ["The cat sat.", "the DOG, the cat!", "l'été à états-unis"])
    # the 3, cat 2, then count-1 words in order of first occurrence; "'" kept, "-" splits
    assert tok.word_index == {"the": 1, "cat": 2, "sat": 3, "dog": 4, "l'été": 5, "à": 6,
                              "états": 7, "unis": 8}
    assert tok.vocab_size == 8
    assert tok.texts_to_ids(["Cat, the  dog."]) == [[2, 1, 4]]
    assert tok.ids_to_text([2, 1, 4, 0, 0]) == "cat the dog <PAD> <PAD>"
    assert tok.ids_to_text(np.array([[2], [1], [0]]), pad=None) == "cat the"


def test_unknown_words_are_an_error_naming_them():
    tok = small_vocab.WordTokenizer.fit(["the cat sat"])
    with pytest.raises(ValueError, match=r"unknown words \['dog'\]"):
        tok.texts_to_ids(["the dog sat"])


def test_encode_pads_at_the_end_and_refuses_too_long_sentences():
    tok = small_vocab.WordTokenizer.fit(["a b c d"])
    ids = small_vocab.encode_sentences(tok, ["a b", "d c b a"], 5)
    assert ids.dtype == np.int32 and ids.tolist() == [[1, 2, 0, 0, 0], [4, 3, 2, 1, 0]]
    with pytest.raises(ValueError, match="has 4 words, more than the padding length 3"):
        small_vocab.encode_sentences(tok, ["a b c d"], 3)


def test_split_is_seeded_disjoint_and_complete():
    parts = small_vocab.split(1000, seed=7, validation=0.1, test=0.2)
    assert [len(p) for p in parts] == [700, 100, 200]
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(1000))
    again = small_vocab.split(1000, seed=7, validation=0.1, test=0.2)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))
    assert not np.array_equal(parts.test, small_vocab.split(1000, seed=8, test=0.2).test)
    with pytest.raises(ValueError):
        small_vocab.split(10, seed=0, validation=0.5, test=0.5)


# --- files ------------------------------------------------------------------------------


def test_generated_pairs_load_through_the_real_parser(tmp_path):
    synthetic.write_small_vocab_like(tmp_path, n=200, seed=1)
    english, french = small_vocab.load_pairs(tmp_path, verify=False)
    assert len(english) == len(french) == 200
    assert english[0] == english[0].lower() and english[0].endswith(" .") and " , " in english[0]
    source_like, _ = small_vocab.load_pairs(tmp_path, verify=False, like_source=True)
    assert len(source_like) == 201 and source_like[-1] == ""  # read().split('\n')

    data = small_vocab.prepare(english, french)
    length = max(len(s) for s in data.french.texts_to_ids(french))
    assert data.x.shape == (200, length, 1) and data.y.shape == (200, length)
    assert data.x.dtype == data.y.dtype == np.int32
    assert data.english.vocab_size == data.x.max() and data.french.vocab_size == data.y.max()
    # padding is at the end: once a row hits 0 it stays 0
    for ids in (data.x[..., 0], data.y):
        first_pad = np.argmax(np.concatenate([ids, np.zeros((200, 1))], axis=1) == 0, axis=1)
        assert all((row[n:] == 0).all() and (row[:n] > 0).all() for row, n in zip(ids, first_pad))
    assert data.french.ids_to_text(data.y[0], pad=None) == " ".join(small_vocab.words(french[0]))


def test_generated_pairs_fail_the_checksum_naming_the_file(tmp_path):
    synthetic.write_small_vocab_like(tmp_path, n=10)
    with pytest.raises(store.DatasetCorruptError, match="small_vocab_en.gz"):
        small_vocab.load_pairs(tmp_path)


def test_mismatched_line_counts_are_an_error(tmp_path):
    folder = synthetic.write_small_vocab_like(tmp_path, n=20) / "small_vocab"
    french = small_vocab.read_lines(folder / "small_vocab_fr.gz")
    small_vocab.write_lines(folder / "small_vocab_fr.gz", french[:-1])
    with pytest.raises(store.DatasetCorruptError,
                       match="small_vocab_en.gz has 20 lines but small_vocab_fr.gz has 19"):
        small_vocab.load_pairs(tmp_path, verify=False)


def test_truncated_or_foreign_files_are_an_error_naming_them(tmp_path):
    folder = synthetic.write_small_vocab_like(tmp_path, n=50) / "small_vocab"
    raw = (folder / "small_vocab_en.gz").read_bytes()
    (folder / "small_vocab_en.gz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(store.DatasetCorruptError, match="small_vocab_en.gz is not a readable"):
        small_vocab.load_pairs(tmp_path, verify=False)
    (folder / "small_vocab_en.gz").write_bytes(b"plain text, not gzip\n")
    with pytest.raises(store.DatasetCorruptError, match="small_vocab_en.gz"):
        small_vocab.load_pairs(tmp_path, verify=False)
    (folder / "small_vocab_en.gz").write_bytes(gzip.compress(b"\xff\xfe latin-1?\n"))
    with pytest.raises(store.DatasetCorruptError, match="small_vocab_en.gz"):
        small_vocab.load_pairs(tmp_path, verify=False)


def test_missing_data_says_which_files_to_put_where(no_data_anywhere):
    with pytest.raises(store.DatasetNotFoundError) as caught:
        small_vocab.load_pairs(no_data_anywhere / "nowhere")
    message = str(caught.value)
    assert "small_vocab_en.gz" in message and "small_vocab_fr.gz" in message
    assert str(no_data_anywhere / "nowhere" / "small_vocab") in message
    assert "udacity/aind2-nlp-capstone" in message


def test_gzip_bytes_round_trip():
    data = "état , été .\n".encode() * 100
    assert gzip.decompress(small_vocab.gzip_bytes(data)) == data


def test_download_gzips_the_originals_into_the_keras_cache(no_data_anywhere, monkeypatch):
    # A "server" on disk holding uncompressed originals; get_file fetches file:// URLs too.
    english, french = synthetic.small_vocab_like_pairs(30, seed=2)
    served = no_data_anywhere / "server"
    served.mkdir()
    originals = {}
    for gz_name, lines in ((small_vocab.ENGLISH_FILE, english), (small_vocab.FRENCH_FILE, french)):
        path = served / gz_name.removesuffix(".gz")
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        originals[gz_name] = (path.as_uri(), store.sha256(path))
    monkeypatch.setattr(small_vocab, "ORIGINALS", originals)
    monkeypatch.setenv("KERASREPORTS_OFFLINE", "0")

    assert small_vocab.load_pairs(verify=False) == (english, french)
    folder = store.keras_cache_dir() / "small_vocab"
    assert sorted(p.name for p in folder.iterdir()) == ["small_vocab_en.gz", "small_vocab_fr.gz"]

    for path in folder.iterdir():
        path.unlink()
    monkeypatch.setattr(small_vocab, "ORIGINALS", {
        gz: (url, "0" * 64) for gz, (url, _) in originals.items()})
    with pytest.raises(store.DatasetNotFoundError, match="was tried and failed"):
        small_vocab.load_pairs(verify=False)


# --- the real corpus ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_pairs():
    # Module-scoped (read once), so it cannot use the function-scoped `real_data` fixture.
    root = os.environ.get("KERASREPORTS_DATA")
    if not root or not Path(root).is_dir():
        pytest.skip("KERASREPORTS_DATA is not set to the real data sets")
    return small_vocab.load_pairs(root)


@pytest.mark.real_data
def test_real_corpus_counts(real_data, real_pairs):
    english, french = real_pairs
    assert len(english) == len(french) == 137_860  # non-empty, newline-terminated lines
    source_count = len(small_vocab.load_pairs(real_data, like_source=True)[0])
    assert source_count == 137_861  # the source's read().split('\n'), last item empty
    assert english[0] == ("new jersey is sometimes quiet during autumn , and it is snowy "
                          "in april .")
    assert french[0] == ("new jersey est parfois calme pendant l' automne , et il est "
                         "neigeux en avril .")
    assert tuple(english[:10]) == small_vocab.SAMPLE_SENTENCES
    assert all(english) and all(french)


@pytest.mark.real_data
def test_real_corpus_tokens_match_the_source(real_pairs):
    data = small_vocab.prepare(*real_pairs)
    assert data.english.vocab_size == 199 and data.french.vocab_size == 344
    assert data.x.shape == (137_860, 21, 1) and data.y.shape == (137_860, 21)
    assert (data.y[:, -1] > 0).any()  # 21 is the longest French sentence
    # the Udacity notebook's preprocessed first pair
    assert data.x[0, :13, 0].tolist() == [17, 23, 1, 8, 67, 4, 39, 7, 3, 1, 55, 2, 44]
    assert data.y[0, :14].tolist() == [35, 34, 1, 8, 67, 37, 11, 24, 6, 3, 1, 112, 2, 50]
    samples = small_vocab.encode_sentences(data.english, small_vocab.SAMPLE_SENTENCES, 21)
    assert np.array_equal(samples, data.x[:10, :, 0])


@pytest.mark.real_data
def test_real_files_are_gzip_9_n_of_the_udacity_originals(real_data):
    # What `download` writes passes the same sha256 as the shared copies.
    folder = real_data / "small_vocab"
    for gz_name, (_, content_sha) in small_vocab.ORIGINALS.items():
        raw = gzip.decompress((folder / gz_name).read_bytes())
        assert hashlib.sha256(raw).hexdigest() == content_sha
        remade = hashlib.sha256(small_vocab.gzip_bytes(raw)).hexdigest()
        assert remade == small_vocab.SMALL_VOCAB.files[gz_name]
