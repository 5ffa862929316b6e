"""Report parameters: read from a notebook's parameters cell, coerced and checked.

A report notebook's first code cell (tagged "parameters") declares every parameter a run
may set, one per line, with its type (so that `papermill --help-notebook` shows it), its
default and a comment that starts with its rule in brackets:

    epochs: int = 10  # [1..1000] epochs of ...
    train_limit: int = 0  # [0 or 10..60000] use only the first N training images; 0 uses all
    patch_size: int = 96  # [16..256, multiple of 4] side of the square training patches
    dataset: str = "mnist"  # [one of mnist, fashion_mnist] ...

(No "=" in a comment: papermill skips any parameter line holding two.) A line without a
bracketed rule takes any value of the default's type.

The rule language:

- `[A..B]`: from A to B, both included;
- `[min N]`, `[max N]`: at least N, at most N (only for parameters that cannot overflow
  anything: every integer parameter of the report notebooks has a finite maximum, so that
  a huge value is refused here, naming the parameter, rather than failing in NumPy or
  TensorFlow with an `OverflowError` that names nothing);
- `[V or ...]`: the value V besides the range that follows, for a sentinel such as
  "0 uses all" next to a real minimum: `[0 or 10..60000]` takes 0 and 10 to 60,000 but
  not 1 to 9. Several may be given: `[0 or -1 or 5..9]`;
- `[..., multiple of K]`: the value must also be a whole multiple of K (the sentinels
  need not be);
- `[one of a, b, c]`: one of the listed words (compared as text).

Every declared range is one the notebook can really run: `tests/test_parameter_bounds.py`
executes each notebook with every parameter at its lower bound and at its upper bound.

The same checks run twice: in `kerasreports run`, before anything starts, and in the
notebook itself (`apply_in_notebook`, called by `record.start`), so that plain papermill
and Jupyter users get the same messages and the same profiles.
"""

from __future__ import annotations

import ast
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

from kerasreports.errors import InvalidValueError

# Injected by the runner, never taken from the user.
RUNNER_PARAMETERS = ("output_dir", "profile")

_NUMBER = r"-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?"
_RULE_FORMS = ("write [min N], [max N], [A..B], [V or A..B], [A..B, multiple of K] or "
               "[one of a, b]")


class ParameterError(InvalidValueError):
    """A parameter given to a report is unknown, of the wrong type or out of range.

    A `UsageError` (the command line prints its message, exit 2) and a `ValueError`."""


@dataclass(frozen=True)
class Rule:
    """A parsed bracket rule. Numeric rules have `low`/`high` (None: unbounded on that
    side), the sentinel values allowed besides (`also`) and a `multiple`; choice rules
    have `choices`."""

    text: str
    low: float | None = None
    high: float | None = None
    also: tuple[float, ...] = ()
    multiple: float | None = None
    choices: tuple[str, ...] | None = None

    @property
    def numeric(self) -> bool:
        return self.choices is None and bool(self.text)

    def allows(self, value) -> bool:
        if not self.text:
            return True
        if self.choices is not None:
            return str(value) in self.choices
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if value in self.also:
            return True
        if self.low is not None and not value >= self.low:  # `not >=`: NaN is refused
            return False
        if self.high is not None and not value <= self.high:
            return False
        if self.multiple is not None and value % self.multiple != 0:
            return False
        return True


def parse_rule(rule: str, name: str = "") -> Rule:
    """The `Rule` of a bracket's text (without the brackets); `ValueError` if malformed."""
    text = rule.strip()
    if not text:
        return Rule("")
    if text.startswith("one of"):
        return Rule(text, choices=tuple(c.strip() for c in text[len("one of"):].split(",")))
    body, multiple = text, None
    if m := re.fullmatch(rf"(.*?)\s*,\s*multiple of\s+({_NUMBER})", body):
        body, multiple = m.group(1), float(m.group(2))
    also = []
    while m := re.match(rf"({_NUMBER})\s+or\s+", body):
        also.append(float(m.group(1)))
        body = body[m.end():]
    low = high = None
    if m := re.fullmatch(rf"(min|max)\s+({_NUMBER})", body):
        if m.group(1) == "min":
            low = float(m.group(2))
        else:
            high = float(m.group(2))
    elif m := re.fullmatch(rf"({_NUMBER})\s*\.\.\s*({_NUMBER})", body):
        low, high = float(m.group(1)), float(m.group(2))
    else:
        raise ValueError(f"notebook parameter {name} has a malformed rule [{text}]; "
                         f"{_RULE_FORMS}")
    if low is not None and high is not None and low > high or multiple is not None and (
            multiple <= 0 or not math.isfinite(multiple)):
        raise ValueError(f"notebook parameter {name} has a malformed rule [{text}]; "
                         f"{_RULE_FORMS}")
    return Rule(text, low, high, tuple(also), multiple)


@dataclass(frozen=True)
class NotebookParameter:
    name: str
    default: object
    help: str

    @property
    def type(self) -> type:
        return type(self.default)

    @property
    def constraint(self) -> str:
        match = re.match(r"\s*\[([^\]]*)\]", self.help)
        return match.group(1).strip() if match else ""

    @property
    def rule(self) -> Rule:
        return parse_rule(self.constraint, self.name)


def notebook_parameters(notebook: Path) -> dict[str, NotebookParameter]:
    """The parameters cell of `notebook`, as papermill reads it."""
    import papermill

    # papermill logs "Input Notebook: ..." at INFO on every inspection: noise for `run`
    # and `tune`, which read the parameters cell before anything else happens.
    papermill_log = logging.getLogger("papermill")
    level = papermill_log.level
    papermill_log.setLevel(logging.WARNING)
    try:
        inspected = papermill.inspect_notebook(str(notebook))
    finally:
        papermill_log.setLevel(level)
    found = {}
    for name, info in inspected.items():
        found[name] = NotebookParameter(name, ast.literal_eval(info["default"]), info["help"])
    return found


def coerce(parameter: NotebookParameter, value):
    """`value` (from the command line: a string) as the parameter's type."""
    expected = parameter.type
    if isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
        return value
    if not isinstance(value, str):
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        raise ParameterError(f"{parameter.name} must be {expected.__name__}, got {value!r}")
    text = value.strip()
    try:
        if expected is bool:
            if text.lower() in ("true", "1", "yes"):
                return True
            if text.lower() in ("false", "0", "no"):
                return False
            raise ValueError
        if expected is int:
            return int(text)
        if expected is float:
            return float(text)
        if expected is str:
            return value
    except ValueError:
        pass
    raise ParameterError(
        f"{parameter.name} must be {expected.__name__} (default {parameter.default!r}), "
        f"got {value!r}"
    )


def check_constraint(parameter: NotebookParameter, value) -> None:
    """Raise `ParameterError` naming the parameter if `value` breaks its rule (and
    `ValueError` if the rule itself is malformed)."""
    rule = parameter.rule
    if rule.allows(value):
        return
    if rule.choices is not None:
        raise ParameterError(
            f"{parameter.name}={value!r} is not allowed; choose one of: "
            f"{', '.join(rule.choices)}"
        )
    raise ParameterError(
        f"{parameter.name}={value!r} is out of range ({rule.text}); the default is "
        f"{parameter.default!r}"
    )


def _unknown(report, name: str, declared: dict) -> ParameterError:
    settable = [n for n in declared if n not in RUNNER_PARAMETERS]
    return ParameterError(f"report {report.name!r} has no parameter {name!r}; its "
                          f"parameters are: {', '.join(settable)}")


def resolve(report, profile: str, overrides: dict) -> dict:
    """The parameters papermill injects into `report` (a `catalog.Report`): the profile's,
    then the user's `overrides`, all checked."""
    declared = notebook_parameters(report.notebook)
    wanted = {**report.profile_parameters(profile), **overrides}
    resolved = {}
    for name, value in wanted.items():
        if name in RUNNER_PARAMETERS and name in overrides:
            raise ParameterError(f"{name} is set by the runner (use --profile / --output)")
        if name not in declared:
            raise _unknown(report, name, declared)
        parameter = declared[name]
        resolved[name] = coerce(parameter, value)
        check_constraint(parameter, resolved[name])
    resolved["profile"] = profile
    return resolved


def injected_names(namespace: dict) -> list[str]:
    """The names papermill's injected-parameters cell set in this kernel (it runs right
    after the parameters cell, its source beginning "# Parameters"), found in IPython's
    input history `In`; [] outside papermill."""
    for source in namespace.get("In", []) or []:
        if isinstance(source, str) and source.lstrip().startswith("# Parameters"):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                return []
            return [t.id for node in tree.body if isinstance(node, ast.Assign)
                    for t in node.targets if isinstance(t, ast.Name)]
    return []


def apply_in_notebook(report, namespace: dict) -> dict:
    """Make a notebook run by plain papermill or Jupyter the same program as under
    `kerasreports run`; called by `record.start` with the notebook's globals().

    1. Every name papermill injected must be a parameter of the notebook (papermill only
       warns about unknown ones).
    2. The profile's values (`catalog`) are applied to every parameter the caller left
       alone: not injected and still at the parameters cell's default. So
       `papermill ... -p profile smoke` is the smoke run, and a `-p` value still wins.
       (Under `kerasreports run` every profile value is injected: nothing changes.)
    3. Every parameter is coerced to its default's type and checked against its rule,
       with the messages `kerasreports run -p` gives.

    Returns the values the profile changed (name -> value) and updates `namespace`.
    """
    declared = notebook_parameters(report.notebook)
    injected = injected_names(namespace)
    for name in injected:
        if name not in declared:
            raise _unknown(report, name, declared)
    profile = namespace.get("profile", "quick")
    if "profile" in declared:
        check_constraint(declared["profile"], profile)
    applied = {}
    for name, value in report.profile_parameters(str(profile)).items():
        if name in declared and name not in injected and \
                namespace.get(name) == declared[name].default:
            applied[name] = value
    namespace.update(applied)
    for name, parameter in declared.items():
        if name in namespace:
            namespace[name] = coerce(parameter, namespace[name])
            check_constraint(parameter, namespace[name])
    return applied


def for_profile(report, profile: str, **overrides) -> dict:
    """Every parameter of `report` (a `catalog.Report` or its name) as a run of `profile`
    with `overrides` would set it: the notebook's parameters cell, then the profile's
    values, then `overrides`, checked as `kerasreports run -p` checks them.

    The one place a profile's values come from besides the notebook itself: a search
    (`kerasreports tune --profile smoke`) and a benchmark read the same numbers the
    report's notebook runs with, so they train on exactly the report's data.
    """
    if isinstance(report, str):
        from kerasreports import catalog

        report = catalog.get(report)
    declared = notebook_parameters(report.notebook)
    values = {name: parameter.default for name, parameter in declared.items()}
    values.update(resolve(report, profile, overrides))
    return values


def choices(text: str, known, what: str) -> list[str]:
    """The names of a comma-separated notebook parameter (e.g. "lenet,lenet_bn"), in the
    order given, each refused unless in `known`: one error naming every unknown one and
    what `what` accepts (a ValueError, as a notebook raises for a bad value). An empty
    text chooses nothing."""
    chosen = [n.strip() for n in str(text).split(",") if n.strip()]
    unknown = [n for n in chosen if n not in known]
    if unknown:
        raise ValueError(f"{what}: unknown name(s) {', '.join(unknown)}; choose from "
                             f"{', '.join(known)}")
    return chosen
