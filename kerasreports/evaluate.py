"""Scoring trained models as the reports and their searches do: predict, decode, compare.

The notebooks and the KerasTuner search tasks call the same functions, so a search's
"test char accuracy" is the number the report's table shows under that name.
"""

from __future__ import annotations

import numpy as np

from kerasreports import metrics
from kerasreports.datasets import arithmetic


def answers(model, x, chars: str) -> np.ndarray:
    """The answer strings a text-output model gives for queries `x`."""
    return arithmetic.decode_labels(model.predict(x, batch_size=512, verbose=0), chars)


def answer_accuracies(y_text, predicted) -> dict:
    """Character accuracy (every position, padding included: Keras' `accuracy`, the
    source's tables) and answer accuracy (whole answers right)."""
    return {"char": metrics.character_accuracy(y_text, predicted),
            "answer": metrics.answer_accuracy(y_text, predicted)}


def chance_answers(train_answers, n: int) -> np.ndarray:
    """`n` copies of the answer a model that ignores its query would learn: the commonest
    training character at each position (ties: the first met). Its character accuracy
    on the test answers is the chance level of a table of character accuracies."""
    from collections import Counter

    answers_ = list(train_answers)
    guess = "".join(Counter(a[i] for a in answers_).most_common(1)[0][0]
                    for i in range(len(answers_[0])))
    return np.array([guess] * n)


def chance_scores(train, test) -> dict:
    """`text_scores`' accuracy columns for `chance_answers` (no model, no training)."""
    predicted_train = chance_answers(train.y_text, len(train.y_text))
    predicted_test = chance_answers(train.y_text, len(test.y_text))
    test_acc = answer_accuracies(test.y_text, predicted_test)
    return {"parameters": 0,
            "train char acc": metrics.character_accuracy(train.y_text, predicted_train),
            "test char acc": test_acc["char"], "test answer acc": test_acc["answer"]}


def text_scores(model, x_train, train, x_test, test, chars: str, seconds: float):
    """A text-output model on both sides of a split (`train`/`test`: `ArithmeticData`):
    returns (scores row, numeric errors on the test side, test answers)."""
    predicted_train = answers(model, x_train, chars)
    predicted_test = answers(model, x_test, chars)
    test_acc = answer_accuracies(test.y_text, predicted_test)
    errors = metrics.numeric_errors(test.y_text, predicted_test)
    return {"parameters": model.count_params(),
            "train char acc": metrics.character_accuracy(train.y_text, predicted_train),
            "test char acc": test_acc["char"],
            "test answer acc": test_acc["answer"],
            "test mean |error|": float(np.nanmean(np.abs(errors))),
            "not a number": int(np.isnan(errors).sum()),
            "train time (s)": seconds}, errors, predicted_test


# The report's metric names for a `text_scores` row: row key -> metric suffix.
SCORE_METRICS = {"parameters": "params", "train char acc": "train_char_accuracy",
                 "test char acc": "test_char_accuracy",
                 "test answer acc": "test_answer_accuracy", "train time (s)": "train_seconds"}


def score_metrics(prefix: str, scores: dict) -> dict:
    """`text_scores`' row under the catalogue's metric names, e.g. `t2t_addsub_1_...`."""
    return {f"{prefix}_{suffix}": scores[key] for key, suffix in SCORE_METRICS.items()}


def tf_keras2_accuracy(targets, outputs) -> float:
    """What `metrics=["accuracy"]` reported for an MSE-trained image model in tf.keras 2
    (the source's Keras), which picks the metric from the output's shape: a last axis of
    1 gives `binary_accuracy` (output > 0.5 equal to the target: only pixels exactly 0
    or 1 can match), a wider last axis `categorical_accuracy` (the arg-max over that axis
    equal). Neither says whether an image shows the right digit; a blank output scores
    high on mostly-black MNIST answers."""
    targets, outputs = np.asarray(targets), np.asarray(outputs)
    if targets.shape != outputs.shape:
        raise ValueError(f"targets {targets.shape} and outputs {outputs.shape} differ")
    if outputs.shape[-1] == 1:
        return float(np.mean(targets == (outputs > 0.5)))
    return float(np.mean(np.argmax(targets, -1) == np.argmax(outputs, -1)))


def read_images(reader, images, chars: str) -> np.ndarray:
    """What a character classifier reads off (n, length, 28, 28[, 1]) answer images."""
    n, length = images.shape[:2]
    probabilities = reader.predict(images.reshape(n * length, 28, 28, 1), batch_size=1024,
                                   verbose=0)
    return arithmetic.decode_labels(probabilities.reshape(n, length, -1), chars)
