"""The errors of a search, in one place so that every module of the package raises the
same classes: `TuningFailedError` (the search ran, its trials failed: exit 1) and
`SearchUsageError` with its two kinds (the user's to fix before anything trains: exit 2)."""

from __future__ import annotations

from kerasreports.errors import InvalidValueError


class TuningFailedError(RuntimeError):
    """All, or most, trials of a search failed; the message shows the first failure."""


class SearchUsageError(InvalidValueError):  # a ValueError too
    """Options or saved state that stop a search before it trains: the user's to fix
    (`kerasreports` shows the message and exits 2)."""


class SettingsMismatchError(SearchUsageError):
    """A search was resumed with settings that would make its trials incomparable."""


class SearchStateError(SearchUsageError):
    """A file of a search's saved state is damaged, so the search cannot be resumed."""
