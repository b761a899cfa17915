"""The public entry points: `Cleaner`, `clean_text`, `clean_html`."""

from __future__ import annotations

import os
import re
from dataclasses import asdict, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from .config import Settings
from .decoding import decode, looks_binary, looks_like_html, utf16_without_bom
from .document import Document
from .errors import ConfigError, InputError
from .extract import EXTRACT_VERSION, extract, read_metadata
from .filter import apply
from .gzipped import GZIP_MAGIC, gunzip
from .limits import time_limit
from .model import Model, load_model, model_state
from .result import CleanResult

Kind = Literal["auto", "html", "text"]
#: what a page or text may be given as: decoded, or its bytes in any buffer
Data = str | bytes | bytearray | memoryview


def check_kind(kind: object) -> None:
    """Raise ConfigError for an input kind that is not auto, html or text."""
    if kind not in get_args(Kind):
        raise ConfigError(
            f"input kind must be auto, html or text, not {kind!r} (kind= in Python; --input-type)"
        )


#: a whole input that is one file name, path or URL of a page (passed where its contents belong)
_PATH_LIKE = re.compile(
    r"(?:[^\s<>]*\.(?:html?|xhtml|warc|arc|gz|jsonl?)|(?:https?|ftp|file)://[^\s<>]*)\Z", re.I
)


class Cleaner:
    """Loads the model once and cleans documents; safe to share across threads and to pickle.

    >>> cleaner = Cleaner()  # the shipped model; Cleaner(trailing_threshold=0.6) removes more
    >>> result = cleaner.clean_html(page_bytes, url=url)  # doctest: +SKIP
    >>> result.text  # the article, one paragraph a line  # doctest: +SKIP
    >>> [(r.line, r.text, r.reason) for r in result.removed]  # what went, and why  # doctest: +SKIP
    """

    def __init__(self, model: str | Path | None = None, settings: Settings | None = None, **options: Any):
        self.model_path = _model_path(model)
        self._settings = _settings(settings).with_options(**options)
        self.model_: Model = load_model(self.model_path)
        self.rule_ = self._settings.resolve(self.model_.decision_thresholds)

    @property
    def settings(self) -> Settings:
        """The options this cleaner was made with (fixed: make another Cleaner for others)."""
        return self._settings

    def __repr__(self) -> str:
        # the options given, as they would be passed again (the defaults left out)
        given = {
            f.name: getattr(self._settings, f.name)
            for f in fields(Settings)
            if getattr(self._settings, f.name) != f.default
        }
        if self.model_path is not None:
            given = {"model": str(self.model_path), **given}
        return f"Cleaner({', '.join(f'{k}={v!r}' for k, v in given.items())})"

    def __getstate__(self) -> dict[str, Any]:
        # the model is reloaded (once per process, cached) rather than pickled
        return {"model_path": self.model_path, "settings": self._settings}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.model_path = state["model_path"]
        self._settings = state["settings"]
        self.model_ = load_model(self.model_path)
        self.rule_ = self._settings.resolve(self.model_.decision_thresholds)

    def signature(self) -> dict[str, Any]:
        """What this cleaner's outputs depend on besides the input: the version, the model's
        files and the resolved settings (a batch rerun with another signature redoes its outputs)."""
        from . import __version__

        rule = {k: v for k, v in asdict(self.rule_).items() if k != "time_limit"}
        return {"cleaner": __version__, "extract": EXTRACT_VERSION, "model": self.model_.digest, "rule": rule}

    def score(self, doc: Document) -> tuple[np.ndarray, np.ndarray]:
        """Feature matrix and junk probability of each non-blank line of a document."""
        return self.model_.score(doc)

    def clean(
        self,
        document: Document | Data,
        *,
        url: str | None = None,
        kind: Kind = "auto",
        with_metadata: bool = False,
        encoding: str | None = None,
    ) -> CleanResult:
        """Clean a Document, or a page / text given as str or bytes (kind detected unless given).

        `url` is the page's address (it helps extraction; with `with_metadata`, the result's
        metadata also holds the page's title, author, date...). `encoding` is the charset the
        HTTP response named, for bytes: it is used after a byte-order mark and valid UTF-8,
        before the page's own declaration and a guess. gzip'd bytes are inflated. A page
        without article text gives a result whose text is "". A Document is cleaned as it is
        (`kind` and `encoding` are for str and bytes).

        Raises InputError (binary data, gzip data cut short: TruncatedError), DecodeError,
        ExtractionError, and TimeLimitError when it takes longer than `settings.time_limit`,
        in any thread.
        """
        check_kind(kind)
        if url is not None and not isinstance(url, str):
            raise InputError(f"url must be a string or None, got {type(url).__name__}")
        if encoding is not None and not isinstance(encoding, str):
            raise ConfigError(f"encoding must be a charset name (str) or None, got {type(encoding).__name__}")
        with time_limit(self.settings.time_limit):
            return self._clean(document, url=url, kind=kind, with_metadata=with_metadata, encoding=encoding)

    def _clean(
        self,
        document: Document | Data,
        *,
        url: str | None,
        kind: Kind,
        with_metadata: bool,
        encoding: str | None,
    ) -> CleanResult:
        if isinstance(document, Document):
            # every key with metadata, as for a page or a text; a copy: the result never aliases the caller's doc
            given = {k: v for k, v in document.metadata.items() if v is not None}
            metadata = (
                read_metadata(None, given.get("url", url)) | given
                if with_metadata
                else dict(document.metadata)
            )
            doc = replace(document, metadata=metadata)
        else:
            text = _to_str(document, encoding)
            # a str, not bytes: the contents of a file that holds a URL are a (short) page
            if kind != "text" and isinstance(document, str) and _PATH_LIKE.match(text.strip()):
                raise InputError(
                    f"{text!r} looks like a file path or URL, not a page: pass the file's contents "
                    "(Path(path).read_bytes()), or clean files with cleaner.clean_files"
                )
            is_html = looks_like_html(text) if kind == "auto" else kind == "html"
            if is_html:
                doc = extract(text, url=url, settings=self.settings, with_metadata=with_metadata)
            else:
                doc = Document.from_text(text)
                doc.metadata = read_metadata(None, url) if with_metadata else {}
        matrix, scores = self.score(doc)
        return apply(doc, matrix, scores, self.rule_, self.model_.lexical)

    def clean_html(
        self,
        html: Data,
        url: str | None = None,
        *,
        with_metadata: bool = False,
        encoding: str | None = None,
    ) -> CleanResult:
        """Extract a page's article text with trafilatura and remove its junk lines (options
        and errors: as `clean`)."""
        return self.clean(html, url=url, kind="html", with_metadata=with_metadata, encoding=encoding)

    def clean_text(self, text: Data, *, encoding: str | None = None) -> CleanResult:
        """Remove junk lines from text that a scraper already extracted (`encoding`: as `clean`)."""
        return self.clean(text, kind="text", encoding=encoding)


def _model_path(model: Any) -> Path | None:
    """The model folder given, made absolute (a worker process or a Dask worker may run in
    another folder); None: the shipped model. Anything but a path is a ConfigError."""
    if not (model is None or isinstance(model, str | os.PathLike)):
        raise ConfigError(
            f"model is the path of a model folder, not {type(model).__name__} {model!r}; "
            "thresholds and other options are keywords (Cleaner(trailing_threshold=0.6))"
        )
    return Path(model).absolute() if model is not None else None


def _settings(settings: Any) -> Settings:
    """The Settings given (None: the defaults); anything else is a ConfigError."""
    if not (settings is None or isinstance(settings, Settings)):
        raise ConfigError(
            f"settings must be a cleaner.Settings, not {type(settings).__name__}; "
            "or give the options as keywords (Cleaner(fast=True))"
        )
    return settings or Settings()


def _to_str(data: Data, encoding: str | None = None) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if raw.startswith(GZIP_MAGIC):
            raw = gunzip(raw)
        if looks_binary(raw, encoding):
            wide = utf16_without_bom(raw)
            raise InputError(
                f"looks like UTF-16 text without a byte-order mark: pass encoding={wide!r} "
                "(--encoding on the command line)"
                if wide
                else "looks like a binary file (NUL or control bytes, or a PDF, image or archive), not HTML or text"
            )
        return decode(raw, encoding)
    raise InputError(f"expected str or bytes, got {type(data).__name__}")


@lru_cache(maxsize=16)
def _shared(model: Path | None, settings: Settings, state: tuple[Any, ...]) -> Cleaner:
    # `state`: the model folder's files (model_state): a folder retrained in place is a new key
    return Cleaner(model=model, settings=settings)


def _cleaner(options: dict[str, Any]) -> Cleaner:
    model = _model_path(options.pop("model", None))
    settings = _settings(options.pop("settings", None)).with_options(**options)
    return _shared(model, settings, model_state(model))


def clean_text(text: Data, *, encoding: str | None = None, **options: Any) -> str:
    """Remove junk lines (teasers, prompts, credits) from already-extracted text.

    `options` are Settings fields, or `model=` (a model folder) and `settings=`; the Cleaner
    they make is kept for the next call with the same options.
    """
    return _cleaner(dict(options)).clean_text(text, encoding=encoding).text


def clean_html(html: Data, url: str | None = None, *, encoding: str | None = None, **options: Any) -> str:
    """Extract the article text of an HTML page and remove its junk lines ("" when it has
    none); options as `clean_text`, errors as `Cleaner.clean`."""
    return _cleaner(dict(options)).clean_html(html, url=url, encoding=encoding).text
