"""The Scrapy pipeline in a real crawl of fixture pages served on 127.0.0.1."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cleaner import Cleaner

from .conftest import CASES, SEED

pytest.importorskip("scrapy")

SPIDER = Path(__file__).parent / "crawl" / "spider.py"
PAGES = sorted((CASES / "pages").glob("*.html"))[:4]
EMPTY = "<html><head><title>Nothing</title></head><body></body></html>"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture pages, an empty page and an index linking to them, over HTTP on loopback."""
    root = tmp_path_factory.mktemp("site")
    for page in PAGES:
        (root / page.name).write_bytes(page.read_bytes())
    (root / "empty.html").write_text(EMPTY, encoding="utf-8")
    links = "".join(f'<a href="{p.name}">{p.stem}</a>' for p in PAGES) + '<a href="empty.html">empty</a>'
    (root / "index.html").write_text(f"<html><body>{links}</body></html>", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def crawl(site: str, out: Path, *settings: str) -> tuple[list[dict], str]:
    proc = subprocess.run(
        [sys.executable, str(SPIDER), site, str(out), *settings], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], proc.stderr


def test_crawled_items_get_the_clean_text_and_metadata(site: str, tmp_path: Path) -> None:
    items, log = crawl(site, tmp_path / "items.jsonl", "CLEANER_DROP_INPUT=true")
    by_name = {item["url"].rsplit("/", 1)[1]: item for item in items}
    assert sorted(by_name) == sorted([p.name for p in PAGES] + ["empty.html"])
    cleaner = Cleaner()
    for page in PAGES:
        item = by_name[page.name]
        assert item["text"] == cleaner.clean_html(page.read_bytes(), url=item["url"]).text
        assert item["text"]
        assert item["metadata"]["url"] == item["url"]
        assert "html" not in item  # the raw page bytes would not export to JSON
    assert by_name["empty.html"]["text"] == ""
    assert "'item_dropped_count'" not in log


def test_settings_choose_fields_and_drop_empty_items(site: str, tmp_path: Path) -> None:
    items, log = crawl(
        site,
        tmp_path / "items.jsonl",
        "CLEANER_OUTPUT_FIELD=body",
        "CLEANER_METADATA_FIELD=",
        "CLEANER_DROP_EMPTY=true",
        "CLEANER_DROP_INPUT=true",
    )
    assert sorted(item["url"].rsplit("/", 1)[1] for item in items) == sorted(p.name for p in PAGES)
    assert all(item["body"] and "text" not in item and "metadata" not in item for item in items)
    assert "no article text in" in log and "'item_dropped_count': 1" in log


def test_items_without_the_page_pass_through_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    from scrapy.exceptions import DropItem

    from cleaner.scrapy import CleanerPipeline

    pipeline = CleanerPipeline(input_field="page")
    links = [{"url": f"https://example.org/{n}", "links": ["a", "b"]} for n in range(3)]
    with caplog.at_level("WARNING", logger="cleaner.scrapy"):
        assert [pipeline.clean_item(dict(item)) for item in links] == links
    assert [r.getMessage() for r in caplog.records if "pass through uncleaned" in r.getMessage()] == [
        "cleaner: items without a page in field 'page' pass through uncleaned (the first: a dict from "
        "https://example.org/0); set CLEANER_INPUT_FIELD if the page is in another field"
    ]
    with pytest.raises(DropItem, match="field 'page' holds a list, not a page"):
        pipeline.clean_item({"url": "https://example.org/x", "page": ["<p>x</p>"]})
    page = PAGES[0].read_bytes()
    cleaned = pipeline.clean_item({"url": "https://example.org/x", "page": page})["text"]
    for held in (bytearray(page), memoryview(page)):  # bytes in other buffers are a page too
        assert pipeline.clean_item({"url": "https://example.org/x", "page": held})["text"] == cleaned


def test_an_item_class_without_the_output_fields_is_dropped_naming_them() -> None:
    from scrapy import Field, Item
    from scrapy.exceptions import DropItem

    from cleaner.scrapy import CleanerPipeline

    class BareItem(Item):
        url = Field()
        html = Field()
        text = Field()

    item = BareItem(url="https://example.org/x", html=PAGES[0].read_bytes())
    with pytest.raises(DropItem, match=r"BareItem has no field 'metadata' for the clean text; declare it"):
        CleanerPipeline().clean_item(item)
    assert CleanerPipeline(metadata_field="").clean_item(item)["text"]


@dataclasses.dataclass
class PageItem:
    url: str
    html: bytes | None
    text: str = ""
    metadata: dict | None = None


@pytest.mark.parametrize("drop", [False, True])
def test_the_page_stays_in_the_item_unless_dropped(drop: bool) -> None:
    from cleaner.scrapy import CleanerPipeline

    page = PAGES[0].read_bytes()
    pipeline = CleanerPipeline(drop_input=drop)
    item = pipeline.clean_item({"url": "https://example.org/x", "html": page})
    assert item["text"]
    assert ("html" in item) is not drop
    typed = pipeline.clean_item(PageItem(url="https://example.org/x", html=page))
    assert typed.text == item["text"]
    assert (typed.html is None) is drop
    assert "PageItem(" in repr(typed)  # a dataclass item keeps all its fields


def test_items_that_keep_their_page_as_bytes_get_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    """Bytes fail to export to JSON, CSV and XML feeds (the README's spider yields them)."""
    from cleaner.scrapy import CleanerPipeline

    page = PAGES[0].read_bytes()
    with caplog.at_level("WARNING", logger="cleaner.scrapy"):
        CleanerPipeline(drop_input=True).clean_item({"url": "u0", "html": page})
        CleanerPipeline().clean_item({"url": "u1", "html": page.decode("utf-8")})
        pipeline = CleanerPipeline()
        for n in (2, 3):
            pipeline.clean_item({"url": f"u{n}", "html": page})
    assert [r.getMessage() for r in caplog.records] == [
        "cleaner: items keep their page as bytes in field 'html' (the first: from u2), which JSON, CSV "
        "and XML feeds cannot export: set CLEANER_DROP_INPUT = True to take it out once cleaned"
    ]


def test_the_content_type_decides_how_the_page_is_cleaned() -> None:
    """HTML as a page, plain text by its content (as text, or as a page when it is one:
    servers send HTML as text/plain too), any other type dropped with the reason rather than
    passed on with an empty text."""
    from scrapy.exceptions import DropItem

    from cleaner.scrapy import CleanerPipeline

    pipeline = CleanerPipeline(drop_input=True)
    text = SEED.read_text(encoding="utf-8")
    item = pipeline.clean_item({"url": "u", "html": text.encode(), "encoding": b"text/plain; charset=utf-8"})
    assert item["text"] == Cleaner().clean_text(text).text != ""
    page = PAGES[0].read_bytes()
    given_as = ("application/xhtml+xml", "TEXT/HTML; charset=utf-8", "utf-8", None, "text/plain")
    # headers.getlist (the last counts, as for Headers.get), a header sent twice
    lists = ([b"application/json", b"text/html"], "text/html, application/json")
    for given in (*given_as, *lists):
        item = pipeline.clean_item({"url": "u", "html": page, "encoding": given})
        assert item["text"] == Cleaner().clean_html(page, url="u").text, given
    with pytest.raises(
        DropItem, match=r"item from u: Content-Type application/json, not a page \(HTML or plain"
    ):
        pipeline.clean_item({"url": "u", "html": b'{"a": 1}', "encoding": "application/json"})
    with pytest.raises(DropItem, match="Content-Type application/json, not a page"):
        pipeline.clean_item({"url": "u", "html": b'{"a": 1}', "encoding": [b"application/json"]})


def test_the_responses_charset_decodes_a_page_given_as_bytes() -> None:
    from cleaner.scrapy import CleanerPipeline

    # short Czech text fits Western European as well: only the response's charset tells
    text = "Zastupitelé dnes schválili rozpočet, řekl starosta."
    page = ("<html><body><article>" + f"<p>{text} {text}</p>" * 3 + "</article></body></html>").encode(
        "cp1250"
    )
    pipeline = CleanerPipeline()
    for given in ("text/html; charset=windows-1250", b"text/html;charset=Windows-1250", "windows-1250"):
        item = pipeline.clean_item({"url": "https://example.cz/a", "html": page, "encoding": given})
        assert text in item["text"], given
    # a Content-Type without a charset, none at all, or the field not read: the bytes alone decide
    for given in ("text/html", None):
        guessed = pipeline.clean_item({"url": "https://example.cz/a", "html": page, "encoding": given})
        assert guessed["text"] and text not in guessed["text"]
    unread = CleanerPipeline(encoding_field="").clean_item({"html": page, "encoding": "windows-1250"})
    assert text not in unread["text"]


def test_process_item_takes_the_spider_scrapy_2_13_passes_without_requiring_it() -> None:
    import inspect

    from cleaner.scrapy import CleanerPipeline

    spider = inspect.signature(CleanerPipeline.process_item).parameters["spider"]
    assert spider.default is None  # 2.13 passes it; later versions only the item (no deprecation warning)
    with contextlib.suppress(ImportError):  # the helper later Scrapy versions decide this with
        from scrapy.utils.deprecate import argument_is_required

        assert not argument_is_required(CleanerPipeline.process_item, "spider")


def test_a_validating_item_that_cannot_lose_its_page_is_dropped_with_the_reason() -> None:
    pydantic = pytest.importorskip("pydantic")
    from scrapy.exceptions import DropItem

    from cleaner.scrapy import CleanerPipeline

    class StrictItem(pydantic.BaseModel, validate_assignment=True):
        url: str
        html: bytes
        text: str = ""
        metadata: dict | None = None

    item = StrictItem(url="https://example.org/x", html=PAGES[0].read_bytes())
    with pytest.raises(DropItem, match=r"cannot empty field 'html' of StrictItem.*make it optional"):
        CleanerPipeline(drop_input=True).clean_item(item)
    assert CleanerPipeline().clean_item(item).text


def test_settings_reach_the_cleaner_typed_and_a_typo_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    from scrapy.settings import Settings as CrawlSettings

    from cleaner import ConfigError
    from cleaner.scrapy import _options

    given = {
        "CLEANER_FAST": "True",  # `scrapy crawl -s` gives strings
        "CLEANER_TIME_LIMIT": "None",
        "CLEANER_THRESHOLD": "0.9",
        "CLEANER_INNER_THRESHOLD": 0.95,
        "CLEANER_MIN_LINES": "3",
        "CLEANER_OUTPUT_FEILD": "body",
        "CLEANER_OUTPUT_FIELD": "text",
    }
    with caplog.at_level("WARNING", logger="cleaner.scrapy"):
        options = _options(CrawlSettings(given))
    assert options == {
        "fast": True,
        "time_limit": None,
        "trailing_threshold": 0.9,
        "inner_threshold": 0.95,
        "min_lines": 3,
    }
    assert Cleaner(**options).settings.fast is True
    assert [r.getMessage() for r in caplog.records] == [
        "cleaner: setting CLEANER_OUTPUT_FEILD is not one cleaner reads; ignored"
    ]
    with pytest.raises(ConfigError, match="CLEANER_THRESHOLD = 'abc'"):
        _options(CrawlSettings({"CLEANER_THRESHOLD": "abc"}))
    both = {"CLEANER_THRESHOLD": 0.9, "CLEANER_TRAILING_THRESHOLD": 0.2}  # one would win unsaid
    with pytest.raises(
        ConfigError, match=r"^CLEANER_THRESHOLD and CLEANER_TRAILING_THRESHOLD set the same threshold"
    ):
        _options(CrawlSettings(both))


def test_a_spiders_own_text_and_metadata_are_replaced_with_one_warning_each(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from cleaner.scrapy import CleanerPipeline

    pipeline = CleanerPipeline()
    page = PAGES[0].read_text(encoding="utf-8")
    items = [
        {
            "url": f"https://example.org/{n}",
            "html": page,
            "text": "a teaser from the feed",
            "metadata": {"depth": n},
        }
        for n in range(2)
    ]
    with caplog.at_level("WARNING", logger="cleaner.scrapy"):
        cleaned = [pipeline.clean_item(item) for item in items]
    assert all(
        item["text"] != "a teaser from the feed" and "depth" not in item["metadata"] for item in cleaned
    )
    assert [r.getMessage() for r in caplog.records] == [
        "cleaner: items already hold a value in field 'text' (the first: from https://example.org/0); "
        "cleaner's replaces it: set CLEANER_OUTPUT_FIELD to write elsewhere",
        "cleaner: items already hold a value in field 'metadata' (the first: from https://example.org/0); "
        "cleaner's replaces it: set CLEANER_METADATA_FIELD to write elsewhere",
    ]


def test_a_page_over_the_size_limit_is_dropped_naming_the_setting() -> None:
    from scrapy.exceptions import DropItem

    from cleaner.scrapy import CleanerPipeline

    page = PAGES[0].read_bytes()
    item = {"url": "https://example.org/big", "html": page}
    with pytest.raises(
        DropItem, match=rf"{len(page):,} bytes, over the {len(page) - 1:,}-byte limit.*CLEANER_MAX_BYTES"
    ):
        CleanerPipeline(max_bytes=len(page) - 1).clean_item(dict(item))
    assert CleanerPipeline(max_bytes=len(page)).clean_item(dict(item))["text"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("CLEANER_DROP_EMPTY", "maybe", "CLEANER_DROP_EMPTY = 'maybe'"),
        ("CLEANER_MAX_BYTES", "lots", "CLEANER_MAX_BYTES = 'lots'"),
        ("CLEANER_MAX_BYTES", 2.5, "CLEANER_MAX_BYTES must be a positive whole number of bytes, not 2.5"),
        ("CLEANER_FAST", "yes please", "CLEANER_FAST = 'yes please'"),
        ("CLEANER_MIN_LINES", "2.7", "CLEANER_MIN_LINES = '2.7'"),
        # typed in settings.py: never cut to a whole number, checked as Settings checks them
        (
            "CLEANER_MIN_LINES",
            2.7,
            r"^CLEANER_MIN_LINES must be a whole number >= 0, got 2.7$",
        ),
        ("CLEANER_THRESHOLD", [0.5], r"^CLEANER_THRESHOLD must be a number between 0 and 1, got \[0.5\]$"),
        ("CLEANER_TIME_LIMIT", -1, r"^CLEANER_TIME_LIMIT must be a number of seconds"),
    ],
)
def test_a_setting_that_cannot_be_read_is_a_config_error_naming_it(
    key: str, value: object, message: str
) -> None:
    from scrapy.utils.test import get_crawler

    from cleaner import ConfigError
    from cleaner.scrapy import CleanerPipeline

    with pytest.raises(ConfigError, match=message):
        CleanerPipeline.from_crawler(get_crawler(settings_dict={key: value}))
