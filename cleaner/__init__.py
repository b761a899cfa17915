"""cleaner: clean article text from scraped news pages.

trafilatura extracts the main text of a page; a small trained classifier then removes
the junk lines extraction leaves behind (related-article teasers, newsletter and share
prompts, photo credits, "Read more" links).
"""

from .api import Cleaner, clean_html, clean_text
from .batch import BatchReport, Failure, clean_files
from .config import Settings
from .document import Document
from .errors import (
    CleanerError,
    ConfigError,
    DecodeError,
    ExtractionError,
    InputError,
    ModelError,
    OutputError,
    SchedulerError,
    TimeLimitError,
    TrainingError,
    TruncatedError,
    WorkerError,
)
from .result import CleanResult, RemovedLine

__version__ = "2.0.0.dev0"

__all__ = [
    "BatchReport",
    "CleanResult",
    "Cleaner",
    "CleanerError",
    "ConfigError",
    "DecodeError",
    "Document",
    "ExtractionError",
    "Failure",
    "InputError",
    "ModelError",
    "OutputError",
    "RemovedLine",
    "SchedulerError",
    "Settings",
    "TimeLimitError",
    "TrainingError",
    "TruncatedError",
    "WorkerError",
    "__version__",
    "clean_files",
    "clean_html",
    "clean_text",
]
