"""`cleaner review`: one self-contained HTML page showing what a batch removed, where a user
marks mistakes and downloads them as corrections for `cleaner train --corrections`."""

from __future__ import annotations

from .outputs import ReviewDoc, read_outputs
from .report import write_report

__all__ = ["ReviewDoc", "read_outputs", "write_report"]
