"""The errors the command line shows as one paragraph instead of a traceback.

`UsageError` is what the user typed or chose: an unknown report or builder, a parameter
out of range, an --output folder the tool may not write into, a search resumed with other
settings. `kerasreports` prints its message and exits 2. Every other exception is a bug or
a failure of the run itself, and is shown with its traceback (exit 1): mapping any
`KeyError` or `ValueError` to a usage message hid real bugs (a metrics.json without
`environment` came out as "error: 'environment'").

The classes also derive from the built-in exception they replace (`KeyError`,
`ValueError`), so code that caught those keeps working.
"""

from __future__ import annotations


class UsageError(Exception):
    """Something the user asked for cannot be done as asked; the message says why."""

    def __str__(self) -> str:
        # KeyError's str() would quote the message; show it as written.
        return str(self.args[0]) if self.args else ""


class UnknownNameError(UsageError, KeyError):
    """A report, builder or data set name that does not exist; the message lists those that do."""


class InvalidValueError(UsageError, ValueError):
    """A value outside what the tool accepts (a range, a folder, a profile)."""
