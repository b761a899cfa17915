"""Bytes in: decoding a page or text as browsers do, and telling HTML, text and binary apart
(gzip'd bytes are inflated first: gzipped.py)."""

from __future__ import annotations

import codecs
import re
from contextlib import suppress

from .errors import DecodeError

#: how far into a page to look for a declared charset or for HTML tags
SNIFF_BYTES = 4096
#: how much of an undeclared page the encoding detector reads
GUESS_BYTES = 256 * 1024
#: another code page must beat cp1252's detector "chaos" by more than this to be chosen: on
#: short Latin texts the detector scores Baltic or Central European pages a little better
#: ("Naïve façon" read as "Naļve faēon"), and cp1252 is the web's default (WHATWG)
TIE = 0.1
#: the escape sequences that switch ISO-2022-JP/-KR text into its double-byte sets
_ISO2022 = re.compile(rb"\x1b(?:\$[@B]|\$\([CDQ]|\$\)C|\(J)")
#: a lone surrogate: what undecodable bytes become in a str (file names, surrogateescape) and
#: what a broken "\\ud83d" JSON escape gives; no UTF-8 text can hold one
SURROGATE = re.compile("[\ud800-\udfff]")

#: how files that are not pages begin: PDF, PNG, GIF, JPEG, ZIP (docx, epub), RIFF (WebP, WAV)
_BINARY_SIGNATURES = (b"%PDF-", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"RIFF")
#: NUL bytes in the first 4 KB beyond this share make bytes binary (a page may carry a stray one
#: or two, from a database dump; binary formats hold one in every 256 bytes or more)
MAX_NUL_SHARE = 0.001
#: inputs shorter than this may not hold even one stray NUL byte
MIN_BYTES_FOR_A_STRAY_NUL = 512
#: bytes without a byte-order mark read as UTF-16 when NULs fill this share of every other
#: byte (ASCII letters, which most pages are mostly made of, in two bytes)
UTF16_NUL_SHARE = 0.9
#: control bytes that text does not hold (tab, newlines, form feed and ESC of ISO-2022 aside)
_CONTROL_BYTE = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")
#: control bytes beyond this share of the first 4 KB make bytes binary without a NUL among them
#: (compressed or random data holds one in twelve; a page, the odd stray one)
MAX_CONTROL_SHARE = 0.01
#: ... those control bytes: not backspace (overstruck text) nor ISO-2022-KR's shift out and in
_STRAY_CONTROL_BYTE = re.compile(rb"[\x01-\x07\x10-\x1a\x1c-\x1f]")
#: a text with a UTF-16/32 byte-order mark is refused when more of it than this does not decode
MAX_BAD_UNITS_SHARE = 0.01
#: (a UTF-8 BOM is dropped before these are tried: the text is then read as any page's)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
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
#: three stray bytes or more in a row: a word of another code page, not a Latin accent
_STRAY_RUN = re.compile("[\udc80-\udcff]{3,}")
#: stray bytes beside valid UTF-8 are read as Windows-1252 when at most this share of them stand in runs
MAX_STRAY_RUN_SHARE = 0.3
_NON_ASCII = re.compile("[^\x00-\x7f]")
_LOOSE_JAMO = re.compile("[\u3131-\u318e]")
_SYLLABLE = re.compile("[\uac00-\ud7a3]")
#: a guess whose non-ASCII characters are more than this share of loose Hangul jamo, with
#: hardly a syllable among them ("ㅋㅋ" amid Korean words is Korean), is retried as EUC-JP
LOOSE_JAMO_SHARE = 0.3
#: ... "hardly a syllable": fewer than one per this many loose jamo
JAMO_PER_SYLLABLE = 10
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
#: the codecs a declared or given charset may name: the web's, as Python calls them
_WEB_CODECS = {
    codecs.lookup(e).name for e in [*WEB_ENCODINGS, "iso2022_jp_2", "iso2022_kr", "utf_16_le", "utf_16_be"]
}
#: a page whose first line is something else (a server's warning, a saved header): a line
#: opening with the page's own tags or an XML declaration, or closing tags that text does not
#: write (a fragment)
_PAGE_LINE = re.compile(r"^[ \t]*<(?:!doctype|html|head|body|\?xml)\b", re.I | re.M)
_CLOSING_TAG = re.compile(r"</(?:p|div|span|a|li|td|tr|table|section|article|h[1-6]|ul|ol)>|<br\s*/?>", re.I)
#: closing tags (and line breaks) that make a fragment HTML ("Use </p> to end one" is text)
MIN_CLOSING_TAGS = 3
#: a document that opens with an HTML tag (after comments: old pages start with a comment and
#: a script longer than the sniffed window) is a page; "<Name> said", "<b>Note</b>" or "<3"
#: open plain text. Possessive (*+) so that many comments cannot make it backtrack for ever.
_OPENS_WITH_TAG = re.compile(
    r"\s*(?:<!--(?:(?!-->).)*-->\s*)*+<(?:!doctype|(?:html|head|body|base|meta|title|link|style|script|"
    r"noscript|div|p|span|a|ul|ol|li|h[1-6]|pre|table|form|img|iframe|frameset|frame|font|center|section|"
    r"article|header|nav|main|footer|text|figure|svg|blockquote|strong|em|aside|dl|picture)[\s/>])",
    re.I | re.S,
)


#: where a document's content starts: after white space and a byte-order mark (a str read
#: from a file with one)
_FIRST_VISIBLE = re.compile(r"[^\s\ufeff]")


def decode(data: bytes, charset: str | None = None) -> str:
    """Decode page bytes: BOM, then valid UTF-8 (stray bytes in it read as Windows-1252), then
    `charset` (what the HTTP response said; a label no codec knows is ignored, as browsers
    do; a UTF-16 one comes before UTF-8 when the bytes hold NULs), then the page's declared
    charset, then a guess."""
    bom_utf8 = data.startswith(codecs.BOM_UTF8)
    if bom_utf8:
        data = data[len(codecs.BOM_UTF8) :]  # then read as any page: a stray byte is repaired below
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _wide_text(data, encoding, f"starts with a {encoding} byte-order mark")
    wide = _wide_codec(charset)
    if wide and not bom_utf8 and b"\x00" in data[:SNIFF_BYTES]:
        # UTF-16 without a byte-order mark: only the response's charset tells it (its ASCII
        # letters read as valid UTF-8, each beside a NUL; a page without NULs is not UTF-16)
        return _wide_text(data, wide, f"is said to be {wide}")
    if data.isascii() and _ISO2022.search(data):
        # 7-bit ISO-2022 (older Japanese and Korean pages) is valid ASCII, hence valid UTF-8:
        # its escape sequences tell it
        label = _declared_charset(data[:SNIFF_BYTES]) or ""
        guess = "iso2022_kr" if b"\x1b$)C" in data else "iso2022_jp_2"
        for encoding in (label, guess):
            if encoding.startswith("iso2022"):
                with suppress(UnicodeDecodeError):
                    return data.decode(encoding)
    # valid UTF-8 with non-ASCII bytes is almost never another encoding, whatever is declared
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mixed = data.decode("utf-8", errors="surrogateescape")
    stray = len(_STRAY.findall(mixed))
    valid = len(_NON_ASCII.findall(mixed)) - stray
    given, declared = web_codec(charset), _declared_charset(data[:SNIFF_BYTES])
    # Central European, Turkish or Baltic accents stand alone too: a page said to be in such
    # a code page is read in it, whatever UTF-8 characters its template holds
    western = (given or declared) in (None, "utf-8", "cp1252")
    if valid > stray or (valid and western and _latin_strays(mixed, stray)):
        # UTF-8 with stray bytes (text pasted from a Windows editor, a Latin-1 article in a
        # UTF-8 template): the page is UTF-8, and each stray byte is read as the Windows-1252
        # character it most likely is. Stray bytes that stand in runs are words of another
        # code page (Cyrillic, Greek, CJK): the page is not UTF-8 at all.
        return _STRAY.sub(lambda m: _cp1252(m.group()), mixed)
    for named in (given, declared):
        if named:
            try:
                # WHATWG's windows-1252 decodes every byte; Python's cp1252 lacks five of them
                return data.decode(named, errors="replace" if named == "cp1252" else "strict")
            except (UnicodeError, LookupError):
                pass  # a wrong declaration is common: fall through to detection
    return _guess(data)


def _latin_strays(mixed: str, stray: int) -> bool:
    """Whether a text's stray bytes (surrogate-escaped) stand mostly alone or in pairs, as the
    accented letters and quotes of a Latin script do ("caf\xe9", "\xab\xa0"), not in runs."""
    in_runs = sum(len(run) for run in _STRAY_RUN.findall(mixed))
    return in_runs <= MAX_STRAY_RUN_SHARE * stray


def _wide_text(data: bytes, encoding: str, what: str) -> str:
    """UTF-16/32 bytes as text, refused when much of them does not decode."""
    # as browsers do, a cut-off last code unit (a truncated download) becomes U+FFFD
    text = data.decode(encoding, errors="replace")
    if text.count("\ufffd") > MAX_BAD_UNITS_SHARE * len(text) + 1:
        raise DecodeError(f"{what}, but much of it is not {encoding}")
    return text


#: the media types of an HTML page
HTML_TYPES = ("text/html", "application/xhtml+xml")
#: a media type's type/subtype token (RFC 9110), wherever a broken header puts it
_MEDIA_TYPE = re.compile(r"[\w!#$&^.+-]+/[\w!#$&^.+-]+")


def media_type(content_type: str) -> str:
    """The media type a Content-Type header names ("text/html" of "Text/HTML; charset=utf-8",
    or of a broken "text/html charset=utf-8"); "" when it names none."""
    found = _MEDIA_TYPE.search(content_type)
    return found.group().lower() if found else ""


def content_type_charset(content_type: str) -> str | None:
    """The charset parameter of a Content-Type header ("text/html; charset=UTF-8"), if any."""
    _, _, rest = content_type.lower().partition("charset=")
    return rest.split(";")[0].strip(" \"'") or None


def web_codec(charset: str | None) -> str | None:
    """The codec of a charset someone gave (an HTTP response's, --encoding), None for none or
    a label that names no web encoding."""
    return _codec(charset.encode("ascii", "replace")) if charset else None


def _wide_codec(charset: str | None) -> str | None:
    """The UTF-16 codec a given charset names, None for any other; "utf-16" without a
    byte-order mark is little-endian, as browsers read it."""
    codec = web_codec(charset)
    if codec not in ("utf-16", "utf-16-le", "utf-16-be"):
        return None
    return "utf-16-le" if codec == "utf-16" else codec


def _cp1252(stray: str) -> str:
    raw = stray.encode("utf-8", errors="surrogateescape")
    return raw.decode("cp1252", errors="replace")


def _declared_charset(head: bytes) -> str | None:
    match = _DECLARED.search(head)
    return _codec(match.group(1) or match.group(2)) if match else None


def _codec(raw_label: bytes) -> str | None:
    """The codec of a charset label, read as browsers read it (WHATWG supersets); None for a
    label that names no web encoding ("unicode_escape", "undefined": a codec, but not a charset)."""
    label = raw_label.decode("ascii", "replace").strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    name = "cp1252" if name == "iso8859-1" else name  # every Latin-1 label, as browsers read it
    return name if name in _WEB_CODECS else None


def _guess(data: bytes) -> str:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[:GUESS_BYTES], cp_isolation=WEB_ENCODINGS))
    if matches:
        best = min(matches, key=lambda m: m.chaos)
        # the web's default single-byte encoding wins every near-tie (see TIE)
        chosen = next((m for m in matches if m.encoding == "cp1252" and m.chaos <= best.chaos + TIE), best)
        try:
            text = data.decode(_SUPERSETS.get(chosen.encoding, chosen.encoding))
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            jamo = len(_LOOSE_JAMO.findall(text))
            if (
                jamo > LOOSE_JAMO_SHARE * len(_NON_ASCII.findall(text))
                and len(_SYLLABLE.findall(text)) < jamo / JAMO_PER_SYLLABLE
            ):
                # Korean is written in syllables: loose jamo are Japanese kana read as EUC-KR
                with suppress(UnicodeDecodeError):
                    return data.decode("euc_jp")
            return text
    # cp1252 decodes all but five byte values; those become U+FFFD rather than an error
    return data.decode("cp1252", errors="replace")


def looks_like_html(text: str) -> bool:
    """Guess from content whether a string is an HTML page rather than plain text."""
    # white space first: a template's indentation can be longer than the sniffed window
    found = _FIRST_VISIBLE.search(text)
    start = found.start() if found else 0
    head = text[start : start + SNIFF_BYTES]
    return bool(
        _OPENS_WITH_TAG.match(head)
        or _PAGE_LINE.search(head)
        or len(_CLOSING_TAG.findall(head)) >= MIN_CLOSING_TAGS
    )


def utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when bytes without a byte-order mark read as UTF-16 (a NUL
    beside nearly every other byte: ASCII letters in two bytes), else None."""
    head = data[:SNIFF_BYTES]
    if len(head) < 4:
        return None
    for codec, high, low in (("utf-16-le", head[1::2], head[0::2]), ("utf-16-be", head[0::2], head[1::2])):
        # the high bytes NUL, the low ones not (all NULs, or UTF-32, are not UTF-16)
        if high.count(0) >= UTF16_NUL_SHARE * len(high) and low.count(0) <= (1 - UTF16_NUL_SHARE) * len(low):
            return codec
    return None


def looks_binary(data: bytes, charset: str | None = None) -> bool:
    """Whether bytes look like a binary file: a PDF, image or archive signature, or NUL or
    other control bytes (outside UTF-16/32 text, told by its BOM or by the `charset` given)
    beyond the odd stray one of a page."""
    head = data[:SNIFF_BYTES]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if head.startswith(_BINARY_SIGNATURES):
        return True
    if _wide_codec(charset):
        return False  # a NUL beside every ASCII letter is what UTF-16 is
    nuls = head.count(b"\x00")
    # a page may carry a stray NUL (a database dump); a short input has no room for one, and NULs
    # beside other control bytes are binary data
    stray = 1 if len(head) >= MIN_BYTES_FOR_A_STRAY_NUL else 0
    return (
        nuls > MAX_NUL_SHARE * len(head) + stray
        or (nuls > 0 and _CONTROL_BYTE.search(head) is not None)
        # as for NULs, a short input is not judged by a share (two stray bytes in 100)
        or (stray > 0 and len(_STRAY_CONTROL_BYTE.findall(head)) > MAX_CONTROL_SHARE * len(head) + stray)
    )
