"""The `arithmetic_sweeps` report's rows: the source's sweep tables (seeds/001, Tables 2,
3 and 5: each row's accuracies and settings, their one home; the catalogue builds the
report's source figures from them), which rows a run trains, at how many epochs, and the
model of each row.

    select_rows("all")                       # every row of Tables 2, 3 and 5
    select_rows("table3:9,10;table5:11")     # [("table3", 9), ("table3", 10), ("table5", 11)]
    scaled_epochs(100, 0.05)                 # 5: the quick profile's share of the source's
    build("table5", 11, chars=12, query_length=5, answer_length=4)
"""

from __future__ import annotations

from typing import NamedTuple

from kerasreports.errors import InvalidValueError


class SweepRow(NamedTuple):
    """One row of a source sweep table: its accuracies (fractions) and settings."""

    test: float
    train: float
    lstm_layers: int
    epochs: int
    learning_rate: float
    batch_size: int
    test_share: float
    filters: int | tuple[int, ...] = 32  # an int f: our block of f then 2f filters
    units: tuple[int, int] = (256, 256)  # (first encoder LSTM, every other LSTM)


class SweepTable(NamedTuple):
    task: str  # "addsub" or "mul"
    kind: str  # "convlstm" or "conv" (kerasreports.models.arithmetic.image2text_*)
    title: str
    rows: tuple[SweepRow, ...]


# Table 3 gives one filter count and no number of convolution layers: read as our image
# block's two layers (f then 2f filters), the `arithmetic` report's model. Table 5 names
# its convolution layers ("32/64": two layers of 32 and 64 filters; "64" with two layers:
# 64 and 64). "128/256": a first encoder LSTM of 128 units, 256 for the rest.
ARITHMETIC_SWEEPS = {
    "table2": SweepTable("addsub", "convlstm", "Table 2: ConvLSTM2D, +/-", (
        SweepRow(0.28, 0.94, 1, 25, 0.001, 128, 0.20),
        SweepRow(0.30, 0.82, 1, 100, 0.0001, 128, 0.20),
        SweepRow(0.30, 0.84, 1, 100, 0.001, 128, 0.20))),
    "table3": SweepTable("addsub", "conv", "Table 3: TimeDistributed Conv2D + LSTMs, +/-", (
        SweepRow(0.51, 0.61, 2, 20, 0.001, 128, 0.20, 32, (128, 128)),
        SweepRow(0.51, 0.71, 2, 20, 0.001, 128, 0.20, 64, (128, 128)),
        SweepRow(0.54, 0.66, 3, 20, 0.001, 128, 0.20, 32, (128, 128)),
        SweepRow(0.51, 0.64, 5, 20, 0.001, 128, 0.20, 32, (128, 128)),
        SweepRow(0.54, 0.68, 3, 20, 0.001, 128, 0.25, 32, (128, 256)),
        SweepRow(0.61, 0.98, 3, 100, 0.001, 128, 0.25, 32, (128, 256)),
        SweepRow(0.58, 0.68, 5, 20, 0.001, 128, 0.20, 32, (128, 256)),
        SweepRow(0.62, 0.72, 5, 50, 0.001, 128, 0.20, 32, (128, 256)),
        SweepRow(0.82, 0.92, 5, 100, 0.001, 128, 0.20, 32, (128, 256)),
        SweepRow(0.89, 0.93, 5, 100, 0.001, 16, 0.20, 32, (128, 256)))),
    "table5": SweepTable("mul", "conv", "Table 5: TimeDistributed Conv2D + LSTMs, ×", (
        SweepRow(0.59, 0.90, 5, 100, 0.001, 128, 0.20, (32,), (128, 256)),
        SweepRow(0.54, 0.80, 10, 100, 0.001, 128, 0.20, (32,), (128, 256)),
        SweepRow(0.70, 0.90, 5, 100, 0.001, 128, 0.25, (32, 64), (128, 256)),
        SweepRow(0.67, 0.87, 5, 100, 0.001, 128, 0.30, (32, 64), (128, 256)),
        SweepRow(0.73, 0.57, 6, 100, 0.001, 128, 0.20, (64, 64), (256, 256)),
        SweepRow(0.60, 0.79, 6, 100, 0.001, 256, 0.20, (64, 64), (256, 256)),
        SweepRow(0.76, 0.87, 6, 100, 0.001, 64, 0.20, (64, 64), (256, 256)),
        SweepRow(0.77, 0.86, 6, 100, 0.001, 64, 0.20, (64, 128), (256, 256)),
        SweepRow(0.77, 0.91, 6, 100, 0.001, 64, 0.20, (32, 64), (128, 256)),
        SweepRow(0.81, 0.95, 6, 100, 0.001, 32, 0.20, (32, 32), (128, 256)),
        SweepRow(0.88, 0.97, 6, 100, 0.001, 16, 0.20, (32, 32), (128, 256)))),
}
# Each table's best row, the one the source's text reports (and the reports index shows).
_SWEEP_HEADLINES = {("table2", 3), ("table3", 10), ("table5", 11)}


def sweep_row_label(table: str, number: int) -> str:
    """E.g. 'Table 3 row 10 (+/-, 5 LSTMs, 100 epochs, batch 16)'."""
    sweep = ARITHMETIC_SWEEPS[table]
    row = sweep.rows[number - 1]
    sign = "+/-" if sweep.task == "addsub" else "×"
    model = (f"ConvLSTM2D, lr {row.learning_rate:g}" if sweep.kind == "convlstm"
             else f"{row.lstm_layers} LSTMs")
    return (f"{table.replace('table', 'Table ')} row {number} ({sign}, {model}, "
            f"{row.epochs} epochs, batch {row.batch_size})")


def source_figures():
    """(metric, label, source value, headline) of every row's test and train accuracy:
    the catalogue's source figures of the report."""
    for table, sweep in ARITHMETIC_SWEEPS.items():
        for number, row in enumerate(sweep.rows, 1):
            label = sweep_row_label(table, number)
            yield (f"{table}_row{number}_test_char_accuracy", f"{label}: test char accuracy",
                   row.test, (table, number) in _SWEEP_HEADLINES)
            yield (f"{table}_row{number}_train_char_accuracy",
                   f"{label}: train char accuracy", row.train, False)


def select_rows(spec: str) -> list[tuple[str, int]]:
    """(table, row number from 1) for `spec`: "all", or "table:n,n;table:n" in any order
    (returned in the source's order, without repeats)."""
    every = [(table, n) for table, sweep in ARITHMETIC_SWEEPS.items()
             for n in range(1, len(sweep.rows) + 1)]
    if spec.strip() == "all":
        return every
    chosen = set()
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        table, _, numbers = part.partition(":")
        table = table.strip()
        if table not in ARITHMETIC_SWEEPS:
            raise InvalidValueError(f"rows: unknown table {table!r} in {spec!r}; the "
                                    f"source's sweeps are {', '.join(ARITHMETIC_SWEEPS)}")
        size = len(ARITHMETIC_SWEEPS[table].rows)
        for number in filter(None, (n.strip() for n in numbers.split(","))):
            if not number.isdigit() or not 1 <= int(number) <= size:
                raise InvalidValueError(f"rows: {table} has rows 1 to {size}, not "
                                        f"{number!r} (in {spec!r})")
            chosen.add((table, int(number)))
    if not chosen:
        raise InvalidValueError(f"rows: {spec!r} names no row; write 'all' or e.g. "
                                "'table3:9,10;table5:11'")
    return [key for key in every if key in chosen]


def scaled_epochs(epochs: int, share: float) -> int:
    """The source's `epochs` times `share`, rounded, at least 1: a reduced sweep keeps
    the source's ratios between rows (20 : 50 : 100 epochs) as far as rounding allows."""
    if not 0 < share <= 1:
        raise InvalidValueError(f"epoch_share must be in (0, 1], not {share!r}")
    return max(1, round(epochs * share))


def build(table: str, number: int, *, chars: int, query_length: int, answer_length: int):
    """The model of one row, named e.g. `table3_row10`: ConvLSTM2D (Table 2) or the
    TimeDistributed CNN with the row's LSTM layers, units and filters (Tables 3, 5)."""
    from kerasreports.models import arithmetic as models

    sweep = ARITHMETIC_SWEEPS[table]
    row = sweep.rows[number - 1]
    size = dict(chars=chars, query_length=query_length, answer_length=answer_length,
                name=f"{table}_row{number}")
    if sweep.kind == "convlstm":
        return models.image2text_convlstm(**size)
    first, rest = row.units
    return models.image2text_conv(filters=row.filters, lstm_layers=row.lstm_layers,
                                  units=rest, first_units=first, **size)
