"""Document: the lines the filter sees, what the page told us about each, and decoding."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .errors import DecodeError, InputError

Source = Literal["html", "text"]

#: how far into a page to look for a declared charset or for HTML tags
SNIFF_BYTES = 4096
#: how much of an undeclared page the encoding detector reads
GUESS_BYTES = 256 * 1024
#: detector "chaos" scores closer than this count as a tie
TIE = 0.01
#: the most a gzip'd input may inflate to
MAX_GUNZIPPED_BYTES = 100 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
#: link share of a line whose page facts are unknown (plain-text input)
UNKNOWN = -1.0

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I
)
# WHATWG: browsers read these labels as their supersets, and so must we
_SUPERSETS = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
    "tis-620": "cp874",
}
# bytes that are not valid UTF-8, as Python's surrogateescape handler shows them
_STRAY = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
# the encodings a browser knows (WHATWG Encoding Standard), as Python codec names: a guess
# outside these (a DOS code page, say) is a fluke of short text, not what a web page uses
WEB_ENCODINGS = [
    "utf_8",
    "utf_16",
    "cp1250",
    "cp1251",
    "cp1252",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp1258",
    "cp874",
    "cp866",
    "iso8859_2",
    "iso8859_3",
    "iso8859_4",
    "iso8859_5",
    "iso8859_6",
    "iso8859_7",
    "iso8859_8",
    "iso8859_10",
    "iso8859_13",
    "iso8859_14",
    "iso8859_15",
    "iso8859_16",
    "koi8_r",
    "koi8_u",
    "mac_cyrillic",
    "mac_roman",
    "shift_jis",
    "cp932",
    "euc_jp",
    "iso2022_jp",
    "gb2312",
    "gbk",
    "gb18030",
    "big5",
    "big5hkscs",
    "euc_kr",
    "cp949",
]
_HTML_TAG = re.compile(r"<(?:!doctype|html|head|body|div|p|article|meta|title|span|table|br|section)\b", re.I)


@dataclass
class Document:
    """The lines of one document (one paragraph each) plus per-line facts from the page."""

    lines: list[str]
    source: Source = "text"
    #: share of each line's characters inside links; UNKNOWN for plain text
    link_share: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: whether each line was a heading on the page
    is_heading: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.lines)
        if len(self.link_share) != n:
            self.link_share = np.full(n, UNKNOWN)
        if len(self.is_heading) != n:
            self.is_heading = np.zeros(n, dtype=bool)

    @classmethod
    def from_text(cls, text: str) -> Document:
        """Split already-extracted text into lines, keeping every byte of each line."""
        return cls(lines=text.split("\n") if text else [], source="text")

    @property
    def text(self) -> str:
        """The document's lines joined back together."""
        return "\n".join(self.lines)


def decode(data: bytes) -> str:
    """Decode page bytes: BOM, then valid UTF-8, then the declared charset, then a guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"starts with a {encoding} byte-order mark but is not {encoding}: {exc}"
                ) from exc
    # valid UTF-8 with non-ASCII bytes is almost never another encoding, whatever is declared
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mixed = data.decode("utf-8", errors="surrogateescape")
    stray = len(_STRAY.findall(mixed))
    if len(_NON_ASCII.findall(mixed)) - stray > stray:
        # mostly UTF-8 with a few stray bytes (text pasted from a Windows editor): the page is
        # UTF-8, and each stray byte is read as the Windows-1252 character it most likely is
        return _STRAY.sub(lambda m: _cp1252(m.group()), mixed)
    declared = _declared_charset(data[:SNIFF_BYTES])
    if declared:
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong declaration is common: fall through to detection
    return _guess(data)


def _cp1252(stray: str) -> str:
    raw = stray.encode("utf-8", errors="surrogateescape")
    return raw.decode("cp1252", errors="replace")


def _declared_charset(head: bytes) -> str | None:
    match = _DECLARED.search(head)
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "replace").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _guess(data: bytes) -> str:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:GUESS_BYTES], cp_isolation=WEB_ENCODINGS))
    if matches:
        best = min(matches, key=lambda m: m.chaos)
        # the web's default single-byte encoding wins every tie (WHATWG): short Latin-1
        # snippets fit several code pages equally well, and cp1252 is by far the likeliest
        chosen = next((m for m in matches if m.encoding == "cp1252" and m.chaos <= best.chaos + TIE), best)
        try:
            return data.decode(_SUPERSETS.get(chosen.encoding, chosen.encoding))
        except (UnicodeDecodeError, LookupError):
            pass
    # cp1252 decodes all but five byte values; those become U+FFFD rather than an error
    return data.decode("cp1252", errors="replace")


def looks_like_html(text: str) -> bool:
    """Guess from content whether a string is an HTML page rather than plain text."""
    return bool(_HTML_TAG.search(text[:SNIFF_BYTES]))


def gunzip(data: bytes, limit: int = MAX_GUNZIPPED_BYTES) -> bytes:
    """Decompress gzip'd bytes (a saved HTTP body, a .html.gz), refusing to inflate past `limit`."""
    import zlib

    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit)
    except zlib.error as exc:
        raise InputError(f"gzip data is corrupt: {exc}") from exc
    if inflater.unconsumed_tail:
        raise InputError(f"gzip data inflates past {limit:,} bytes")
    return out


def looks_binary(data: bytes) -> bool:
    """Whether bytes look like a binary file (NUL bytes outside a UTF-16/32 BOM)."""
    head = data[:SNIFF_BYTES]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    return b"\x00" in head
