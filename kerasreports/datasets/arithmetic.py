"""Arithmetic queries as text and as MNIST-digit images (R4, `seeds/001_*`).

The source's course template generated every query `i <op> j` (0 <= i, j <=
`highest_integer`) as text right-padded with spaces ('22+13', '5-7  '), its answer the
same way ('35 ', '-2 '), and the same strings as sequences of 28x28 images: a random MNIST
image for each digit, a drawn operator image (`generate_images`) for '+', '-' or '*', and
a blank image for the padding space. We keep its functions and shapes, with two changes:

- the images of a query are drawn from a pool the caller gives (`images_for`), so that the
  training queries use MNIST's training split and the test queries its test split, and no
  digit image is seen on both sides (the template drew from one pool);
- operator images are drawn with scikit-image (anti-aliased lines, 2 px wide, rotated with
  SciPy for '*'), not OpenCV, which this package does not depend on.

Everything is seeded by a `numpy.random.Generator`.
"""

from __future__ import annotations

import itertools
import numbers
import zlib
from typing import NamedTuple

import numpy as np

OPERATORS = ("+", "-", "*")
DIGITS = "0123456789"


def alphabet(operands=("+", "-")) -> str:
    """The characters of queries and answers: digits, the operators in use, space.

    '0123456789+- ' (13) for addition and subtraction, '0123456789* ' (12) for
    multiplication. '-' is always included when answers can be negative.
    """
    _check_operands(operands)
    signs = "".join(op for op in OPERATORS if op in operands)
    return DIGITS + signs + " "


def _check_operands(operands) -> None:
    unknown = [op for op in operands if op not in OPERATORS]
    if unknown or not operands:
        raise ValueError(f"unknown operand(s) {unknown or operands!r}; use any of "
                         f"{', '.join(OPERATORS)}")


def lengths(highest_integer: int, num_addends: int = 2, operands=("+", "-")) -> tuple[int, int]:
    """(query length, answer length) that every query and answer fits in.

    99, 2 addends, +/-: (5, 3) ('99+99', '198' or '-99'); with '*': (5, 4) ('9801').
    """
    _check_range(highest_integer, num_addends)
    _check_operands(operands)
    digits = len(str(highest_integer))
    query = num_addends * digits + num_addends - 1
    extremes = []
    if "+" in operands:
        extremes.append(num_addends * highest_integer)
    if "-" in operands:
        extremes.append(-(num_addends - 1) * highest_integer)
    if "*" in operands:
        extremes.append(highest_integer ** num_addends)
    return query, max(len(str(e)) for e in extremes)


def _check_range(highest_integer: int, num_addends: int) -> None:
    if not isinstance(highest_integer, numbers.Integral) or highest_integer < 1:
        raise ValueError(f"highest_integer must be a whole number of at least 1, "
                         f"not {highest_integer!r}")
    if not isinstance(num_addends, numbers.Integral) or num_addends < 2:
        raise ValueError(f"num_addends must be a whole number of at least 2, "
                         f"not {num_addends!r}")


def queries(highest_integer: int = 99, num_addends: int = 2, operands=("+", "-"), *,
            query_length: int | None = None,
            answer_length: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every query and its answer, as right-padded strings, in the template's order.

    For each first number, each second number, ..., each operand: 'i<op>j'. Answers are
    evaluated left to right with the usual precedence (Python's). Explicit lengths shorter
    than the longest query or answer are an error naming it.
    """
    need_query, need_answer = lengths(highest_integer, num_addends, operands)
    query_length = query_length or need_query
    answer_length = answer_length or need_answer
    # Checked before enumerating: a too-large range would otherwise build millions first.
    longest = operands[0].join([str(highest_integer)] * num_addends)
    if need_query > query_length:
        raise ValueError(f"query {longest!r} does not fit in {query_length} characters; "
                         f"lower highest_integer or raise query_length")
    if need_answer > answer_length:
        raise ValueError(f"answers of {need_answer} characters (e.g. for "
                         f"{highest_integer} and {num_addends} addends) do not fit in "
                         f"{answer_length}; lower highest_integer or raise answer_length")
    texts, answers = [], []
    for values in itertools.product(range(highest_integer + 1), repeat=num_addends):
        for op in operands:
            text = op.join(str(v) for v in values)
            texts.append(text)
            answers.append(str(eval(text)))  # digits and one operator only: safe
    return (np.array([t.ljust(query_length) for t in texts]),
            np.array([a.ljust(answer_length) for a in answers]))


def generate_images(number_of_images: int = 50, sign: str = "-", *,
                    rng: np.random.Generator | None = None) -> np.ndarray:
    """`number_of_images` 28x28 images of an operator in [0, 1], no two alike.

    '-': one line between random end points near the centre row; '+': that line and a
    second, crossing one near the centre column; '*': three lines at 50 degree turns.
    """
    from scipy.ndimage import rotate
    from skimage.draw import line_aa

    if sign not in OPERATORS:
        raise ValueError(f"unknown sign {sign!r}; use one of {', '.join(OPERATORS)}")
    rng = rng or np.random.default_rng()
    images = np.zeros((number_of_images, 28, 28))
    rows = rng.integers(12, 16, (number_of_images, 2))  # the template's ranges
    start = rng.integers(6, 10, number_of_images)
    end = rng.integers(18, 22, number_of_images)

    def draw(image, r0, c0, r1, c1):
        # 2 px wide, as the template's thickness 2: the second line is offset across the
        # stroke (down for a horizontal one, right for a vertical one).
        down, right = (1, 0) if abs(c1 - c0) >= abs(r1 - r0) else (0, 1)
        for offset in (0, 1):
            rr, cc, value = line_aa(r0 + offset * down, c0 + offset * right,
                                    r1 + offset * down, c1 + offset * right)
            keep = (rr < 28) & (cc < 28)
            image[rr[keep], cc[keep]] = np.maximum(image[rr[keep], cc[keep]], value[keep])

    for i, image in enumerate(images):
        draw(image, rows[i, 0], start[i], rows[i, 1], end[i])  # horizontal stroke
        if sign == "+":
            draw(image, start[i], rows[i, 0], end[i], rows[i, 1])  # vertical stroke
        if sign == "*":
            for _ in range(2):
                image[:] = rotate(image, -50, reshape=False, order=1)
                draw(image, rows[i, 0], start[i], rows[i, 1], end[i])
    return np.clip(images, 0, 1)


def images_for(texts, pools: dict[str, np.ndarray], *,
               rng: np.random.Generator) -> np.ndarray:
    """(n, length, 28, 28) images of strings: a random image from `pools[char]` each."""
    missing = sorted({c for t in texts for c in t} - set(pools))
    if missing:
        raise ValueError(f"no images for character(s) {missing!r}")
    out = np.zeros((len(texts), len(texts[0]), 28, 28), dtype="float32")
    for i, text in enumerate(texts):
        for j, char in enumerate(text):
            pool = pools[char]
            out[i, j] = pool[rng.integers(len(pool))]
    return out


def image_pools(digit_images: np.ndarray, digit_labels: np.ndarray, operands, *,
                rng: np.random.Generator, operator_images: int = 50) -> dict[str, np.ndarray]:
    """Images per character: MNIST digits by label (uint8 or [0, 1]), drawn operators, a
    blank image for the padding space."""
    scale = 255.0 if digit_images.dtype == np.uint8 else 1.0
    pools = {d: digit_images[digit_labels == int(d)] / scale for d in DIGITS}
    empty = [d for d, pool in pools.items() if len(pool) == 0]
    if empty:
        raise ValueError(f"no images of digit(s) {empty}")
    for op in operands:
        pools[op] = generate_images(operator_images, op, rng=rng)
    pools[" "] = np.zeros((1, 28, 28))
    return pools


class ArithmeticData(NamedTuple):
    x_text: np.ndarray  # (n,) query strings, e.g. '22+13'
    x_img: np.ndarray  # (n, query length, 28, 28) in [0, 1]
    y_text: np.ndarray  # (n,) answer strings, e.g. '35 '
    y_img: np.ndarray  # (n, answer length, 28, 28) in [0, 1]


def create_data(highest_integer: int = 99, num_addends: int = 2, operands=("+", "-"), *,
                digit_images: np.ndarray | None = None, digit_labels: np.ndarray | None = None,
                rng: np.random.Generator | None = None) -> ArithmeticData:
    """Every query of the template as text and images, as the template's `create_data`:
    the images drawn from `digit_images` (default: MNIST's training split, found as
    `mnist.load` finds it) and from freshly drawn operator images.

    All images come from one pool: to split queries into training and test sets without
    showing an image on both sides, use `split_with_images` instead.
    """
    if digit_images is None:
        from kerasreports.datasets import mnist

        digit_images, digit_labels = mnist.load("mnist").train
    rng = rng or np.random.default_rng(0)
    x_text, y_text = queries(highest_integer, num_addends, operands)
    pools = image_pools(digit_images, digit_labels, operands, rng=rng)
    return with_images(x_text, y_text, pools, rng=rng)


def split_queries(test_size: float, highest_integer: int = 99, num_addends: int = 2,
                  operands=("+", "-"), *, rng: np.random.Generator):
    """Every query shuffled and split: ((train queries, answers), (test queries, answers)).

    `test_size` is the test share, as scikit-learn's `train_test_split` (the source's
    0.25, 0.5, 0.75, 0.9); both sides keep at least one query.
    """
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be between 0 and 1, not {test_size!r}")
    x, y = queries(highest_integer, num_addends, operands)
    order = rng.permutation(len(x))
    n_test = min(max(1, round(test_size * len(x))), len(x) - 1)
    test, train = order[:n_test], order[n_test:]
    return (x[train], y[train]), (x[test], y[test])


def with_images(texts, answers, pools: dict[str, np.ndarray], *,
                rng: np.random.Generator) -> ArithmeticData:
    """Queries and answers as `ArithmeticData`, their images drawn from `pools`."""
    return ArithmeticData(np.asarray(texts), images_for(texts, pools, rng=rng),
                          np.asarray(answers), images_for(answers, pools, rng=rng))


def encode_labels(labels, chars: str) -> np.ndarray:
    """One-hot (n, length, len(chars)) float32 of equal-length strings over `chars`."""
    labels = list(labels)
    if not labels:
        return np.zeros((0, 0, len(chars)), dtype="float32")
    length = len(labels[0])
    index = {c: k for k, c in enumerate(chars)}
    one_hot = np.zeros((len(labels), length, len(chars)), dtype="float32")
    for i, label in enumerate(labels):
        if len(label) != length:
            raise ValueError(f"label {i} {label!r} has {len(label)} characters, the first "
                             f"has {length}: pad them to one length")
        for j, char in enumerate(label):
            if char not in index:
                raise ValueError(f"label {i} {label!r} has {char!r} at position {j}, "
                                 f"which is not in the alphabet {chars!r}")
            one_hot[i, j, index[char]] = 1.0
    return one_hot


def decode_labels(one_hot: np.ndarray, chars: str) -> np.ndarray:
    """Strings from (n, length, len(chars)) scores: the arg-max character at each step."""
    one_hot = np.asarray(one_hot)
    if one_hot.ndim != 3 or one_hot.shape[-1] != len(chars):
        raise ValueError(f"expected (n, length, {len(chars)}) scores, got {one_hot.shape}")
    table = np.array(list(chars))
    return np.array(["".join(row) for row in table[np.argmax(one_hot, axis=-1)]])


def split_rng(seed: int, *key) -> np.random.Generator:
    """A generator for one part of a report, from the seed and the part's name only, so
    that what it draws does not depend on which parts ran before. The `arithmetic`
    notebook and its hyperparameter searches both draw the query split with
    `split_rng(seed, "split", task_name)`: a search scores on the report's test queries
    and selects on part of its training queries."""
    return np.random.default_rng([seed, *(zlib.crc32(str(k).encode()) for k in key)])


class Task(NamedTuple):
    """One of the source's two problems: its operators, alphabet and padded lengths."""

    name: str
    operands: tuple[str, ...]
    highest_integer: int

    @property
    def chars(self) -> str:
        return alphabet(self.operands)

    @property
    def query_length(self) -> int:
        return lengths(self.highest_integer, 2, self.operands)[0]

    @property
    def answer_length(self) -> int:
        return lengths(self.highest_integer, 2, self.operands)[1]


def tasks(highest_integer: int = 99) -> dict[str, Task]:
    """The source's addition/subtraction and multiplication tasks."""
    return {"addsub": Task("addsub", ("+", "-"), highest_integer),
            "mul": Task("mul", ("*",), highest_integer)}


def split_with_images(task: Task, test_size: float, digits, *,
                      rng: np.random.Generator) -> tuple[ArithmeticData, ArithmeticData]:
    """The task's queries split into training and test queries, as text and images.

    `digits` is an `mnist.ImageDataset`: training queries are drawn with its training
    images (and one set of operator images), test queries with its test images (and
    another), so no image is seen on both sides.
    """
    (x_train, y_train), (x_test, y_test) = split_queries(
        test_size, task.highest_integer, 2, task.operands, rng=rng)
    sides = []
    for (texts, answers), split in (((x_train, y_train), digits.train),
                                    ((x_test, y_test), digits.test)):
        pools = image_pools(split.images, split.labels, task.operands, rng=rng)
        sides.append(with_images(texts, answers, pools, rng=rng))
    return sides[0], sides[1]


def character_images(split, chars: str, *, rng: np.random.Generator,
                     operator_images: int | None = None,
                     blanks: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Single images labelled with their index in `chars`, for a character classifier:
    every MNIST image of `split`, `operator_images` fresh images of each operator in
    `chars` (default: as many as of an average digit) and `blanks` blank images (the
    padding space; default a tenth of that). Shuffled."""
    operator_images = operator_images or max(1, len(split.images) // 10)
    blanks = blanks or max(1, operator_images // 10)
    scale = 255.0 if split.images.dtype == np.uint8 else 1.0  # as image_pools
    images = [split.images.astype("float32") / scale]
    labels = [np.array([chars.index(str(d)) for d in split.labels])]
    for op in (c for c in chars if c in OPERATORS):
        images.append(generate_images(operator_images, op, rng=rng).astype("float32"))
        labels.append(np.full(operator_images, chars.index(op)))
    images.append(np.zeros((blanks, 28, 28), dtype="float32"))
    labels.append(np.full(blanks, chars.index(" ")))
    x, y = np.concatenate(images), np.concatenate(labels)
    order = rng.permutation(len(x))
    return x[order], y[order]


# --- the arithmetic report's data ------------------------------------------------------


class ReportData(NamedTuple):
    """What the `arithmetic` report trains and scores on (`report_data`)."""

    digits: object  # the mnist.ImageDataset the query images are drawn from
    tasks: dict[str, Task]  # "addsub", "mul"
    splits: dict[str, tuple[ArithmeticData, ArithmeticData]]  # task -> (train, test)
    seed: int


def report_split(task: Task, test_size: float, digits, *,
                 seed: int) -> tuple[ArithmeticData, ArithmeticData]:
    """`task`'s training and test queries as the report draws them: from the seed and the
    task's name only (`split_rng(seed, "split", task.name)`), so that the notebook, its
    searches and the benchmark get the same queries and images."""
    return split_with_images(task, test_size, digits, rng=split_rng(seed, "split", task.name))


def report_digits(*, data_dir=None, generated: bool = False, seed: int = 0):
    """The MNIST digits the report draws its query images from: the real files under
    `data_dir`, or with `generated=True` generated MNIST-format files (2,000 training
    and 500 test images) written to a temporary folder, read by the same parser and
    removed again."""
    from kerasreports.datasets import mnist

    return mnist.images("mnist", data_dir=data_dir, generated=generated, seed=seed,
                        n_train=2000, n_test=500)


def report_data(*, data_dir=None, generated: bool = False, highest_integer: int = 99,
                test_size: float = 0.25, seed: int = 0) -> ReportData:
    """The `arithmetic` report's digits (`report_digits`), tasks and query splits
    (`report_split`)."""
    digits = report_digits(data_dir=data_dir, generated=generated, seed=seed)
    report_tasks = tasks(highest_integer)
    return ReportData(digits, report_tasks,
                      {name: report_split(task, test_size, digits, seed=seed)
                       for name, task in report_tasks.items()}, seed)


def reader_data(digits, task: Task, *, seed: int):
    """The character classifier's single images, ((x_train, y_train), (x_test, y_test)):
    MNIST's training digits with fresh operators and blanks, and its test digits with
    others; x is (n, 28, 28, 1), y the index in `task.chars`."""
    x, y = character_images(digits.train, task.chars, rng=split_rng(seed, "reader", task.name))
    x_test, y_test = character_images(digits.test, task.chars,
                                      rng=split_rng(seed, "read", task.name))
    return (x[..., None], y), (x_test[..., None], y_test)
