"""Web archives in, clean records out: HTML responses of WARC and ARC files (needs `news-cleaner[warc]`).

Read with warcio: it reads ARC as well as WARC, and undoes HTTP chunking and gzip or
deflate Content-Encoding itself (brotli is decoded here: warcio 1.8's br decoder fails).
Reading is a small share of the time: cleaning a page costs ~20 ms, parsing its record well
under 1 ms.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .api import Cleaner
from .batch.files import MAX_INPUT_BYTES
from .batch.plan import ARCHIVE_STARTS, ARCHIVES
from .batch.pool import ordered_map
from .batch.report import Failure
from .decoding import HTML_TYPES, SNIFF_BYTES, content_type_charset, looks_like_html, media_type
from .errors import CleanerError, InputError, TruncatedError
from .gzipped import READ_BLOCK, inflating

#: file names that `cleaner clean` reads as web archives
ARCHIVE_SUFFIXES = tuple(suffix + gz for suffix in ARCHIVES for gz in ("", ".gz"))


def is_archive(path: str | Path) -> bool:
    """Whether a path names a WARC or ARC file (optionally gzip'd); a folder so named is walked."""
    return str(path).lower().endswith(ARCHIVE_SUFFIXES) and not os.path.isdir(path)


@dataclass
class ArchiveStats:
    """What reading an archive did: cleaned, failed, and skipped records by reason."""

    records: int = 0
    failed: int = 0
    not_html: int = 0
    #: HTML responses with an HTTP status outside 2xx: error pages and redirects are no articles
    not_ok: int = 0
    revisits: int = 0
    other: int = 0
    #: archives that could not be read to their end (not an archive, one warcio cannot parse, or
    #: one cut short inside a record that is not a page)
    unreadable: int = 0

    def summary(self) -> str:
        """One line: responses cleaned and failed, records skipped by reason, unreadable archives."""
        return (
            f"{self.records} HTML response(s) cleaned, {self.failed} failed; skipped {self.not_html} "
            f"non-HTML response(s), {self.not_ok} error or redirect response(s), "
            f"{self.revisits} revisit(s), {self.other} other record(s)"
            + (f"; {self.unreadable} archive(s) unreadable" if self.unreadable else "")
        )


@dataclass(frozen=True)
class Response:
    """One HTML response of an archive: its identity and its decoded HTTP body."""

    url: str
    date: str | None
    record_id: str | None
    body: bytes
    #: why the body could not be decoded (it then fails alone, by its record id)
    error: str | None = None
    #: the charset of the response's Content-Type, if it names one
    charset: str | None = None


def html_responses(
    stream: IO[bytes], stats: ArchiveStats, max_bytes: int = MAX_INPUT_BYTES
) -> Iterator[Response]:
    """The HTML responses of a WARC/ARC stream, bodies de-chunked and decompressed.

    Revisit, request, metadata and non-HTML records, and responses with an HTTP status outside
    2xx (error pages, redirects), are counted in `stats` and skipped.
    """
    try:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed
    except ImportError as exc:
        raise InputError("reading WARC/ARC files needs warcio: pip install 'news-cleaner[warc]'") from exc
    # inflated here rather than by warcio, which refuses a WARC gzip'd as one member
    buffered: Any = inflating(stream)
    try:
        _skip_blank(buffered)  # warcio reads a leading blank line as one record holding the whole file
        head = buffered.peek(TALLY_HEAD)[:TALLY_HEAD]
        # a pipe may hold only a few bytes yet: judge only a head long enough (warcio does the rest)
        if len(head) >= max(map(len, ARCHIVE_STARTS)) and not head.startswith(ARCHIVE_STARTS):
            raise InputError(f"not a readable WARC/ARC file: it starts with {head[:16]!r}, not 'WARC/'")
        tally = _Tally(buffered)
        archive = ArchiveIterator(tally, arc2warc=True)
        whole = False  # a record came out whole: what follows the last one is checked at the end
        for number, record in enumerate(_parsed(iter(archive), ArchiveLoadFailed), start=1):
            whole = True
            headers = record.rec_headers
            url = headers.get_header("WARC-Target-URI") or ""
            date, record_id = headers.get_header("WARC-Date"), headers.get_header("WARC-Record-ID")
            if tally.head.startswith(b"filedesc://"):
                record_id = _arc_record_id(tally.head.split(b"\n", 1)[0], number, url, date)
            http = record.http_headers
            declared = (http.get_header("content-type") or "") if http is not None else ""
            media = media_type(declared)  # none named (or none readable): the body's content tells
            status = http.get_statuscode() if http is not None else ""
            skipped = _skipped(record.rec_type, http is not None, media, status)
            if skipped is not None:
                setattr(stats, skipped, getattr(stats, skipped) + 1)
                if _cut_short(record):  # a crawl interrupted here: whatever came before is out
                    raise InputError(
                        f"the archive ends inside record {record_id} ({record.length:,} bytes declared), "
                        "which is not a page: nothing follows it"
                    )
                continue
            try:
                body = _body(record, max_bytes)
                cut = len(body) <= max_bytes and _cut_short(record)
            except TruncatedError:  # a gzip'd archive that ends inside this record
                body, cut = b"", True
            except InputError as exc:
                yield Response(url, date, record_id, b"", error=str(exc))
                continue
            except Exception as exc:  # a decoder's own failure (a corrupt gzip or deflate body)
                error = f"cannot decode the HTTP body: {type(exc).__name__}: {exc}"
                yield Response(url, date, record_id, b"", error=error)
                continue
            if cut:  # an interrupted crawl: nothing follows
                error = f"the archive ends inside this record ({record.length:,} bytes declared)"
                yield Response(url, date, record_id, b"", error=error)
                return
            if not media and not looks_like_html(body[:SNIFF_BYTES].decode("latin-1")):
                stats.not_html += 1
                continue
            yield Response(url, date, record_id, body, charset=content_type_charset(declared))
        # warcio ends quietly where a record's headers are cut short: bytes after the last
        # whole record that are not blank lines are such a record
        if whole and tally.more_than_blank_after(archive.get_record_offset() + archive.get_record_length()):
            raise InputError("the archive ends inside a record's headers, after its last whole record")
        if not whole:  # warcio reads an empty file as an archive of no records
            raise InputError("not one WARC/ARC record in it: the file is empty (or blank)")
    except (ArchiveLoadFailed, OSError) as exc:
        raise InputError(f"not a readable WARC/ARC file: {' '.join(str(exc).split())}") from exc


def _skipped(rec_type: str, has_http: bool, media: str, status: str) -> str | None:
    """The ArchiveStats count a record that is no page goes to (None: a page)."""
    if rec_type == "revisit":
        return "revisits"
    if rec_type != "response" or not has_http:
        return "other"
    if media and media not in HTML_TYPES:
        return "not_html"
    # a status line without a code (a broken server's) leaves the page to its content
    if status.isdigit() and not status.startswith("2"):
        return "not_ok"
    return None


class _Tally(io.RawIOBase):
    """A stream read through, counting its bytes and keeping its first and last ones."""

    def __init__(self, raw: IO[bytes]):
        self.raw, self.count, self.tail = raw, 0, b""
        #: the stream's first TALLY_HEAD bytes (a pipe's first read may hold fewer than a peek needs)
        self.head = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        if len(self.head) < TALLY_HEAD:
            self.head = (self.head + data)[:TALLY_HEAD]
        self.tail = (self.tail + data)[-TALLY_TAIL:]
        return len(data)

    def more_than_blank_after(self, offset: int) -> bool:
        """Whether the bytes read after `offset` hold more than blank lines."""
        after = self.count - offset
        return after > TALLY_TAIL or (after > 0 and bool(self.tail[-after:].strip()))


#: how many last bytes of an archive are kept to tell a cut record from blank lines
TALLY_TAIL = 1 << 16
#: how many first bytes of an archive are kept: to tell ARC from WARC, and an ARC file's first line
TALLY_HEAD = 256


def _arc_record_id(filedesc: bytes, number: int, url: str, date: str | None) -> str:
    """An ARC record's id: warcio makes a random one each read, so a rerun's records would
    match none of the last run's; this one is the same each run, and differs between
    archives by their first line (the file's name and date) and the record's URL and date."""
    digest = hashlib.sha1(filedesc + f" {number} {url} {date}".encode(errors="surrogatepass")).hexdigest()
    return f"<urn:arc-record:{number}:{digest[:16]}>"


def _skip_blank(stream: Any) -> None:
    """Read past the blank lines and spaces an archive opens with."""
    while (ahead := stream.peek(TALLY_HEAD)[:TALLY_HEAD]) and not (kept := ahead.lstrip()):
        stream.read(len(ahead))
    if ahead:
        stream.read(len(ahead) - len(kept))


def _parsed(records: Iterator[Any], load_failed: type[Exception]) -> Iterator[Any]:
    """warcio's records, one by one. What warcio raises on a record it cannot parse (a
    response without a WARC-Target-URI: AttributeError) ends the archive there as an
    InputError: nothing after it can be read."""
    count = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except (load_failed, OSError):
            raise  # html_responses names these
        except Exception as exc:
            raise InputError(
                f"not a readable WARC/ARC file after its first {count:,} record(s): warcio failed on "
                f"the next ({type(exc).__name__}: {' '.join(str(exc).split())})"
            ) from exc
        count += 1
        yield record


def _body(record: Any, max_bytes: int) -> bytes:
    """A response's HTTP body, de-chunked and decoded, up to `max_bytes` + 1 bytes."""
    http = record.http_headers
    if (http.get_header("content-encoding") or "").strip().lower() != "br":
        return bytes(record.content_stream().read(max_bytes + 1))
    # warcio 1.8's own br decoder sets an attribute brotli's decoder does not take: decoded here
    from warcio.bufferedreaders import ChunkedDataReader

    chunked = http.get_header("transfer-encoding") == "chunked"  # the test warcio's content_stream makes
    return _unbrotli(ChunkedDataReader(record.raw_stream) if chunked else record.raw_stream, max_bytes)


def _unbrotli(raw: IO[bytes], max_bytes: int) -> bytes:
    """A brotli body decoded, up to `max_bytes` + 1 bytes (a small body may decode to
    gigabytes: the decoder's output is capped as it goes). An HTML body labelled br comes back
    as it is (crawlers that store bodies decoded keep the header; warcio reads a body labelled
    gzip that is not so too). InputError for any other body brotli cannot decode (as warcio
    for a broken gzip body), and when brotli >= 1.2 is missing. A body that ends before its
    stream does keeps what was decoded: an archive cut there is told by the record's length."""
    try:
        import brotli
    except ImportError as exc:
        raise InputError(
            "the HTTP body is brotli-compressed (Content-Encoding: br): decoding it needs brotli: "
            "pip install 'news-cleaner[warc]'"
        ) from exc
    decoder = brotli.Decompressor()
    if not hasattr(decoder, "can_accept_more_data"):  # the output cap came with brotli 1.2
        raise InputError(
            "decoding a brotli-compressed HTTP body needs brotli 1.2 or later: pip install 'brotli>=1.2'"
        )
    data = head = raw.read(BROTLI_PROBE)
    out, probing = bytearray(), True
    try:
        while True:
            out += decoder.process(data, output_buffer_limit=max_bytes + 1 - len(out))
            probing = False
            if len(out) > max_bytes or decoder.is_finished():
                break
            data = b""
            if decoder.can_accept_more_data() and not (data := raw.read(READ_BLOCK)):
                break
    except brotli.error as exc:
        if probing:  # not brotli from its first bytes
            head += raw.read(SNIFF_BYTES)
            if looks_like_html(head.decode("latin-1")):
                return (head + raw.read(max(0, max_bytes + 1 - len(head))))[: max_bytes + 1]
        raise InputError(f"cannot decode the HTTP body (Content-Encoding: br): {exc}") from exc
    return bytes(out[: max_bytes + 1])


#: the first bytes of a br body fed to the decoder alone: an HTML page fails within them
BROTLI_PROBE = 16


def _cut_short(record: Any) -> bool:
    """Whether the archive ended before the record's declared length (an interrupted crawl)."""
    raw = record.raw_stream
    # reads what warcio would skip anyway on its way to the next record
    while getattr(raw, "limit", 0) > 0:
        if not raw.read(READ_BLOCK):
            return True
    return False


def clean_archive(
    cleaner: Cleaner,
    stream: IO[bytes],
    *,
    stats: ArchiveStats | None = None,
    on_error: Callable[[Failure], None] | None = None,
    max_bytes: int = MAX_INPUT_BYTES,
    workers: int = 1,
    with_removed: bool = False,
) -> Iterator[dict[str, Any]]:
    """One record per HTML response: url, date, record_id, text (`clean_html(body, url=url)`),
    and with `with_removed` the removed lines (line, text, score, reason) `cleaner review` reads.

    Responses are cleaned in `workers` processes and come out in archive order. One that
    cannot be cleaned (too large, too slow, binary) is passed to `on_error` as a Failure
    (its path is `RECORD-ID (URL)`) and left out; without `on_error` its error is raised.
    """
    stats = stats if stats is not None else ArchiveStats()
    work = functools.partial(_clean_response, cleaner, max_bytes, with_removed)
    responses = html_responses(stream, stats, max_bytes)
    for record in ordered_map(work, responses, workers, cleaner.settings.time_limit, _lost):
        if isinstance(record, Failure):
            stats.failed += 1
            if on_error is None:
                raise record.to_exception()
            on_error(record)
            continue
        stats.records += 1
        yield record


def _clean_response(
    cleaner: Cleaner, max_bytes: int, with_removed: bool, response: Response
) -> dict[str, Any] | Failure:
    try:
        if response.error is not None:
            raise InputError(response.error)
        if len(response.body) > max_bytes:
            raise InputError(f"HTTP body over the {max_bytes:,}-byte limit")
        result = cleaner.clean_html(response.body, url=response.url or None, encoding=response.charset)
    except CleanerError as exc:
        return _lost(response, exc)
    record: dict[str, Any] = {
        "url": response.url,
        "date": response.date,
        "record_id": response.record_id,
        "text": result.text,
    }
    if with_removed:
        record |= {
            "source": "html",
            "lines_in": result.lines_in,
            **result.removal_fields(),
        }
    return record


def _lost(response: Response, error: CleanerError) -> Failure:
    return Failure.of(f"{response.record_id} ({response.url})", error)
