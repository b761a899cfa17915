"""A Scrapy item pipeline that cleans each scraped page (needs `news-cleaner[scrapy]`).

Enable it in the project's settings::

    ITEM_PIPELINES = {"cleaner.scrapy.CleanerPipeline": 300}

and yield items with the page, its URL and the response's Content-Type, e.g.
``{"url": response.url, "html": response.body, "encoding": content_type}``, where
``content_type = response.headers.get("Content-Type", b"").decode("latin-1")``
(the bytes are decoded as a browser would: valid UTF-8 first, then the header's charset, then
the page's own; ``response.text`` follows a page's wrong ``<meta charset>`` when the header
names none). Settings (all optional):

- ``CLEANER_INPUT_FIELD`` (``"html"``): the item field holding the page (str or bytes);
- ``CLEANER_URL_FIELD`` (``"url"``): the field holding the page's URL;
- ``CLEANER_ENCODING_FIELD`` (``"encoding"``): the field holding the response's charset, or
  its whole Content-Type header (str or bytes): the charset decodes a page given as bytes,
  the media type says how to read it (HTML; ``text/plain`` by its content; others dropped);
- ``CLEANER_OUTPUT_FIELD`` (``"text"``): where the clean text goes;
- ``CLEANER_METADATA_FIELD`` (``"metadata"``): where title, author, date, sitename... go
  (``""`` to leave them out);
- ``CLEANER_DROP_EMPTY`` (``False``): drop items whose page has no article text;
- ``CLEANER_DROP_INPUT`` (``False``): take the page out of the item once cleaned (a page
  is large, and ``response.body`` bytes do not export to JSON feeds); items of classes with
  fixed fields (dataclass, attrs, pydantic) get ``None`` there instead;
- ``CLEANER_MAX_BYTES`` (20 MiB, as ``--max-size`` on the command line): items whose page is
  larger are dropped unread, naming the limit (a page that size is rarely an article, and
  would hold a thread of the pool for many seconds);
- ``CLEANER_MODEL``, ``CLEANER_THRESHOLD``, ``CLEANER_TIME_LIMIT``: as on the command line;
  ``CLEANER_<FIELD>`` for any other field of ``cleaner.Settings`` (``CLEANER_FAST``,
  ``CLEANER_INCLUDE_COMMENTS``, ``CLEANER_INNER_THRESHOLD``, ...). A ``CLEANER_`` setting
  that names none of these is logged as ignored (a typo).

Items declared as ``scrapy.Item`` (or dataclass, attrs, pydantic) need the output and
metadata fields declared too: an item that lacks them is dropped, naming them; an item that
already holds a value there has it replaced (one warning per crawl and field). Items without
the page field pass through unchanged, as Scrapy's own media pipelines pass items without
their field (one warning per crawl names the field). A page that cannot be cleaned (binary,
over the time limit) is dropped with the reason. Cleaning runs in Twisted's thread pool, so
the crawl keeps downloading meanwhile.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from typing import Any

try:
    from itemadapter import ItemAdapter
    from scrapy import Item
    from scrapy.exceptions import DropItem
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet.threads import deferToThread
except ImportError as exc:
    raise ImportError(f"cleaner.scrapy needs Scrapy: pip install 'news-cleaner[scrapy]' ({exc})") from exc

from .api import Cleaner
from .batch.files import MAX_INPUT_BYTES
from .config import Settings
from .decoding import HTML_TYPES, content_type_charset, media_type
from .errors import CleanerError, ConfigError

logger = logging.getLogger(__name__)


class CleanerPipeline:
    """Cleans the page in one item field into the clean text (and metadata) in others."""

    def __init__(
        self,
        cleaner: Cleaner | None = None,
        *,
        input_field: str = "html",
        url_field: str = "url",
        encoding_field: str = "encoding",
        output_field: str = "text",
        metadata_field: str = "metadata",
        drop_empty: bool = False,
        drop_input: bool = False,
        max_bytes: int = MAX_INPUT_BYTES,
    ):
        self.cleaner = cleaner if cleaner is not None else Cleaner()
        self.input_field = input_field
        self.url_field = url_field
        self.encoding_field = encoding_field
        self.output_field = output_field
        self.metadata_field = metadata_field
        self.drop_empty = drop_empty
        self.drop_input = drop_input
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise ConfigError(
                f"CLEANER_MAX_BYTES must be a positive whole number of bytes, not {max_bytes!r}"
            )
        self.max_bytes = max_bytes
        self._warned: set[str] = set()
        self._warned_lock = threading.Lock()  # items are cleaned in Twisted's thread pool

    @classmethod
    def from_crawler(cls, crawler: Any) -> CleanerPipeline:
        """Build the pipeline from the crawler's settings; the model is loaded here, once."""
        settings = crawler.settings
        try:
            cleaner = Cleaner(model=settings.get("CLEANER_MODEL"), **_options(settings))
        except ConfigError as exc:
            if exc.setting is not None:
                raise ConfigError(exc.naming(_key(exc.setting)), exc.setting) from exc
            if "CLEANER_" in str(exc):
                raise
            raise ConfigError(f"{exc} (from the crawler's CLEANER_ settings)") from exc
        return cls(
            cleaner,
            input_field=settings.get("CLEANER_INPUT_FIELD", "html"),
            url_field=settings.get("CLEANER_URL_FIELD", "url"),
            encoding_field=settings.get("CLEANER_ENCODING_FIELD", "encoding"),
            output_field=settings.get("CLEANER_OUTPUT_FIELD", "text"),
            metadata_field=settings.get("CLEANER_METADATA_FIELD", "metadata"),
            drop_empty=_typed(settings, "CLEANER_DROP_EMPTY", settings.getbool, False),
            drop_input=_typed(settings, "CLEANER_DROP_INPUT", settings.getbool, False),
            max_bytes=_typed(settings, "CLEANER_MAX_BYTES", settings.getint, MAX_INPUT_BYTES),
        )

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        """Clean the item's page in a worker thread, so that the crawl goes on meanwhile.

        `spider` is passed by Scrapy 2.13 and unused; later versions, finding it optional, pass
        the item alone.
        """
        return await maybe_deferred_to_future(deferToThread(self.clean_item, item))

    def clean_item(self, item: Any) -> Any:
        """Clean the item's page into its output fields, in the calling thread."""
        adapter = ItemAdapter(item)
        page = adapter.get(self.input_field)
        url = adapter.get(self.url_field)
        if page is None:
            self._warn_once(
                "without page",
                "cleaner: items without a page in field %r pass through uncleaned (the first: a %s from %s); "
                "set CLEANER_INPUT_FIELD if the page is in another field",
                self.input_field,
                type(item).__name__,
                url,
            )
            return item
        if not isinstance(page, str | bytes | bytearray | memoryview):
            raise DropItem(
                f"cleaner: item from {url}: field {self.input_field!r} holds a {type(page).__name__}, not a page"
            )
        if len(page) > self.max_bytes:  # a str's characters: at least as many bytes
            raise DropItem(
                f"cleaner: item from {url}: a page of {len(page):,} {'characters' if isinstance(page, str) else 'bytes'}, "
                f"over the {self.max_bytes:,}-byte limit (raise it with CLEANER_MAX_BYTES)"
            )
        declared = ItemAdapter.get_field_names_from_class(type(item))
        missing = [
            f
            for f in (self.output_field, self.metadata_field)
            if f and declared is not None and f not in declared
        ]
        if missing:
            raise DropItem(
                f"cleaner: {type(item).__name__} has no field {' or '.join(map(repr, missing))} for the clean text; "
                "declare it, or name another with CLEANER_OUTPUT_FIELD / CLEANER_METADATA_FIELD ('' leaves metadata out)"
            )
        content_type = adapter.get(self.encoding_field) if self.encoding_field else None
        media = _media_type(content_type)
        if media and media not in (*HTML_TYPES, "text/plain"):
            raise DropItem(f"cleaner: item from {url}: Content-Type {media}, not a page (HTML or plain text)")
        try:
            result = self.cleaner.clean(
                page if isinstance(page, str | bytes) else bytes(page),
                url=url if isinstance(url, str) else None,
                kind="auto" if media == "text/plain" else "html",  # servers send HTML as text/plain too
                with_metadata=bool(self.metadata_field),
                encoding=_charset(content_type),
            )
        except CleanerError as exc:
            raise DropItem(f"cleaner: {url}: {exc}") from exc
        if self.drop_empty and not result.text:
            raise DropItem(f"cleaner: no article text in {url}")
        if self.input_field != self.output_field:
            self._leave_page(item, adapter, url)
        self._note_replaced(adapter, url)
        adapter[self.output_field] = result.text
        if self.metadata_field:
            adapter[self.metadata_field] = result.metadata
        return item

    def _leave_page(self, item: Any, adapter: ItemAdapter, url: Any) -> None:
        """Take the cleaned page out of the item (CLEANER_DROP_INPUT), or warn once that items
        keep it as bytes, which feeds cannot export."""
        if self.drop_input:
            if isinstance(item, dict | Item):
                del adapter[self.input_field]
                return
            try:  # a dataclass or attrs item without one of its fields breaks repr() and asdict()
                adapter[self.input_field] = None
            except (TypeError, ValueError) as exc:  # a validating model whose field may not be None
                raise DropItem(
                    f"cleaner: {url}: cannot empty field {self.input_field!r} of {type(item).__name__} "
                    f"({' '.join(str(exc).split())}); make it optional or leave CLEANER_DROP_INPUT off"
                ) from exc
        elif isinstance(adapter.get(self.input_field), bytes | bytearray | memoryview):
            self._warn_once(
                "bytes kept",
                "cleaner: items keep their page as bytes in field %r (the first: from %s), which JSON, "
                "CSV and XML feeds cannot export: set CLEANER_DROP_INPUT = True to take it out once cleaned",
                self.input_field,
                url,
            )

    def _note_replaced(self, adapter: ItemAdapter, url: Any) -> None:
        """Warn once per field when items already hold a value where cleaner writes (a spider's
        own `text` or `metadata`), before it is replaced."""
        for field, setting in ((self.output_field, "OUTPUT"), (self.metadata_field, "METADATA")):
            held = adapter.get(field) if field and field != self.input_field else None
            if held not in (None, ""):
                self._warn_once(
                    f"replaced {field}",
                    "cleaner: items already hold a value in field %r (the first: from %s); cleaner's "
                    "replaces it: set CLEANER_%s_FIELD to write elsewhere",
                    field,
                    url,
                    setting,
                )

    def _warn_once(self, key: str, message: str, *args: Any) -> None:
        """Log a warning the first time `key` comes up in this crawl, from whichever thread."""
        with self._warned_lock:
            if key in self._warned:
                return
            self._warned.add(key)
        logger.warning(message, *args)


#: settings the pipeline reads itself; CLEANER_<FIELD> of any Settings field goes to Cleaner
_OWN_SETTINGS = (
    "CLEANER_INPUT_FIELD",
    "CLEANER_URL_FIELD",
    "CLEANER_ENCODING_FIELD",
    "CLEANER_OUTPUT_FIELD",
    "CLEANER_METADATA_FIELD",
    "CLEANER_DROP_EMPTY",
    "CLEANER_DROP_INPUT",
    "CLEANER_MAX_BYTES",
    "CLEANER_MODEL",
)


def _typed(settings: Any, key: str, getter: Any, default: Any) -> Any:
    """A setting as settings.py gave it, or, when a string (`scrapy crawl -s`), read by Scrapy's
    typed getter; a string it cannot read is a ConfigError naming the setting."""
    value = settings.get(key, default)
    if not isinstance(value, str) and getter != settings.getbool:  # Scrapy's booleans: 1, "True", "false"...
        return value  # typed in settings.py: checked where it is used, never cut (2.7 is not 2)
    try:
        return getter(key, default)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{key} = {value!r}: {exc}") from exc


def _header(value: Any) -> str:
    """An item's encoding field as text: a charset label or a Content-Type header, as Scrapy's
    `response.headers` holds it (bytes, or a list of them from `getlist`); "" for anything else."""
    if isinstance(value, list | tuple):  # the last one counts, as for Headers.get and browsers
        value = value[-1] if value else ""
    if isinstance(value, bytes | bytearray | memoryview):
        value = bytes(value).decode("latin-1")
    return value.strip() if isinstance(value, str) else ""


def _media_type(value: Any) -> str:
    """The media type of an item's Content-Type ("text/html"); "" for a bare charset or none."""
    return media_type(_header(value))


def _charset(value: Any) -> str | None:
    """The charset an item's encoding field gives (see `_header`), None for none."""
    header = _header(value)
    if "/" in header or "=" in header:
        return content_type_charset(header)
    return header or None


#: crawler settings whose name is not CLEANER_ and the Settings field's in capitals
_RENAMED = {"CLEANER_THRESHOLD": "trailing_threshold"}


def _key(name: str) -> str:
    """The crawler setting of a Settings field."""
    return next((key for key, field in _RENAMED.items() if field == name), f"CLEANER_{name.upper()}")


def _options(settings: Any) -> dict[str, Any]:
    """Cleaner's options from the crawler's CLEANER_<FIELD> settings, typed as Settings declares
    them (a value from `scrapy crawl -s` is a string); CLEANER_THRESHOLD is `trailing_threshold`."""
    defaults = {f.name: f.default for f in dataclasses.fields(Settings)}
    options: dict[str, Any] = {}
    for key in sorted(k for k in settings if k.startswith("CLEANER_") and k not in _OWN_SETTINGS):
        name = _RENAMED.get(key, key.removeprefix("CLEANER_").lower())
        if name not in defaults:
            logger.warning("cleaner: setting %s is not one cleaner reads; ignored", key)
            continue
        if name in options:  # CLEANER_THRESHOLD and CLEANER_TRAILING_THRESHOLD: one would win unsaid
            raise ConfigError(f"{_key(name)} and {key} set the same threshold: give one")
        value = settings.get(key)
        if isinstance(defaults[name], bool):
            options[name] = _typed(settings, key, settings.getbool, None)
        elif value is None or str(value).strip().lower() in ("", "none"):
            options[name] = None  # a threshold from the model, no time limit
        else:
            getter = settings.getint if isinstance(defaults[name], int) else settings.getfloat
            options[name] = _typed(settings, key, getter, None)
    return options
