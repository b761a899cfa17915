"""Typed exceptions: the library raises these, only the CLI turns them into exit codes."""

from __future__ import annotations


class CleanerError(Exception):
    """Base class of every error `cleaner` raises on purpose."""


class InputError(CleanerError):
    """The input cannot be cleaned (unreadable, binary, too large...)."""


class DecodeError(InputError):
    """Bytes that no supported character encoding turns into text."""


class TruncatedError(InputError, OSError):
    """Gzip data that ends before its end-of-stream marker (an interrupted download or copy)."""


class ExtractionError(CleanerError):
    """trafilatura failed on a page in a way that is not 'no article text'."""


class ModelError(CleanerError):
    """The model file is missing, malformed or does not match its card."""


class ConfigError(CleanerError, ValueError):
    """An option has an unknown name or a value out of range."""

    def __init__(self, message: str, setting: str | None = None):
        super().__init__(message)
        #: the Settings field at fault, when one is (its message then starts with its name)
        self.setting = setting

    def naming(self, name: str) -> str:
        """The message, the setting called as the caller calls it (--threshold, CLEANER_THRESHOLD)."""
        text = str(self)
        if self.setting and text.startswith(self.setting):
            return name + text[len(self.setting) :]
        return f"{name}: {text}"


class TrainingError(CleanerError):
    """Training data is missing or malformed."""


class TimeLimitError(CleanerError):
    """A document took longer than the per-document time limit."""


class SchedulerError(CleanerError):
    """A Dask scheduler cannot be reached, or the cluster failed."""


class WorkerError(CleanerError):
    """A document was lost: the process cleaning it died (killed, out of memory), or cleaning
    it hit a bug in cleaner (an unexpected exception, its traceback logged)."""


class OutputError(CleanerError):
    """An output cannot be written (a full disk, a folder where a file should go...)."""
