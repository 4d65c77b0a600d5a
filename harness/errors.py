"""Error families, one per room. A user's mistake carries a one-line message that names the fix."""

from __future__ import annotations


class HarnessError(Exception):
    """Base of every error the harness raises on purpose."""


class ConfigError(HarnessError):
    """A problem in pipeline.toml or in the options: the user's to fix, never a traceback."""


class WindowError(ConfigError):
    """A --window value that cannot be used."""


class WarehouseError(HarnessError):
    """The warehouse refused or failed a request."""


class WarehouseBusyError(WarehouseError):
    """Another process holds the embedded warehouse longer than the lock timeout."""
