"""Batch cleaning: files and folders (`clean_files`), JSONL streams, a supervised process
pool, and the one atomic writer they share. Knows nothing about features or models."""

from __future__ import annotations

from .report import BatchReport, Failure
from .run import clean_files

__all__ = ["BatchReport", "Failure", "clean_files"]
