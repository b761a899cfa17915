"""Web archives: HTML responses of WARC/ARC files the tests write themselves, cleaned to JSONL."""

from __future__ import annotations

import gzip
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cleaner import Cleaner, InputError
from cleaner.cli import app
from cleaner.warc import clean_archive

from .conftest import CASES, SEED

warcio = pytest.importorskip("warcio")
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

PAGES = sorted((CASES / "pages").glob("*.html"))
DATE = "2026-11-25T12:00:00Z"


def _chunked(body: bytes, size: int = 700) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def _response(
    writer: WARCWriter, url: str, body: bytes, headers: list[tuple[str, str]], status: str = "200 OK"
) -> None:
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": DATE}
    )
    writer.write_record(record)


def write_crawl(path: Path, *, compress: bool) -> dict[str, bytes]:
    """A crawl with plain, chunked+gzip'd and gzip'd HTML, an image, an error page, a redirect,
    a revisit, a request and warcinfo; returns the decoded HTML body of each URL that should come out."""
    expected: dict[str, bytes] = {}
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "cleaner tests"}))
        plain, chunked, zipped = PAGES[0].read_bytes(), PAGES[1].read_bytes(), PAGES[2].read_bytes()
        _response(writer, "https://example.org/plain", plain, [("Content-Type", "text/html; charset=utf-8")])
        expected["https://example.org/plain"] = plain
        _response(
            writer,
            "https://example.org/chunked",
            _chunked(gzip.compress(chunked)),
            [("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
        )
        expected["https://example.org/chunked"] = chunked
        _response(
            writer,
            "https://example.org/zipped",
            gzip.compress(zipped),
            [("Content-Type", "application/xhtml+xml"), ("Content-Encoding", "gzip")],
        )
        expected["https://example.org/zipped"] = zipped
        _response(
            writer,
            "https://example.org/empty",
            b"<html><body></body></html>",
            [("Content-Type", "text/html")],
        )
        expected["https://example.org/empty"] = b"<html><body></body></html>"
        _response(
            writer,
            "https://example.org/logo.png",
            b"\x89PNG\r\n\x1a\n\x00\x00",
            [("Content-Type", "image/png")],
        )
        _response(writer, "https://example.org/seed.txt", SEED.read_bytes(), [("Content-Type", "text/plain")])
        html = [("Content-Type", "text/html")]
        _response(writer, "https://example.org/gone", plain, html, status="404 Not Found")
        _response(
            writer, "https://example.org/moved", b"<html><body>Moved</body></html>", html, status="301 Moved"
        )
        revisit = writer.create_revisit_record(
            "https://example.org/plain",
            "sha1:AAAA",
            "https://example.org/plain",
            DATE,
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"),
        )
        writer.write_record(revisit)
        request = writer.create_warc_record(
            "https://example.org/plain",
            "request",
            http_headers=StatusAndHeaders(
                "GET /plain HTTP/1.1", [("Host", "example.org")], is_http_request=True
            ),
        )
        writer.write_record(request)
    return expected


@pytest.mark.parametrize(
    ("name", "jobs"), [("crawl.warc.gz", "1"), ("crawl.warc.gz", "2"), ("crawl.warc", "2")]
)
def test_cli_writes_one_record_per_html_response(tmp_path: Path, name: str, jobs: str) -> None:
    crawl = tmp_path / name
    expected = write_crawl(crawl, compress=name.endswith(".gz"))
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["clean", str(crawl), "-o", str(out), "-j", jobs])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["url"] for r in records] == list(expected)
    cleaner = Cleaner()
    for record in records:
        assert record["text"] == cleaner.clean_html(expected[record["url"]], url=record["url"]).text
        assert record["date"] == DATE
        assert record["record_id"].startswith("<urn:uuid:")
    assert records[0]["text"] and records[1]["text"] and records[2]["text"]
    assert records[3]["text"] == ""  # no article text
    assert (
        "skipped 2 non-HTML response(s), 2 error or redirect response(s), 1 revisit(s), 2 other record(s)"
        in result.stderr
    )


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_rerun_replaces_its_own_output(tmp_path: Path, fmt: str) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    write_crawl(crawl, compress=True)
    args = ["clean", str(crawl), "-o", str(tmp_path / "w.jsonl"), "-f", fmt]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize(
    ("status", "skipped"),
    [("200", None), ("206", None), ("404", "not_ok"), ("301", "not_ok"), ("OK", None), ("", None)],
)
def test_a_response_goes_by_its_status_code_when_it_has_one(status: str, skipped: str | None) -> None:
    from cleaner.warc import _skipped

    assert _skipped("response", True, "text/html", status) == skipped


@pytest.mark.parametrize(
    ("header", "skipped"),
    [
        ("text/html; charset=UTF-8", None),
        ("application/xhtml+xml", None),
        ("text/html charset=UTF-8", None),  # broken, as crawls hold them: still HTML
        ('"text/html"', None),
        ("image/png", "not_html"),
        ("application/json, text/html", "not_html"),
    ],
)
def test_a_response_goes_by_the_media_type_its_header_names(header: str, skipped: str | None) -> None:
    from cleaner.decoding import media_type
    from cleaner.warc import _skipped

    assert _skipped("response", True, media_type(header), "200") == skipped


def test_library_reads_an_arc_file(tmp_path: Path) -> None:
    from cleaner.warc import ArchiveStats

    page = PAGES[0].read_bytes()
    http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + page
    desc = b"1 0 cleaner tests\nURL IP-address Archive-date Content-type Archive-length\n"
    arc = b"filedesc://crawl.arc 0.0.0.0 20261125120000 text/plain %d\n%s\n" % (
        len(desc),
        desc,
    ) + b"https://example.org/old 127.0.0.1 20261125120000 text/html %d\n%s\n" % (len(http), http)
    stats = ArchiveStats()
    records = list(clean_archive(Cleaner(), io.BytesIO(gzip.compress(arc)), stats=stats))
    assert [r["url"] for r in records] == ["https://example.org/old"]
    assert records[0]["text"] == Cleaner().clean_html(page, url="https://example.org/old").text
    # warcio gives an ARC record a random id each read: this one is the same each run, also
    # when the first read of a pipe holds too few bytes to tell ARC from WARC
    again = list(clean_archive(Cleaner(), _Trickle(arc)))
    assert re.fullmatch(r"<urn:arc-record:2:[0-9a-f]{16}>", records[0]["record_id"])
    assert again[0]["record_id"] == records[0]["record_id"]
    for other in (  # another page, or the same URL at its place in another archive
        arc.replace(b"https://example.org/old", b"https://example.org/new"),
        arc.replace(b"filedesc://crawl.arc", b"filedesc://crawl-2.arc"),
    ):
        (elsewhere,) = clean_archive(Cleaner(), io.BytesIO(other))
        assert elsewhere["record_id"] != records[0]["record_id"]
    # warcio reads a blank line before the first record as one record holding the whole file
    (after_blank,) = clean_archive(Cleaner(), io.BytesIO(b"\r\n \n" + arc))
    assert after_blank == records[0]


class _Trickle(io.RawIOBase):
    """A stream whose first read gives 5 bytes, as a pipe can."""

    def __init__(self, data: bytes):
        self.data, self.first = data, True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), 5 if self.first else len(self.data))
        self.first = False
        buffer[:size], self.data = self.data[:size], self.data[size:]
        return size


def test_a_response_over_the_size_limit_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    write_crawl(crawl, compress=True)
    errors = tmp_path / "errors.jsonl"
    out = tmp_path / "out.jsonl.gz"
    result = CliRunner().invoke(
        app, ["clean", str(crawl), "-o", str(out), "--max-size", "0.001", "--errors", str(errors)]
    )
    assert result.exit_code == 1
    kept = [json.loads(line) for line in gzip.decompress(out.read_bytes()).decode().splitlines()]
    failed = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert {r["url"] for r in kept} | {f["path"].split("(")[1].rstrip(")") for f in failed} == {
        "https://example.org/plain",
        "https://example.org/chunked",
        "https://example.org/zipped",
        "https://example.org/empty",
    }
    assert failed and all(f["error"] == "InputError" and "limit" in f["message"] for f in failed)
    assert all(f["path"].startswith(f"{crawl}:<urn:uuid:") for f in failed)  # which archive, which record


def test_without_on_error_the_first_failed_response_is_raised_by_name(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    write_crawl(crawl, compress=True)
    with open(crawl, "rb") as stream, pytest.raises(InputError, match=r"^<urn:uuid:\S+> \(https://"):
        list(clean_archive(Cleaner(), stream, max_bytes=1000))


def test_not_an_archive_is_a_clear_error(tmp_path: Path) -> None:
    from cleaner.warc import clean_archive

    with pytest.raises(InputError, match="WARC"):
        list(clean_archive(Cleaner(), io.BytesIO(b"<html>not an archive</html>")))
    for empty in (
        b"",
        gzip.compress(b""),
        b"\n\n  \n",
    ):  # a crawl that wrote nothing: not an archive of no pages
        with pytest.raises(
            InputError, match=r"^not one WARC/ARC record in it: the file is empty \(or blank\)$"
        ):
            list(clean_archive(Cleaner(), io.BytesIO(empty)))
    page = PAGES[0].read_bytes()  # a whole page, plain or gzip'd, named as an archive by mistake
    for data in (page, gzip.compress(page)):
        with pytest.raises(InputError, match="not a readable WARC/ARC file: it starts with"):
            list(clean_archive(Cleaner(), io.BytesIO(data)))
    bogus = tmp_path / "bogus.warc"
    bogus.write_bytes(b"<html>not an archive</html>")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["clean", str(bogus), "-o", str(out)])
    assert result.exit_code == 1 and "bogus.warc" not in result.stdout
    assert f"error: {bogus}: not a readable WARC/ARC file" in result.stderr
    assert not out.exists() and "; no output written" in result.stderr  # nothing read, nothing written
    write_crawl(tmp_path / "crawl.warc", compress=False)
    assert CliRunner().invoke(app, ["clean", str(tmp_path / "crawl.warc"), "-o", str(out)]).exit_code == 0
    earlier = out.read_bytes()
    assert CliRunner().invoke(app, ["clean", str(bogus), "-o", str(out)]).exit_code == 1
    assert out.read_bytes() == earlier  # an earlier run's output is not replaced by nothing


def test_an_unreadable_archive_fails_by_name_and_the_others_are_kept(tmp_path: Path) -> None:
    good, bogus = tmp_path / "good.warc.gz", tmp_path / "bogus.warc"
    expected = write_crawl(good, compress=True)
    bogus.write_bytes(b"<html>a page named as an archive by mistake</html>")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["clean", str(bogus), str(good), "-o", str(out)])
    assert result.exit_code == 1
    assert f"error: {bogus}: not a readable WARC/ARC file" in result.stderr
    assert f"{len(expected)} HTML response(s) cleaned" in result.stderr
    assert "; 1 archive(s) unreadable" in result.stderr  # the summary agrees with the exit code
    assert [json.loads(line)["url"] for line in out.read_text().splitlines()] == list(expected)


def test_a_record_warcio_cannot_parse_ends_its_archive_only(tmp_path: Path) -> None:
    good, odd = tmp_path / "good.warc.gz", tmp_path / "odd.warc"
    expected = write_crawl(good, compress=True)
    # a response without a WARC-Target-URI: warcio itself raises AttributeError on it
    http = b"HTTP/1.1 200 OK\r\n\r\n"
    odd.write_bytes(
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
        + b"Content-Length: %d\r\n\r\n" % len(http)
        + http
        + b"\r\n\r\n"
    )
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["clean", str(odd), str(good), "-o", str(out)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    assert (
        f"error: {odd}: not a readable WARC/ARC file after its first 0 record(s): warcio failed"
        in result.stderr
    )
    assert [json.loads(line)["url"] for line in out.read_text().splitlines()] == list(expected)


def test_brotli_bodies_are_decoded_as_warcio_decodes_gzip(tmp_path: Path) -> None:
    """br bodies, plain and chunked, as browsers' crawls store them (warcio 1.8's own br
    decoder fails); an HTML body labelled br but stored decoded is read as it is; one that
    brotli cannot decode, or that decodes past the size limit, fails alone."""
    brotli = pytest.importorskip("brotli")
    path = tmp_path / "br.warc.gz"
    page = PAGES[0].read_bytes()
    br = [("Content-Type", "text/html"), ("Content-Encoding", "br")]
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        _response(writer, "https://example.org/br", brotli.compress(page), br)
        chunked = [*br, ("Transfer-Encoding", "chunked")]
        _response(writer, "https://example.org/chunked", _chunked(brotli.compress(page)), chunked)
        _response(writer, "https://example.org/decoded", page, br)
        _response(writer, "https://example.org/broken", b"not brotli, nor a page", br)
        stored = brotli.compress(page, quality=0)  # the page's bytes in the clear, inside a br stream
        half = len(stored) // 2
        corrupt = stored[:half] + bytes(b ^ 0x5A for b in stored[half : half + 8]) + stored[half + 8 :]
        _response(writer, "https://example.org/corrupt", corrupt, br)
        _response(writer, "https://example.org/bomb", brotli.compress(b"<p>" + b"a" * 3_000_000), br)
        _response(writer, "https://example.org/plain", page, [("Content-Type", "text/html")])
    failures: list = []
    with open(path, "rb") as stream:
        records = list(clean_archive(Cleaner(), stream, on_error=failures.append, max_bytes=2_000_000))
    want = Cleaner().clean_html(page, url="https://example.org/br").text
    assert want and [r["text"] for r in records] == [want] * 4
    names = ("br", "chunked", "decoded", "plain")
    assert [r["url"] for r in records] == [f"https://example.org/{n}" for n in names]
    broken, corrupt, bomb = failures
    assert broken.path.endswith("(https://example.org/broken)")
    assert corrupt.path.endswith("(https://example.org/corrupt)")  # never its raw bytes as the page
    assert broken.message.startswith("cannot decode the HTTP body (Content-Encoding: br): ")
    assert corrupt.message.startswith("cannot decode the HTTP body (Content-Encoding: br): ")
    assert bomb.path.endswith("(https://example.org/bomb)")
    assert bomb.message == "HTTP body over the 2,000,000-byte limit"


def test_the_http_charset_of_a_response_decodes_its_body(tmp_path: Path) -> None:
    text = "Vláda dnes oznámila nová opatření pro malé firmy. Ministr řekl, že změny začnou platit v lednu."
    page = f"<html><body><article><p>{text}</p><p>{text}</p></article></body></html>"
    path = tmp_path / "cz.warc"
    with open(path, "wb") as fh:
        _response(
            WARCWriter(fh, gzip=False),
            "https://example.cz/",
            page.encode("cp1250"),
            [("Content-Type", "text/html; charset=windows-1250")],
        )
    (record,) = list(clean_archive(Cleaner(), path.open("rb")))
    assert text in record["text"]


@pytest.mark.parametrize("name", ["whole.warc", "whole.warc.gz"])
def test_a_record_the_archive_ends_inside_fails_by_its_id(tmp_path: Path, name: str) -> None:
    whole = tmp_path / name
    with open(whole, "wb") as fh:
        writer = WARCWriter(fh, gzip=name.endswith(".gz"))
        for n, page in enumerate(PAGES[:2] * 40):
            _response(writer, f"https://example.org/{n}", page.read_bytes(), [("Content-Type", "text/html")])
    cut = tmp_path / f"cut-{name}"  # an interrupted crawl: the file stops inside its last record
    cut.write_bytes(whole.read_bytes()[:-300])
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["clean", str(cut), "-o", str(out)])
    assert result.exit_code == 1
    # every whole record comes out (gzip's reader dropped the last block it read), the cut one is named
    assert [json.loads(line)["url"] for line in out.read_text().splitlines()] == [
        f"https://example.org/{n}" for n in range(79)
    ]
    assert "(https://example.org/79): the archive ends inside this record (" in result.stderr
    result = CliRunner().invoke(app, ["clean", str(whole), "-o", str(out)])
    assert result.exit_code == 0 and len(out.read_text().splitlines()) == 80


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("where", ["in its headers", "in its block"])
def test_an_archive_cut_inside_a_record_that_is_no_page_is_an_error(
    tmp_path: Path, where: str, jobs: str
) -> None:
    whole = tmp_path / "crawl.warc"
    expected = write_crawl(whole, compress=False)  # it ends with a request record
    data = whole.read_bytes()
    last = data.rindex(b"WARC/1.0\r\n")
    end = data.index(b"WARC-Date", last) if where == "in its headers" else len(data) - 10
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[:end])
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["clean", str(cut), "-o", str(out), "-j", jobs])
    assert result.exit_code == 1
    assert f"error: {cut}: " in result.stderr and "the archive ends inside " in result.stderr
    assert [json.loads(line)["url"] for line in out.read_text().splitlines()] == list(expected)


def test_archives_and_pages_are_not_mixed(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    write_crawl(crawl, compress=True)
    result = CliRunner().invoke(app, ["clean", str(crawl), str(PAGES[0]), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and "cannot be mixed" in result.stderr
    # an input type would be ignored: each response is HTML by its Content-Type
    result = CliRunner().invoke(app, ["clean", str(crawl), "--input-type", "text"])
    assert result.exit_code == 2 and "--input-type is not for web archives" in result.stderr


def test_an_archive_arriving_slowly_through_a_pipe_is_read(tmp_path: Path) -> None:
    """The first bytes of a pipe may be fewer than a record's "WARC/": not a reason to refuse it."""
    import os
    import threading
    import time

    from cleaner.warc import clean_archive

    crawl = tmp_path / "crawl.warc"
    write_crawl(crawl, compress=False)
    data = crawl.read_bytes()
    read_end, write_end = os.pipe()

    def feed() -> None:
        os.write(write_end, data[:3])
        time.sleep(0.3)
        os.write(write_end, data[3:])
        os.close(write_end)

    writer = threading.Thread(target=feed)
    writer.start()
    with os.fdopen(read_end, "rb", buffering=0) as stream:
        slow = list(clean_archive(Cleaner(), stream))
    writer.join()
    assert slow == list(clean_archive(Cleaner(), io.BytesIO(data))) != []
