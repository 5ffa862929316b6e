"""The `rnn_language` report's menu (R7, `seeds/002_*` sections 6.8-6.13): the models each
task trains, by the names the notebook's parameters use, built from `models.language`.

One place for the menu, so that the notebook, the searches and the tests agree on what
"lstm" or "gru_bahdanau" means. Each `*_MODELS` maps a name to the words a table shows.
"""

from __future__ import annotations

from kerasreports.models import language

NAMES_MODELS = {
    "source": "the source's cell (i2h, i2o, o2o)",
    "simplernn": "SimpleRNN 128",
    "lstm": "LSTM 128",
    "gru": "GRU 128",
}
WORD_MODELS = {
    "word_model1_lstm": "WordModel1 (3 x LSTM 256)",
    "word_model1_gru": "WordModel1, GRU",
    "word_model1_simplernn": "WordModel1, SimpleRNN",
    "word_model2": "WordModel2 (2 x LSTM 1024, dropout 0.65)",
}
SENTIMENT_MODELS = {
    "lstm": "SentimentRNN (2 x LSTM 256, tanh-sigmoid head)",
    "gru": "SentimentRNN, GRU",
    "simplernn": "SentimentRNN, SimpleRNN",
    "fasttext": "fastText: words + hashed bigrams (beyond the source)",
}
# The fastText classifier trained once more on the official split (test held out).
FASTTEXT_OFFICIAL = "fastText on the official split (beyond the source)"
TRANSLATION_MODELS = {
    "gru": "GRU encoder-decoder (the source's)",
    "lstm": "LSTM encoder-decoder (the source's)",
    "gru_tutorial": "GRU, the tutorial's AttnDecoderRNN (beyond the source)",
    "gru_bahdanau": "GRU, Bahdanau attention (beyond the source)",
    "gru_luong": "GRU, Luong attention (beyond the source)",
    "lstm_bahdanau": "LSTM, Bahdanau attention (beyond the source)",
}
FASTTEXT_VOCAB = 20_000  # its words (ids 1..20,000), beside the source's 1,000


def names_model(name: str, *, alphabet: int, seed: int = 0):
    """A character model of the names task: ids -> per-step log-probabilities."""
    if name == "source":
        return language.names_source_rnn(alphabet=alphabet, seed=seed)
    return language.names_rnn(cell=name, alphabet=alphabet, seed=seed)


def word_model(name: str, *, vocab: int, units: int = 1024, seed: int = 0):
    """A word model of the Shakespeare task: ids -> logits. `units`: WordModel2's
    embedding and LSTM width (the source's 1,024), ignored by WordModel1."""
    if name == "word_model2":
        return language.word_model2(vocab=vocab, embedding=units, units=units, seed=seed)
    return language.word_model1(vocab=vocab, cell=name.removeprefix("word_model1_"),
                                seed=seed)


def sentiment_model(name: str, *, vocab: int, seed: int = 0):
    """A sentiment classifier: left-padded review ids -> P(positive)."""
    if name == "fasttext":
        return language.sentiment_fasttext(vocab=vocab, seed=seed)
    return language.sentiment_lstm(vocab=vocab, cell=name, seed=seed)


def translation_models(name: str, *, src_vocab: int, tgt_vocab: int, max_length: int,
                       seed: int = 0) -> language.Seq2Seq:
    """French -> English encoder-decoder: "<cell>" or "<cell>_<attention>"."""
    cell, _, attention = name.partition("_")
    return language.seq2seq(src_vocab=src_vocab, tgt_vocab=tgt_vocab, cell=cell,
                            attention=attention or None, max_length=max_length, seed=seed)
