"""Metrics the reports compute, on NumPy arrays."""

from __future__ import annotations

import numpy as np


def per_image_mse(clean: np.ndarray, reconstructed: np.ndarray) -> np.ndarray:
    """Mean squared error of each image (the source's "reconstruction loss", R_loss)."""
    clean = np.asarray(clean, dtype=np.float64).reshape(len(clean), -1)
    reconstructed = np.asarray(reconstructed, dtype=np.float64).reshape(len(reconstructed), -1)
    return np.mean((clean - reconstructed) ** 2, axis=1)


def psnr(clean: np.ndarray, reconstructed: np.ndarray, *, peak: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB, 10*log10(peak^2 / MSE), of each image, averaged
    over the images (the Noise2Noise convention; an image reproduced exactly is skipped
    rather than counted as infinite)."""
    mse = per_image_mse(clean, reconstructed)
    mse = mse[mse > 0]
    return float(np.mean(10 * np.log10(peak**2 / mse))) if len(mse) else float("inf")


def accuracy(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Fraction of rows whose arg-max class is the label."""
    return float(np.mean(np.argmax(probabilities, axis=-1) == np.asarray(labels)))


def token_accuracy(y_true: np.ndarray, y_pred: np.ndarray, *, ignore_padding: bool) -> float:
    """Fraction of positions whose predicted id is the true id.

    With `ignore_padding=False` every position counts, padding (id 0) included: what
    Keras' `accuracy` reports during training and what the source's curves show. With
    `ignore_padding=True` only the positions of real words count.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    hits = y_true == y_pred
    if ignore_padding:
        return float(hits[y_true != 0].mean())
    return float(hits.mean())


def sequence_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of sequences predicted exactly, every position (padding included) right."""
    return float(np.all(np.asarray(y_true) == np.asarray(y_pred), axis=-1).mean())


def corpus_bleu(hypotheses: list[str], references: list[str]) -> float:
    """Corpus BLEU (0-100) with sacrebleu's defaults, one reference per sentence."""
    import sacrebleu

    # force: our sentences are tokenized already ("i m glad ."); sacrebleu would warn
    # about it on every call, and the score is the same.
    return float(sacrebleu.corpus_bleu(hypotheses, [references], force=True).score)


def pages_rmse(pages: list[np.ndarray], targets: list[np.ndarray]) -> float:
    """Root mean squared error over every pixel of every page (Kaggle's metric).

    Pages may differ in size; pixels are pooled, so a large page weighs more.
    """
    squared = sum(float(np.sum((np.asarray(p, np.float64) - t) ** 2))
                  for p, t in zip(pages, targets, strict=True))
    return float(np.sqrt(squared / sum(np.size(t) for t in targets)))


def mean_ssim(pages: list[np.ndarray], targets: list[np.ndarray]) -> float:
    """Mean structural similarity (scikit-image, data range 1) of grey [0, 1] pages."""
    from skimage.metrics import structural_similarity

    return float(np.mean([structural_similarity(np.asarray(p, np.float64),
                                                np.asarray(t, np.float64), data_range=1.0)
                          for p, t in zip(pages, targets, strict=True)]))


def character_accuracy(true_texts, predicted_texts) -> float:
    """Fraction of answer characters (padding spaces included) predicted right: what
    Keras' `accuracy` gives for one-hot answers, and what the R4 source's tables show."""
    true, predicted = _equal_length_texts(true_texts, predicted_texts)
    return float(np.mean(true == predicted))


def answer_accuracy(true_texts, predicted_texts) -> float:
    """Fraction of answers predicted whole, every character right."""
    true, predicted = _equal_length_texts(true_texts, predicted_texts)
    return float(np.mean(np.all(true == predicted, axis=1)))


def _equal_length_texts(true_texts, predicted_texts):
    true = np.array([list(t) for t in true_texts])
    predicted = np.array([list(t) for t in predicted_texts])
    if true.shape != predicted.shape:
        raise ValueError(f"{true.shape} true characters vs {predicted.shape} predicted: "
                         f"give as many answers, padded to one length")
    return true, predicted


def numeric_errors(true_texts, predicted_texts) -> np.ndarray:
    """true - predicted as numbers; NaN where a prediction does not read as an integer
    (e.g. '1-3' or '  ')."""
    def value(text):
        try:
            return float(int(text.strip()))
        except ValueError:
            return np.nan

    return np.array([value(t) - value(p) for t, p in zip(true_texts, predicted_texts,
                                                          strict=True)])
