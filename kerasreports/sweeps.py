"""The `arithmetic_sweeps` report's rows: which rows of the source's sweep tables a run
trains, at how many epochs, and the model of each row.

The rows themselves (the source's accuracies and settings) live in the catalogue,
`catalog.ARITHMETIC_SWEEPS`; this module only reads them.

    select_rows("all")                       # every row of Tables 2, 3 and 5
    select_rows("table3:9,10;table5:11")     # [("table3", 9), ("table3", 10), ("table5", 11)]
    scaled_epochs(100, 0.05)                 # 5: the quick profile's share of the source's
    build("table5", 11, chars=12, query_length=5, answer_length=4)
"""

from __future__ import annotations

from kerasreports.catalog import ARITHMETIC_SWEEPS
from kerasreports.errors import InvalidValueError


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
