"""R4 data generators: queries, operator images, MNIST images per split, one-hot labels."""

import numpy as np
import pytest

from kerasreports.datasets import arithmetic, mnist, synthetic


def test_the_templates_alphabets_and_lengths():
    assert arithmetic.alphabet(("+", "-")) == "0123456789+- "
    assert arithmetic.alphabet(("*",)) == "0123456789* "
    assert arithmetic.lengths(99, 2, ("+", "-")) == (5, 3)
    assert arithmetic.lengths(99, 2, ("*",)) == (5, 4)


def test_every_query_with_its_answer_padded_right():
    x, y = arithmetic.queries(99)
    assert len(x) == 100 * 100 * 2 and x[0] == "0+0  " and x[1] == "0-0  "
    pairs = dict(zip(x, y))
    assert pairs["22+13"] == "35 " and pairs["33-44"] == "-11" and pairs["99+99"] == "198"
    x, y = arithmetic.queries(99, operands=("*",))
    assert dict(zip(x, y))["99*99"] == "9801" and {len(a) for a in y} == {4}


@pytest.mark.parametrize("kwargs, message", [
    (dict(highest_integer=0), "at least 1"),
    (dict(highest_integer=9.0), "whole number"),
    (dict(highest_integer=99, operands=("/",)), "unknown operand"),
    (dict(highest_integer=999, query_length=5), "'999\\+999' does not fit in 5"),
    (dict(highest_integer=99, operands=("*",), answer_length=3), "4 characters .* in 3"),
])
def test_bad_ranges_and_operands_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message):
        arithmetic.queries(**kwargs)


def test_operator_images_differ_and_look_like_their_sign():
    rng = np.random.default_rng(0)
    minus = arithmetic.generate_images(20, "-", rng=rng)
    plus = arithmetic.generate_images(20, "+", rng=rng)
    times = arithmetic.generate_images(20, "*", rng=rng)
    for images in (minus, plus, times):
        assert images.shape == (20, 28, 28) and 0 <= images.min() and images.max() <= 1
        flat = images.reshape(20, -1)
        assert len({row.tobytes() for row in flat}) > 1  # random end points
    # A minus is one horizontal stroke: ink in few rows; a plus also fills the centre column.
    assert (minus.sum(axis=2) > 0.5).sum(axis=1).mean() < 6
    assert plus[:, 8:20, 11:17].sum() > 3 * minus[:, 8:20, 11:17].sum() / 2
    assert times.sum() > minus.sum()
    with pytest.raises(ValueError, match="unknown sign"):
        arithmetic.generate_images(1, "/")


def test_images_come_from_the_split_they_are_given():
    train = synthetic.mnist_like_images(300, seed=0)
    test = synthetic.mnist_like_images(300, seed=1)
    rng = np.random.default_rng(0)
    data = arithmetic.create_data(9, digit_images=train[0], digit_labels=train[1], rng=rng)
    assert data.x_img.shape == (len(data.x_text), 3, 28, 28)
    assert data.y_img.shape == (len(data.y_text), 2, 28, 28)
    train_digits = {(im / 255.0).astype("float32").tobytes() for im in train[0]}
    test_digits = {(im / 255.0).astype("float32").tobytes() for im in test[0]}
    for text, images in zip(data.x_text[:50], data.x_img[:50]):
        for char, image in zip(text, images):
            if char in arithmetic.DIGITS:
                assert image.tobytes() in train_digits and image.tobytes() not in test_digits
            elif char == " ":
                assert not image.any()


def test_labels_round_trip_and_unknown_characters_are_named():
    chars = arithmetic.alphabet()
    labels = ["35 ", "-11", "198"]
    one_hot = arithmetic.encode_labels(labels, chars)
    assert one_hot.shape == (3, 3, 13) and (one_hot.sum(-1) == 1).all()
    assert list(arithmetic.decode_labels(one_hot, chars)) == labels
    with pytest.raises(ValueError, match=r"'\*' at position 1"):
        arithmetic.encode_labels(["2*3"], chars)
    with pytest.raises(ValueError, match="pad them to one length"):
        arithmetic.encode_labels(["1", "22"], chars)


def test_query_splits_are_disjoint_and_cover_every_query():
    (x_train, y_train), (x_test, y_test) = arithmetic.split_queries(
        0.25, 9, rng=np.random.default_rng(0))
    assert len(x_test) == 50 and len(x_train) == 150
    assert not set(x_train) & set(x_test)
    with pytest.raises(ValueError, match="between 0 and 1"):
        arithmetic.split_queries(1.0, 9, rng=np.random.default_rng(0))


def test_split_with_images_draws_each_side_from_its_own_mnist_split():
    train_images, train_labels = synthetic.mnist_like_images(300, seed=0)
    test_images, test_labels = synthetic.mnist_like_images(300, seed=1)
    digits = mnist.ImageDataset(mnist.Split(train_images, train_labels),
                                mnist.Split(test_images, test_labels), tuple("0123456789"))
    task = arithmetic.tasks(9)["mul"]
    train, test = arithmetic.split_with_images(task, 0.5, digits, rng=np.random.default_rng(0))
    assert task.chars == "0123456789* " and (task.query_length, task.answer_length) == (3, 2)
    as_bytes = {name: {(im / 255.0).astype("float32").tobytes() for im in images}
                for name, images in (("train", train_images), ("test", test_images))}
    for side, data in (("train", train), ("test", test)):
        other = "test" if side == "train" else "train"
        for text, images in zip(data.y_text, data.y_img):
            for char, image in zip(text, images):
                if char.isdigit():
                    assert image.tobytes() in as_bytes[side]
                    assert image.tobytes() not in as_bytes[other]


def test_character_images_label_digits_operators_and_blanks():
    images, labels = synthetic.mnist_like_images(200, seed=0)
    chars = arithmetic.alphabet()
    x, y = arithmetic.character_images(mnist.Split(images, labels), chars,
                                       rng=np.random.default_rng(0))
    assert len(x) == 200 + 2 * 20 + 2 and x.dtype == np.float32 and x.max() <= 1
    assert set(np.unique(y)) == set(range(13))
    assert not x[y == chars.index(" ")].any()


def test_chance_level_is_the_commonest_character_per_position():
    from kerasreports import evaluate

    train = arithmetic.ArithmeticData(np.array(["1+1  ", "2+2  ", "1+2  "]), None,
                                      np.array(["2  ", "4  ", "3  "]), None)
    test = arithmetic.ArithmeticData(np.array(["2+1  ", "3+3  "]), None,
                                     np.array(["3  ", "6  "]), None)
    assert list(evaluate.chance_answers(train.y_text, 2)) == ["2  ", "2  "]  # ties: first
    scores = evaluate.chance_scores(train, test)
    assert scores["test char acc"] == pytest.approx(4 / 6)  # the padding spaces match
    assert scores["test answer acc"] == 0
    assert scores["train char acc"] == pytest.approx(7 / 9)


def test_the_real_split_chance_levels():
    from kerasreports import evaluate

    for name, level in (("addsub", 0.3301), ("mul", 0.2075)):
        task = arithmetic.tasks(99)[name]
        (x_tr, y_tr), (x_te, y_te) = arithmetic.split_queries(
            0.25, 99, 2, task.operands, rng=arithmetic.split_rng(0, "split", name))
        scores = evaluate.chance_scores(arithmetic.ArithmeticData(x_tr, None, y_tr, None),
                                        arithmetic.ArithmeticData(x_te, None, y_te, None))
        assert scores["test char acc"] == pytest.approx(level, abs=1e-4)


def test_tf_keras2_accuracy_follows_the_output_shape():
    from kerasreports import evaluate

    targets = np.array([[[0.0], [1.0], [0.5], [0.0]]])  # last axis 1: binary accuracy
    outputs = np.array([[[0.1], [0.9], [0.9], [0.7]]])
    # 0 == (0.1 > 0.5); 1 == (0.9 > 0.5); 0.5 never equals 0 or 1; 0 != 1
    assert evaluate.tf_keras2_accuracy(targets, outputs) == 0.5
    wide_t = np.array([[0.0, 0.0, 0.0], [0.2, 0.9, 0.0]])  # a wider last axis: arg-max
    wide_o = np.array([[0.3, 0.1, 0.1], [0.1, 0.2, 0.8]])
    assert evaluate.tf_keras2_accuracy(wide_t, wide_o) == 0.5
    with pytest.raises(ValueError, match="differ"):
        evaluate.tf_keras2_accuracy(wide_t, outputs)
