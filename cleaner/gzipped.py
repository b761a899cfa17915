"""Gzip'd input (a saved HTTP body, a `.html.gz`, a `.jsonl.gz` or `.warc.gz`): inflated
whole, or as a stream as it is read; every member of a concatenated file, with a cap."""

from __future__ import annotations

import io
import zlib
from typing import IO, Any, cast

from .errors import InputError, TruncatedError

#: the most a gzip'd input may inflate to
MAX_GUNZIPPED_BYTES = 100 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
#: zlib's window bits for gzip framing
GZIP_WBITS = 16 + 15


TRUNCATED = "gzip data is truncated (an interrupted download or copy?)"


def gunzip(data: bytes, limit: int = MAX_GUNZIPPED_BYTES, hint: str = "") -> bytes:
    """Decompress gzip'd bytes (a saved HTTP body, a .html.gz; every member of a concatenated
    one), refusing to inflate past `limit` (the error then ends with `hint`: how to raise it)."""
    inflater = _Inflater(io.BytesIO(data))
    chunks: list[bytes] = []
    size = 0
    try:
        # in blocks: the inflater keeps only what is not read yet (one read of it all is quadratic)
        while chunk := inflater.read(_GUNZIP_BLOCK):  # TruncatedError at the end of data cut short
            size += len(chunk)
            if size > limit:
                raise InputError(f"gzip data inflates past {limit:,} bytes{hint}")
            chunks.append(chunk)
    except zlib.error as exc:
        raise InputError(f"gzip data is corrupt: {exc}") from exc
    return b"".join(chunks)


#: how much gunzip takes from the inflater, and the inflater from zlib, at a time
_GUNZIP_BLOCK = 1 << 20
#: how much gzip'd input the inflater reads at a time (and hands out when asked for "some")
READ_BLOCK = 1 << 16


def inflating(stream: IO[bytes]) -> IO[bytes]:
    """The stream, inflated as it is read when it starts like gzip (a `.gz` file, `gzip -c |`).

    Gzip data cut short gives everything it holds, then raises a TruncatedError (an InputError
    and an OSError) where the end would be: gzip.GzipFile raises an EOFError that drops the
    last block read, and that readers such as warcio take for a clean end.
    """
    buffered: Any = stream if hasattr(stream, "peek") else io.BufferedReader(stream)
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        return cast("IO[bytes]", _Inflater(buffered))
    return cast("IO[bytes]", buffered)


class _Inflater(io.BufferedIOBase):
    """Gzip members, one after another, inflated as they are read."""

    def __init__(self, raw: IO[bytes]):
        self._raw = raw
        self._member = zlib.decompressobj(GZIP_WBITS)
        self._out = b""  # inflated bytes; those before _at are read
        self._at = 0
        self._cut = False

    def readable(self) -> bool:
        return True

    def _fill(self, size: int) -> None:
        """Inflate until `size` bytes wait to be read (all when negative), or the input ends."""
        while (size < 0 or len(self._out) - self._at < size) and not self._cut:
            member = self._member
            # input the last call had no room to inflate (a member that ended keeps its
            # unconsumed_tail: what follows it is unused_data too, read below)
            if member.unconsumed_tail and not member.eof:
                data = member.unconsumed_tail
            else:
                data = member.unused_data if member.eof else b""  # the next member's start, if any
                if not data.strip(b"\x00"):
                    data = self._raw.read(READ_BLOCK)
                    if not data:
                        self._cut = not member.eof
                        return
                if member.eof:
                    if not data.strip(b"\x00"):
                        continue  # zero padding after the last member
                    self._member = zlib.decompressobj(GZIP_WBITS)
            self._out = self._out[self._at :] + self._member.decompress(data, _GUNZIP_BLOCK)
            self._at = 0

    def _take(self, size: int) -> bytes:
        # data cut short: whatever is left, then the error where the end would be (all of it at once:
        # the error, as there is no "all")
        if self._cut and size != 0 and (self._at == len(self._out) or size < 0):
            raise TruncatedError(TRUNCATED)
        end = len(self._out) if size < 0 else min(len(self._out), self._at + size)
        taken, self._at = self._out[self._at : end], end
        return taken

    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes (all when negative); TruncatedError once none are left of data cut short."""
        size = -1 if size is None else size
        self._fill(size)
        return self._take(size)

    def read1(self, size: int = -1) -> bytes:
        """As `read`: inflating is in blocks anyway."""
        return self.read(size if size >= 0 else READ_BLOCK)

    def readline(self, size: int | None = -1) -> bytes:
        """One line (up to `size` bytes), newline included."""
        limit = -1 if size is None else size
        while (end := self._out.find(b"\n", self._at)) < 0 and not (0 <= limit <= len(self._out) - self._at):
            before = len(self._out) - self._at
            self._fill(before + READ_BLOCK)
            if len(self._out) - self._at == before:  # the end
                break
        length = len(self._out) - self._at if end < 0 else end + 1 - self._at
        n = length if limit < 0 else min(length, limit)
        return self._take(n if n or limit == 0 else -1)  # at the end: -1, which raises for data cut short

    def peek(self, size: int = 1) -> bytes:
        """Some of the bytes `read` would give next, without taking them."""
        self._fill(max(size, 1))
        return self._out[self._at : self._at + max(size, READ_BLOCK)]
