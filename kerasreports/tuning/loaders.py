"""Per-report loaders and evaluators for the searches in `kerasreports.tuning.tasks`.

A loader is `load(profile, seed, data_dir) -> SearchData`. It reads the report's data
through the report's own data step (`mnist.dae_data`, `small_vocab.report_data`,
`dirty_documents.report_pages`, `arithmetic.report_split`) with the values the report's
notebook runs with under `profile` (`parameters.for_profile`), so a smoke search trains
on exactly the smoke report's data and a quick search on the quick report's. `data_dir`
(None: the default search, $KERASREPORTS_DATA and the rest; see
`kerasreports.datasets.store`) stands in for the notebook's `data_dir`. An evaluator
scores the best model on `SearchData.evaluation`, data the search never selected on,
under the catalogue's metric names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import keras

from kerasreports import evaluate as scoring
from kerasreports import metrics
from kerasreports.models import arithmetic as arithmetic_models
from kerasreports.models import dirty_documents as page_models


@dataclass
class SearchData:
    """What a search trains on (`x`, `y`), selects on (`validation`), and what the best
    model is scored on afterwards (`evaluation`, passed to the task's `evaluate`)."""

    x: object
    y: object
    validation: tuple
    evaluation: dict = field(default_factory=dict)
    description: str = ""


def report_parameters(report: str, profile: str, seed: int, data_dir) -> dict:
    """The report's parameters under `profile`, with the search's seed and data root."""
    from kerasreports import parameters

    overrides = {"seed": seed, **({"data_dir": str(data_dir)} if data_dir else {})}
    return parameters.for_profile(report, profile, **overrides)


# ---------------------------------------------------------------------------- R1

def load_mnist_dae(profile: str, seed: int, data_dir) -> SearchData:
    from kerasreports.datasets import mnist, noise

    p = report_parameters("mnist_dae", profile, seed, data_dir)
    d = mnist.dae_data(p["dataset"], data_dir=p["data_dir"], generated=p["generated_data"],
                       train_limit=p["train_limit"], test_limit=p["test_limit"],
                       noise_factor=p["noise_factor"], seed=seed)
    train, val = d.train_idx, d.val_idx
    return SearchData(
        d.x_noisy_train[train], d.x_train[train], (d.x_noisy_train[val], d.x_train[val]),
        evaluation={"x_test": d.x_test, "noisy_test": noise.uniform_noise(
            p["uniform_noise"], d.x_test, 0.1, d.rng)},
        description=f"{d.description}; the best model scored on the test images under "
                    f"uniform noise P = 0.1 ({p['uniform_noise']}, as the report)")


def evaluate_mnist_dae(model, data: SearchData) -> dict:
    denoised = model.predict(data.evaluation["noisy_test"], batch_size=1024, verbose=0)
    # The source printed ten per-image losses at P = 0.1; we average over the test set,
    # as the report's test_loss_mean_p0.1 does.
    return {"test_loss_mean_p0.1": float(np.mean(
        metrics.per_image_mse(data.evaluation["x_test"], denoised)))}


# ---------------------------------------------------------------------------- R2

def load_translation(profile: str, seed: int, data_dir) -> SearchData:
    from kerasreports.datasets import small_vocab

    p = report_parameters("translation", profile, seed, data_dir)
    corpus = small_vocab.report_data(data_dir=p["data_dir"], generated=p["generated_data"],
                                     pair_limit=p["pair_limit"], seed=seed)
    prepared, split = corpus.prepared, corpus.split
    x = prepared.x.astype("float32")
    return SearchData(
        x[split.train], prepared.y[split.train],
        (x[split.validation], prepared.y[split.validation]),
        evaluation={"x_test": x[split.test], "y_test": prepared.y[split.test],
                    "steps": prepared.y.shape[1],
                    "src_vocab": prepared.english.vocab_size + 1,
                    "tgt_vocab": prepared.french.vocab_size + 1},
        description=f"{corpus.description}; selected on the validation pairs, the best "
                    f"model scored on the test pairs")


def as_ids(d: SearchData) -> SearchData:
    """The embedding model reads int ids (n, steps), not (n, steps, 1) floats."""
    ids = lambda a: a[..., 0].astype("int32")  # noqa: E731
    return SearchData(ids(d.x), d.y, (ids(d.validation[0]), d.validation[1]),
                      {**d.evaluation, "x_test": ids(d.evaluation["x_test"])}, d.description)


def evaluate_translation(key: str):
    def evaluate(model, data: SearchData) -> dict:
        predicted = np.argmax(model.predict(data.evaluation["x_test"], batch_size=1024,
                                            verbose=0), -1)
        y = data.evaluation["y_test"]
        return {f"{key}_padded": metrics.token_accuracy(y, predicted, ignore_padding=False),
                key: metrics.token_accuracy(y, predicted, ignore_padding=True)}
    return evaluate


# ---------------------------------------------------------------------------- R3

def _load_pages(profile: str, seed: int, data_dir):
    """The report's pages and parameters, and three disjoint sets of whole documents:
    train, select (both the report's training documents), score (its validation ones).

    `select` is what the search compares trials on; `score` is only used to score the
    best model, so that number is not chosen on.
    """
    from kerasreports.datasets import dirty_documents

    p = report_parameters("dirty_documents", profile, seed, data_dir)
    report = dirty_documents.report_pages(data_dir=p["data_dir"],
                                          generated=p["generated_data"],
                                          validation_fraction=p["validation_fraction"],
                                          seed=seed)
    pages, rest, score = report.pages, report.train_idx, report.val_idx
    train, select = dirty_documents.split_by_document([pages.clean[i] for i in rest],
                                                      p["validation_fraction"], seed=seed)
    return p, pages, rest[train], rest[select], score


def load_page_patches(profile: str, seed: int, data_dir) -> SearchData:
    from kerasreports.datasets import dirty_documents

    p, pages, train, select, score = _load_pages(profile, seed, data_dir)
    size, per_page = p["patch_size"], p["patches_per_page"]  # the report's
    rng = np.random.default_rng(seed)
    # One fixed set of patches for every trial, so trials differ only in hyperparameters.
    x, y = dirty_documents.random_patches(pages.dirty, pages.clean, train, size=size,
                                          per_page=per_page, rng=rng)
    vx, vy = dirty_documents.random_patches(pages.dirty, pages.clean, select, size=size,
                                            per_page=per_page, rng=rng)
    return SearchData(
        x, y, (vx, vy),
        evaluation={"dirty": [pages.dirty[i] for i in score],
                    "clean": [pages.clean[i] for i in score]},
        description=f"{len(x)} training patches of {size}x{size} from {len(train)} pages, "
                    f"{len(vx)} selection patches from {len(select)} other pages; the best "
                    f"model scored at native size on the report's {len(score)} validation "
                    f"pages (whole documents, used for nothing else)")


def load_resized_pages(profile: str, seed: int, data_dir) -> SearchData:
    _, pages, train, select, score = _load_pages(profile, seed, data_dir)
    resize = page_models.resize_pages
    return SearchData(
        resize([pages.dirty[i] for i in train]), resize([pages.clean[i] for i in train]),
        (resize([pages.dirty[i] for i in select]), resize([pages.clean[i] for i in select])),
        evaluation={"dirty": [pages.dirty[i] for i in score],
                    "clean": [pages.clean[i] for i in score]},
        description=f"{len(train)} training / {len(select)} selection pages resized to "
                    f"256x256x3; the best model scored at original size on the report's "
                    f"{len(score)} validation pages (whole documents, used for nothing else)")


def evaluate_pages(prefix: str, denoise):
    def evaluate(model, data: SearchData) -> dict:
        cleaned = denoise(model, data.evaluation["dirty"])
        return {f"{prefix}_val_rmse": metrics.pages_rmse(cleaned, data.evaluation["clean"]),
                f"{prefix}_val_ssim": metrics.mean_ssim(cleaned, data.evaluation["clean"])}
    return evaluate


# ---------------------------------------------------------------------------- R4

def load_arithmetic(task_name: str, inputs: str, outputs: str):
    """Loader for an R4 search: the report's query split (`arithmetic.report_split`); a
    seeded 15% of the *training* queries to select on; scored on the test queries (MNIST
    test images), which the search never sees. `inputs`/`outputs`: "text" or "images";
    outputs "channels" for `text2image_conv`, "characters" for the character classifier
    (the report's `arithmetic.reader_data`)."""
    def load(profile: str, seed: int, data_dir) -> SearchData:
        from kerasreports.datasets import arithmetic

        p = report_parameters("arithmetic", profile, seed, data_dir)
        generated = p["generated_data"]
        digits = arithmetic.report_digits(data_dir=p["data_dir"], generated=generated,
                                          seed=seed)
        task = arithmetic.tasks(p["highest_integer"])[task_name]
        size = {"chars": len(task.chars), "query_length": task.query_length,
                "answer_length": task.answer_length}
        if outputs == "characters":
            (x, y), (x_test, y_test) = arithmetic.reader_data(digits, task, seed=seed)
            n_select = len(x) * 15 // 100
            one_hot = lambda labels: keras.utils.to_categorical(labels, len(task.chars))  # noqa: E731
            return SearchData(
                x[n_select:], one_hot(y[n_select:]), (x[:n_select], one_hot(y[:n_select])),
                evaluation={**size, "x_test": x_test, "y_test": y_test},
                description=f"MNIST{' (generated)' if generated else ''} digits, drawn "
                            f"operators and blanks: {len(x) - n_select} training / "
                            f"{n_select} selection images; scored on {len(x_test)} images "
                            f"from MNIST's test split")
        train, test = arithmetic.report_split(task, p["test_size"], digits, seed=seed)
        n_select = len(train.x_text) * 15 // 100

        def side(data, part):
            x = (arithmetic.encode_labels(data.x_text[part], task.chars) if inputs == "text"
                 else data.x_img[part][..., None])
            if outputs == "text":
                y = arithmetic.encode_labels(data.y_text[part], task.chars)
            elif outputs == "channels":
                y = arithmetic_models.steps_to_channels(data.y_img[part])
            else:
                y = data.y_img[part][..., None]
            return x, y

        x, y = side(train, slice(n_select, None))
        x_test, y_test = side(test, slice(None))
        return SearchData(
            x, y, side(train, slice(None, n_select)),
            evaluation={**size, "x_test": x_test, "y_test": y_test, "y_text": test.y_text,
                        "alphabet": task.chars},
            description=f"{task_name} queries (highest integer {task.highest_integer}, "
                        f"{inputs} to {outputs}): {len(x)} training / {n_select} selection "
                        f"queries, both from the report's training side; scored on the "
                        f"{len(test.x_text)} test queries"
                        + ("" if inputs == outputs == "text" else
                           f" (images from MNIST's test split{' (generated)' if generated else ''})"))
    return load


def evaluate_answers(prefix: str):
    def evaluate(model, data: SearchData) -> dict:
        e = data.evaluation
        accuracy = scoring.answer_accuracies(e["y_text"],
                                             scoring.answers(model, e["x_test"], e["alphabet"]))
        return {f"{prefix}_test_{kind}_accuracy": value for kind, value in accuracy.items()}
    return evaluate


def evaluate_reader(prefix: str):
    def evaluate(model, data: SearchData) -> dict:
        e = data.evaluation
        return {f"{prefix}_test_accuracy": metrics.accuracy(
            e["y_test"], model.predict(e["x_test"], batch_size=1024, verbose=0))}
    return evaluate


def evaluate_images(prefix: str):
    def evaluate(model, data: SearchData) -> dict:
        e = data.evaluation
        images = model.predict(e["x_test"], batch_size=256, verbose=0)
        return {f"{prefix}_test_mse": float(np.mean((images - e["y_test"]) ** 2))}
    return evaluate



# ---------------------------------------------------------------------------- R5

def load_image_classification(family: str):
    """R5's data step with the report's parameters: a search trains on the training part
    the notebook gives `family` ("lenet": `train_images`; "resnet": `resnet_train_images`
    and `resnet_eval_images`), selects on the validation part, and its best model is
    scored once on the test part (CIFAR-10; TinyImageNet has none: its validation part)."""
    from kerasreports.datasets import classification

    def load(profile: str, seed: int, data_dir) -> SearchData:
        p = report_parameters("image_classification", profile, seed, data_dir)
        d = classification.report_data(
            p["dataset"], data_dir=p["data_dir"], generated=p["generated_data"],
            n_train=p["train_images"], n_val=p["val_images"], n_test=p["test_images"],
            seed=seed)
        x, y, x_val, y_val, x_test, y_test = d[:6]
        if family == "resnet":
            n, m = p["resnet_train_images"] or len(x), p["resnet_eval_images"] or None
            x, y, x_val, y_val = x[:n], y[:n], x_val[:m], y_val[:m]
            x_test, y_test = (None, None) if x_test is None else (x_test[:m], y_test[:m])
        scored = "test" if x_test is not None else "validation"
        return SearchData(x, y, (x_val, y_val), evaluation={
            "dataset": p["dataset"], "classes": len(d.class_names),
            "input_shape": x.shape[1:], "width": p["resnet_width"], "split": scored,
            "x": x_test if x_test is not None else x_val,
            "y": y_test if y_test is not None else y_val},
            description=f"{d.description}; {len(x):,} training images, the best model "
                        f"scored on the {scored} images")
    return load


def evaluate_image_classifier(model_name: str):
    def evaluate(model, data: SearchData) -> dict:
        e = data.evaluation
        accuracy = model.evaluate(e["x"], e["y"], batch_size=256, verbose=0,
                                  return_dict=True)["accuracy"]
        split = {"test": "test", "validation": "val"}[e["split"]]
        return {f"{e['dataset']}_{model_name}_{split}_accuracy": float(accuracy)}
    return evaluate


# ---------------------------------------------------------------------------- R7

def load_imdb_sentiment(profile: str, seed: int, data_dir) -> SearchData:
    """R7's reviews, on the official split so that the best model's score is held out: a
    search trains on the first `sentiment_train_reviews` of the official train part's
    80%, selects on the first `sentiment_eval_reviews` of its other 20%, and the best
    model is scored once on as many official test reviews, which no trial saw. (The
    source's own split trains on half of the official test part: `datasets.imdb`.)"""
    from kerasreports.datasets import imdb

    p = report_parameters("rnn_language", profile, seed, data_dir)
    d = imdb.report_data(data_dir=p["data_dir"], generated=p["generated_data"],
                         max_length=p["sentiment_max_length"], seed=seed, split="official")
    n, m = p["sentiment_train_reviews"] or None, p["sentiment_eval_reviews"] or None
    return SearchData(d.x_train[:n], d.y_train[:n], (d.x_val[:m], d.y_val[:m]),
                      evaluation={"vocab": len(d.words), "x": d.x_test[:m],
                                  "y": d.y_test[:m]},
                      description=f"{d.description}; {len(d.x_train[:n]):,} training "
                                  f"reviews, the best model scored on "
                                  f"{len(d.x_test[:m]):,} held-out test reviews")


def evaluate_sentiment(model, data: SearchData) -> dict:
    e = data.evaluation
    accuracy = model.evaluate(e["x"], e["y"], batch_size=256, verbose=0,
                              return_dict=True)["accuracy"]
    return {"imdb_search_official_test_accuracy": float(accuracy)}


def load_names(profile: str, seed: int, data_dir) -> SearchData:
    """R7's names: a search trains on the report's training names and selects on the
    first half of its held-out names; the best model's NLL per character is scored once
    on the other half."""
    from kerasreports.datasets import names

    p = report_parameters("rnn_language", profile, seed, data_dir)
    d = names.report_data(data_dir=p["data_dir"], generated=p["generated_data"], seed=seed)
    half = len(d.x_held_out) // 2
    return SearchData(d.x_train, d.y_train, (d.x_held_out[:half], d.y_held_out[:half]),
                      evaluation={"alphabet": len(d.vocabulary), "x": d.x_held_out[half:],
                                  "y": d.y_held_out[half:]},
                      description=f"{d.description}; selected on {half:,} held-out names, "
                                  f"the best model scored on the other "
                                  f"{len(d.x_held_out) - half:,}")


def evaluate_names(model, data: SearchData) -> dict:
    import math

    from kerasreports.models import language

    e = data.evaluation
    return {"names_search_heldout_nll": math.log(language.perplexity(
        model, e["x"], e["y"], ignore_class=0))}


# ---------------------------------------------------------------------------- R8

def load_noise2noise(profile: str, seed: int, data_dir) -> SearchData:
    """R8's Noise2Noise pairs with the report's parameters. The report scores its models on
    the clean validation images; a search must not select on the images its best model is
    scored on, so trials validate on the first half and the best model is scored on the
    second."""
    from kerasreports.datasets import cifar10

    p = report_parameters("scratch_framework", profile, seed, data_dir)
    d = cifar10.noise2noise_data(data_dir=p["data_dir"], generated=p["generated_data"],
                                 n_train=p["train_images"], n_val=p["val_images"],
                                 sigma=p["noise_sigma"] / 255, seed=seed)
    half = len(d.val_clean) // 2
    return SearchData(
        d.source, d.target, (d.val_noisy[:half], d.val_clean[:half]),
        evaluation={"noisy": d.val_noisy[half:], "clean": d.val_clean[half:]},
        description=f"{d.description}; trials validate on the first {half} validation "
                    f"images, the best model is scored on the other {len(d.val_clean) - half}")


def evaluate_noise2noise(prefix: str):
    def evaluate(model, data: SearchData) -> dict:
        e = data.evaluation
        denoised = model.predict(e["noisy"], batch_size=100, verbose=0)
        # The noisy input's PSNR on the same images, so the gain can be read off.
        return {f"{prefix}_heldout_psnr": metrics.psnr(e["clean"], denoised),
                "noisy_input_heldout_psnr": metrics.psnr(e["clean"], e["noisy"])}
    return evaluate
