"""The datatrove steps in a real local pipeline: WarcReader → CleanerExtractor → JsonlWriter
(and JsonlReader → CleanerTextFilter → JsonlWriter), 2 tasks, compared with the library."""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("datatrove")
warcio = pytest.importorskip("warcio")
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader, WarcReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

import cleaner  # noqa: E402
from cleaner.datatrove import CleanerExtractor, CleanerTextFilter  # noqa: E402
from cleaner.errors import ExtractionError  # noqa: E402

from .conftest import CASES, ROOT  # noqa: E402

try:  # datatrove's WarcReader tells content types with python-magic, which needs libmagic
    import magic  # noqa: F401

    LIBMAGIC = True
except ImportError:
    LIBMAGIC = False
#: for the tests that read WARC files through datatrove's WarcReader
needs_libmagic = pytest.mark.skipif(
    not LIBMAGIC,
    reason="no libmagic for datatrove's WarcReader (Debian: apt-get install libmagic1; .ci/run does)",
)

#: fixture pages declared as (or written in) UTF-8: datatrove decodes those exactly as we do
UTF8_PAGES = [
    p
    for p in sorted((CASES / "pages").glob("*.html"))
    if re.search(rb"charset=[\"']?utf-8", p.read_bytes()[:2048], re.I)
    or not re.search(rb"charset=", p.read_bytes()[:2048], re.I)
]
EMPTY_PAGE = b'<html><head><title>nothing</title></head><body><div><img src="a.png"></div></body></html>'


def _write_warc(path: Path, pages: list[tuple[str, bytes]]) -> None:
    """Responses as Common Crawl writes them (identified payload type), plus a non-HTML one."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, body in [*pages, ("https://example.com/logo.png", b"\x89PNG\r\n")]:
            kind = "image/png" if url.endswith(".png") else "text/html"
            http = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=http,
                warc_headers_dict={"WARC-Identified-Payload-Type": kind},
            )
            writer.write_record(record)


def _pages() -> dict[str, bytes]:
    pages = {f"https://example.com/{p.stem}": p.read_bytes() for p in UTF8_PAGES}
    pages["https://example.com/empty"] = EMPTY_PAGE
    return pages


def _crawl(root: Path) -> Path:
    """Two gzip'd WARC files (one per task) holding the UTF-8 fixture pages and an empty page."""
    crawl = root / "crawl"
    crawl.mkdir()
    items = list(_pages().items())
    _write_warc(crawl / "a.warc.gz", items[::2])
    _write_warc(crawl / "b.warc.gz", items[1::2])
    return crawl


def _read_outputs(folder: Path) -> list[dict]:
    return [json.loads(line) for f in sorted(folder.glob("*.jsonl.gz")) for line in gzip.open(f, "rt")]


def _stats(logs: Path, step: str) -> dict:
    merged = json.loads((logs / "stats.json").read_text())
    return next(s["stats"] for s in merged if step in s["name"])


@needs_libmagic
def test_warc_pipeline_gives_clean_html_of_every_page(tmp_path: Path) -> None:
    assert len(UTF8_PAGES) >= 8
    LocalPipelineExecutor(
        pipeline=[WarcReader(str(_crawl(tmp_path))), CleanerExtractor(), JsonlWriter(str(tmp_path / "out"))],
        tasks=2,
        workers=2,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    outputs = {d["metadata"]["url"]: d for d in _read_outputs(tmp_path / "out")}
    pages = _pages()
    c = cleaner.Cleaner()
    for url, body in pages.items():
        expected = c.clean_html(body, url=url)
        if not expected.text:
            assert url not in outputs
            continue
        doc = outputs.pop(url)
        assert doc["text"] == expected.text, url
        assert doc["metadata"]["cleaner_removed_lines"] == len(expected.removed)
        assert doc["metadata"]["cleaner_removed_chars"] == sum(len(r.text) for r in expected.removed)
    assert not outputs, "nothing but the pages comes out"
    stats = _stats(tmp_path / "logs", "cleaner")
    assert stats["total"] == len(pages)
    assert stats["dropped"] >= 1  # the page with no article text
    assert stats["forwarded"] == len(pages) - stats["dropped"]


def test_text_filter_after_a_jsonl_reader_gives_clean_text(tmp_path: Path, seed_text: str) -> None:
    host = (CASES / "host_article.txt").read_text(encoding="utf-8")
    texts = {"seed": seed_text, "host": host, "blank": "\n\n"}
    src = tmp_path / "in"
    src.mkdir()
    with gzip.open(src / "docs.jsonl.gz", "wt", encoding="utf-8") as fh:
        for doc_id, text in texts.items():
            fh.write(json.dumps({"id": doc_id, "text": text}) + "\n")
    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(src)), CleanerTextFilter(), JsonlWriter(str(tmp_path / "out"))],
        tasks=1,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    outputs = {d["id"]: d for d in _read_outputs(tmp_path / "out")}
    assert set(outputs) == {"seed", "host"}  # the blank document is dropped
    for doc_id in outputs:
        assert outputs[doc_id]["text"] == cleaner.clean_text(texts[doc_id])
    assert outputs["seed"]["metadata"]["cleaner_removed_lines"] == 6


class _FailsOnOne(CleanerTextFilter):
    """A filter whose cleaning fails for one document: the task must go on."""

    def clean(self, cleaner: cleaner.Cleaner, doc):  # type: ignore[no-untyped-def]
        if doc.id == "bad":
            raise ExtractionError("simulated failure")
        return super().clean(cleaner, doc)


@needs_libmagic
def test_failures_and_timeouts_are_counted_and_skipped_never_failing_the_task(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    with open(src / "docs.jsonl", "w", encoding="utf-8") as fh:
        for doc_id in ("a", "bad", "b"):
            fh.write(json.dumps({"id": doc_id, "text": f"Line one of {doc_id}.\nLine two."}) + "\n")
    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(src)), _FailsOnOne(), JsonlWriter(str(tmp_path / "out"))],
        tasks=1,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    assert sorted(d["id"] for d in _read_outputs(tmp_path / "out")) == ["a", "b"]
    assert _stats(tmp_path / "logs", "cleaner")["clean_error"] == 1

    LocalPipelineExecutor(
        pipeline=[WarcReader(str(_crawl(tmp_path))), CleanerExtractor(time_limit=1e-9)],
        tasks=1,
        logging_dir=str(tmp_path / "logs2"),
    ).run()
    stats = _stats(tmp_path / "logs2", "cleaner")
    assert stats["timeout"] == stats["total"] == len(_pages())
    logged = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "logs2").rglob("*.log"))
    # each document by its id in the task's log file, the first of them on the console too
    assert logged.count("TimeLimitError") == len(_pages())
    assert logged.count("WARNING  | cleaner.datatrove") == 1
    assert "time limit; document " in logged


def test_bad_options_fail_when_the_step_is_built_not_in_every_task() -> None:
    with pytest.raises(cleaner.ConfigError):
        CleanerExtractor(no_such_option=1)


@needs_libmagic
def test_readme_pipeline_runs_as_written(tmp_path: Path) -> None:
    """As a user runs it: a script of its own, whose worker processes import it again."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = readme.split("<!-- datatrove example: a test runs this block -->", 1)[1].split("```python", 1)[1]
    (tmp_path / "pipeline.py").write_text(code.split("```", 1)[0], encoding="utf-8")
    _crawl(tmp_path)
    run = subprocess.run(
        [sys.executable, "pipeline.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert _read_outputs(tmp_path / "clean"), "the example writes clean documents"
