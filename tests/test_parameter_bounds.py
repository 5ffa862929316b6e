"""Every range a parameters cell declares is one its notebook can really run.

A hostile user found ranges that passed the check and then failed late (a seed of 2**32 in
NumPy's seeding, `train_limit 1` as a bare `KeyError: 'val_loss'`, `highest_integer 1`
after two minutes) or never stopped (epochs of 10**20, an `OverflowError` naming nothing).

Fast tests (no notebook): every rule parses, every default keeps its rule, every number
has a finite range, one past each bound is refused through `parameters.resolve` with a
message naming the parameter, and each notebook's Colab install cell pins the release tag
of pyproject.toml's version.

Notebook tests (`-m notebook`): each notebook under the smoke profile, once with every
numeric parameter at its lower bound and once at its upper bound, where a smoke-sized run
can afford it (see `NOT_RUN_AT_MAXIMUM`: those maxima are only checked, not executed).
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from functools import cache
from pathlib import Path

import pytest

from kerasreports import catalog, parameters

REPO = Path(__file__).resolve().parent.parent
REPORTS = list(catalog.REPORTS.values())
INT32_MAX = 2**31 - 1

# Data limits stay at their minimum in both executions: their maximum is "every pair /
# image there is", which the generated smoke data reaches at any value above its own size
# and which the quick and full profiles (limit 0: all) run on the real data.
TINY = {
    "mnist_dae": ("train_limit", "test_limit"),
    "translation": ("pair_limit",),
    "dirty_documents": (),
    "arithmetic": (),
    "arithmetic_sweeps": (),
    "scratch_framework": ("train_images", "val_images", "overlay_images", "long_images"),
    "image_classification": ("train_images", "val_images", "test_images",
                             "resnet_train_images", "resnet_eval_images",
                             "batch_study_images"),
    "rnn_language": ("words_train_sequences", "sentiment_train_reviews",
                     "sentiment_eval_reviews", "translation_train_pairs"),
}

# Maxima the upper-bound execution cannot afford in a test, with the reason; it runs them
# at their lower bound instead. Epochs: 1,000 epochs of anything is hours, so their
# maxima are only checked (test_unexecuted_maxima_are_accepted_and_int32_safe): accepted
# by the check and an int32, which is all Keras does with them (range(epochs), the cosine
# schedule's step count).
EPOCHS = "1,000 epochs of a model is hours, not seconds"
NOT_RUN_AT_MAXIMUM = {
    "mnist_dae": {"dae_epochs": EPOCHS, "probe_epochs": EPOCHS},
    "translation": {"epochs": EPOCHS, "beyond_epochs": EPOCHS},
    "dirty_documents": {
        "source_epochs": EPOCHS, "page_epochs": EPOCHS,
        # 64 patches of 256 x 256 from each page through a 64-wide U-Net in one batch is
        # tens of GB and minutes on two cores: the upper run takes the largest patches in
        # one batch (patch_size and page_batch_size at their maxima) on a 1-wide U-Net,
        # one patch per page.
        "page_width": "a 64-wide U-Net on 256 px patches is minutes on a CPU",
        "patches_per_page": "64 patches of 256 px per page in one batch is tens of GB",
    },
    "arithmetic": {
        "text_epochs": EPOCHS, "image_epochs": EPOCHS, "convlstm_epochs": EPOCHS,
        "reader_epochs": EPOCHS, "finetune_epochs": EPOCHS, "generator_epochs": EPOCHS,
        "conv_generator_epochs": EPOCHS,
        # 99 is the quick and full profiles' value (every committed arithmetic report).
        "highest_integer": "99 is 30,000 queries of images: the quick profile, 36 minutes",
    },
    # Its upper execution runs epoch_share 1: the smoke rows at the source's 25 and 100
    # epochs, on the few queries of highest_integer 1.
    "arithmetic_sweeps": {
        "generator_epochs": EPOCHS, "early_epochs": EPOCHS, "reader_epochs": EPOCHS,
        "highest_integer": "99 is 30,000 queries of images, each row a model to train",
    },
    "scratch_framework": {
        "search_epochs": EPOCHS, "overlay_epochs": EPOCHS, "unet_epochs": EPOCHS,
        "long_epochs": EPOCHS,
        # The scratch framework runs op by op: a 512-wide model is seconds per batch.
        "width": "a 512-wide scratch model trains at seconds per batch on a CPU",
        "wide_width": "a 512-wide scratch model trains at seconds per batch on a CPU",
        "unet_width": "a 256-wide U-Net is minutes per epoch on a CPU",
    },
    "image_classification": {
        "lenet_epochs": EPOCHS, "resnet_epochs": EPOCHS, "batch_study_epochs": EPOCHS,
        # The notebook refuses, before training, a batch larger than the training set it
        # batches (a test of its own): 16,384 is a batch of the full data, not of smoke's.
        "batch_size": "a batch of 16,384 needs 16,384 training images; smoke has 100",
        "resnet_width": "a full-width ResNet34 trains at ~0.2 s per image on a CPU",
        "spsa_evaluations": "a million loss evaluations are hours",
    },
    "rnn_language": {
        "names_epochs": EPOCHS, "words_epochs": EPOCHS, "sentiment_epochs": EPOCHS,
        "fasttext_epochs": EPOCHS, "translation_epochs": EPOCHS,
        "word_model2_units": "a 4,096-wide WordModel2 is 270M parameters, minutes a step",
        # The smoke fits run eagerly (few steps): an LSTM of 2,500 steps op by op is
        # minutes, and 500 words of completion are 500 calls per model and decoding.
        "sentiment_max_length": "2,500 eager LSTM steps per batch are minutes on a CPU",
        "completion_steps": "500 one-word model calls per completion, four completions",
    },
}

# The arithmetic notebook trains some 25 models; even on a handful of queries each costs
# its build, compile and traces: minutes per execution on two shared cores. Its two
# executions run only when KERASREPORTS_SLOW_BOUNDS=1.
SLOW = {"arithmetic"}


@cache
def declared(name: str) -> dict[str, parameters.NotebookParameter]:
    return parameters.notebook_parameters(catalog.REPORTS[name].notebook)


def numeric(name: str) -> dict[str, parameters.NotebookParameter]:
    """The parameters of report `name` that are numbers (not flags) with a numeric rule."""
    return {n: p for n, p in declared(name).items()
            if p.type in (int, float) and p.rule.numeric}


def _as_type(parameter, value):
    return int(value) if parameter.type is int else float(value)


def lowest(parameter):
    """The least value of the rule's range (a sentinel such as "0 uses all" aside)."""
    rule = parameter.rule
    value = rule.low
    if rule.multiple is not None:
        value = math.ceil(value / rule.multiple) * rule.multiple
    return _as_type(parameter, value)


def highest(parameter):
    rule = parameter.rule
    value = rule.high
    if rule.multiple is not None:
        value = math.floor(value / rule.multiple) * rule.multiple
    return _as_type(parameter, value)


def bound_values(name: str, which: str) -> dict:
    values = {}
    for n, p in numeric(name).items():
        at_max = which == "upper" and n not in TINY[name] and n not in NOT_RUN_AT_MAXIMUM[name]
        values[n] = highest(p) if at_max else lowest(p)
    return values


# ---------------------------------------------------------------- the rule language


def test_rule_language():
    rule = parameters.parse_rule("0 or 10..60000")
    assert [v for v in (0, 9, 10, 60000, 60001, -1) if rule.allows(v)] == [0, 10, 60000]
    rule = parameters.parse_rule("0 or min 3")
    assert [v for v in (0, 1, 2, 3, 10**9) if rule.allows(v)] == [0, 3, 10**9]
    rule = parameters.parse_rule("16..256, multiple of 4")
    assert [v for v in (12, 16, 18, 20, 256, 260) if rule.allows(v)] == [16, 20, 256]
    rule = parameters.parse_rule("0..0.9")
    assert rule.allows(0.9) and not rule.allows(math.nextafter(0.9, 1))
    assert not rule.allows(float("nan")) and not rule.allows(float("inf"))
    assert parameters.parse_rule("max -1").allows(-5)
    assert parameters.parse_rule("one of a, b").choices == ("a", "b")
    for bad in ("1..", "min", "5..1", "1..9, multiple of 0", "at least 3", "0 or"):
        with pytest.raises(ValueError, match=r"malformed rule .*write \[min N\]"):
            parameters.parse_rule(bad, "x")


# ---------------------------------------------------------------- every notebook's rules


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_every_rule_parses_and_every_default_keeps_it(report):
    for parameter in declared(report.name).values():
        parameter.rule  # noqa: B018 - raises ValueError on a malformed rule
        parameters.check_constraint(parameter, parameter.default)


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_every_number_has_a_finite_range(report):
    """A value past any finite maximum is refused by name, never an OverflowError later."""
    for name, parameter in declared(report.name).items():
        if parameter.type in (int, float):
            rule = parameter.rule
            assert rule.numeric, f"{name} has no numeric rule"
            assert rule.low is not None and rule.high is not None, f"{name}: [{rule.text}]"
            assert math.isfinite(rule.low) and math.isfinite(rule.high)
            if name == "seed":  # NumPy seeds with 0 to 2**32 - 1
                assert (rule.low, rule.high) == (0, 2**32 - 1)
            elif parameter.type is int:
                assert rule.high <= INT32_MAX, f"{name}: [{rule.text}]"


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_one_past_each_bound_is_refused_by_name(report):
    for name, parameter in numeric(report.name).items():
        low, high = lowest(parameter), highest(parameter)
        if parameter.type is int:
            below, above = low - 1, high + 1
        else:
            below, above = math.nextafter(low, -math.inf), math.nextafter(high, math.inf)
        for value in (low, high, *parameter.rule.also):
            parameters.resolve(report, "smoke", {name: str(_as_type(parameter, value))})
        for value in (below, above):
            if value in parameter.rule.also:  # e.g. 0 ("uses all") just below 1..20000
                continue
            with pytest.raises(parameters.ParameterError,
                               match=rf"^{name}={re.escape(repr(value))} is out of range"):
                parameters.resolve(report, "smoke", {name: str(value)})
        if parameter.rule.multiple:
            with pytest.raises(parameters.ParameterError, match=rf"^{name}=.* out of range"):
                parameters.resolve(report, "smoke", {name: str(low + 1)})


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_unexecuted_maxima_are_accepted_and_int32_safe(report):
    """The maxima the upper-bound execution does not run (epochs, above all) are accepted
    by the check, and are finite int32 values: what Keras' loops and schedules take."""
    for name in NOT_RUN_AT_MAXIMUM[report.name]:
        parameter = declared(report.name)[name]
        value = highest(parameter)
        resolved = parameters.resolve(report, "smoke", {name: str(value)})
        assert resolved[name] == value and isinstance(value, int)
        assert 0 < value <= INT32_MAX
    for name in declared(report.name):
        if name.endswith("epochs"):
            assert name in NOT_RUN_AT_MAXIMUM[report.name]


def test_bounds_tables_name_real_parameters():
    for table in (TINY, NOT_RUN_AT_MAXIMUM):
        assert set(table) == set(catalog.REPORTS)
        for name, names in table.items():
            assert set(names) <= set(numeric(name)), name


# ---------------------------------------------------------------- the Colab install pin


def test_colab_install_is_pinned_to_the_release_tag():
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    url = "git+https://github.com/kerasreports/kerasreports"
    for report in REPORTS:
        for path in (report.notebook, report.notebook.with_suffix(".py")):
            text = path.read_text()
            pins = re.findall(re.escape(url) + r"(@[^\"\\\s]*)?", text)
            assert pins, f"{path.name} has no install cell"
            assert pins == [f"@v{version}"] * len(pins), f"{path.name}: {pins}"


# ---------------------------------------------------------------- executing the bounds


@pytest.mark.notebook
@pytest.mark.parametrize("which", ["lower", "upper"])
@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_notebook_runs_at_its_bounds(report, which, tmp_path):
    import papermill

    from kerasreports.run import KERNEL_ARGUMENTS, REPORT_FILES

    if report.name in SLOW and os.environ.get("KERASREPORTS_SLOW_BOUNDS") != "1":
        pytest.skip(f"{report.name} takes minutes per execution; set "
                    f"KERASREPORTS_SLOW_BOUNDS=1 to run it")
    values = bound_values(report.name, which)
    resolved = parameters.resolve(report, "smoke", values)  # the bounds pass the check
    out = tmp_path / "report"
    out.mkdir()
    papermill.execute_notebook(
        str(report.notebook), str(out / f"{report.name}.ipynb"),
        parameters={**resolved, "output_dir": str(out)}, kernel_name="python3",
        cwd=str(tmp_path), log_output=False, progress_bar=False,
        extra_arguments=KERNEL_ARGUMENTS)
    for file in REPORT_FILES:
        assert (out / file).is_file(), file
    recorded = json.loads((out / "metrics.json").read_text())
    assert recorded["seed"] == values["seed"]
    for name, value in values.items():
        if name in recorded["parameters"]:
            assert recorded["parameters"][name] == value, name
