"""Decoding and input detection."""

from __future__ import annotations

import codecs
import inspect
import random
from dataclasses import fields, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import cleaner
from cleaner.decoding import decode, looks_binary, looks_like_html
from cleaner.document import Document, PageFacts

from .conftest import SEED

TEXT = "Café naïve – “quoted” €5"


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", TEXT),
        ("windows-1252", TEXT),
        ("iso-8859-1", "Café naïve €5".replace("€", "")),
        ("iso-8859-15", "Café naïve €5"),
        ("iso-8859-2", "Zażółć gęślą jaźń"),
        ("windows-1251", "Привет, мир"),
    ],
)
def test_declared_charset(encoding: str, text: str) -> None:
    page = f'<html><head><meta charset="{encoding}"></head><body><p>{text}</p></body></html>'
    assert text in decode(page.encode(encoding))


def test_undeclared_latin1_is_not_mojibake() -> None:
    assert decode(b"<p>caf\xe9 na\xefve, d\xe9j\xe0 vu, tr\xe8s \xe9l\xe9gant</p>") == (
        "<p>café naïve, déjà vu, très élégant</p>"
    )


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        # short Western texts that other code pages fit as well or a little better
        ("cp1252", "Le café est ouvert. Naïve façon de voir, déjà vu. La rénovation coûtera cher."),
        ("cp1252", "Ação de graças: o pão não é caro, disse João à multidão."),
        ("cp1252", "El niño comió paella en la playa; después, la señora llamó a su familia."),
        ("cp1252", "Die Straßenbahn fährt über die Brücke, während die Bürger warten."),
        # code pages the detector is sure of keep their letters
        ("cp1250", "Rząd ogłosił nowe środki wsparcia dla małych firm. Zażółć gęślą jaźń."),
        ("cp1250", "Příliš žluťoučký kůň úpěl ďábelské ódy. Vláda schválila nový zákon."),
        ("cp1251", "Правительство объявило о новых мерах поддержки для малого бизнеса."),
        ("cp1253", "Η κυβέρνηση ανακοίνωσε νέα μέτρα στήριξης για τις μικρές επιχειρήσεις."),
    ],
)
def test_undeclared_single_byte_text(encoding: str, text: str) -> None:
    assert decode(text.encode(encoding)) == text


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("shift_jis", "市立図書館が二年間の改修工事を終え、土曜日に再開した。"),
        ("gb18030", "经过两年的建设，沿江自行车道正式开通。"),
        # 7-bit: valid ASCII, so valid UTF-8; its escape sequences tell it
        ("iso2022_jp", "市立図書館が二年間の改修工事を終え、土曜日に再開した。"),
        ("iso2022_kr", "시립 도서관이 2년간의 공사를 마치고 토요일에 다시 문을 열었다."),
    ],
)
def test_cjk_with_and_without_declaration(encoding: str, text: str) -> None:
    body = f"<html><body><p>{text * 5}</p></body></html>"
    declared = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={encoding}"></head>{body}'
    )
    assert text in decode(declared.encode(encoding))
    assert text in decode(body.encode(encoding))


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        (
            "euc-jp",
            "きょうは いい てんき です ね。あしたも はれる でしょう。",
        ),  # kana only: EUC-KR's jamo rows
        ("euc-jp", "東京都は火曜日、新しい公園の計画を発表した。"),
        ("euc-kr", "서울시는 화요일 새로운 공원 계획을 발표했다. 많은 시민들이 환영하고 있다."),
        ("euc-kr", "ㅋㅋㅋㅋㅋㅋ 진짜 웃기다 ㅠㅠ"),  # loose jamo amid syllables: still Korean
    ],
)
def test_short_undeclared_east_asian_text(encoding: str, text: str) -> None:
    assert decode(text.encode(encoding)) == text


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_byte_order_marks(bom: bytes) -> None:
    codec = {codecs.BOM_UTF8: "utf-8", codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}[
        bom
    ]
    decoded = decode(bom + f"<p>{TEXT}</p>".encode(codec))
    assert decoded.lstrip("\ufeff") == f"<p>{TEXT}</p>"


CZECH = "Vláda dnes oznámila nová opatření pro malé firmy. Ministr řekl, že změny začnou platit v lednu."


def test_the_charset_of_the_http_response_is_used_before_a_guess() -> None:
    page = f"<html><body><p>{CZECH}</p></body></html>"
    data = page.encode("cp1250")  # undeclared: on its own, a guess between Central and Western code pages
    assert (
        decode(data, "windows-1250") == decode(data, ' "Windows-1250"') == page
    )  # labels read as browsers do
    for label in ("no-such-charset", "undefined", "unicode_escape"):  # not web encodings: ignored
        assert decode(data, label) == decode(data)
    assert decode(page.encode(), "iso-8859-1") == page  # valid UTF-8 is UTF-8, whatever a server says
    assert CZECH in cleaner.Cleaner().clean_html(data, encoding="windows-1250").text
    assert CZECH in cleaner.clean_html(data, encoding="windows-1250")
    with pytest.raises(cleaner.ConfigError, match="encoding must be a charset name"):
        cleaner.Cleaner().clean_html(data, encoding=1250)  # type: ignore[arg-type]


def test_mostly_utf8_page_with_stray_windows_bytes() -> None:
    page = f'<meta charset="utf-8"><p>{TEXT}</p>'.encode() + b"<p>caf\xe9 at 5\x80, it\x92s</p>"
    assert decode(page).endswith(f"<p>{TEXT}</p><p>café at 5€, it’s</p>")


@pytest.mark.parametrize(
    ("valid", "stray", "expected"),
    [
        # as many stray bytes as UTF-8 characters: one of each
        ("It’s done.", b"Don\x92t worry.", "Don’t worry."),
        # a Latin-1 article in a UTF-8 template: more stray bytes than UTF-8 characters
        (
            "© 2026 Gazette – Accueil",
            "Le café du coin: une façon naïve, très élève à Noël.".encode("cp1252"),
            None,
        ),
    ],
)
def test_utf8_page_with_windows_1252_text_in_it(valid: str, stray: bytes, expected: str | None) -> None:
    page = f'<meta charset="utf-8"><p>{valid}</p><p>'.encode() + stray + b"</p>"
    for charset in (None, "utf-8"):
        assert (
            decode(page, charset)
            == f'<meta charset="utf-8"><p>{valid}</p><p>{expected or stray.decode("cp1252")}</p>'
        )


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("windows-1250", "Příliš žluťoučký kůň úpěl ďábelské ódy."),
        ("iso-8859-2", "Zażółć gęślą jaźń, powiedział minister."),
        ("windows-1254", "Şişli'de ığdır, dedi bakan."),
    ],
)
def test_a_page_in_another_latin_code_page_keeps_it_beside_a_utf8_character(charset: str, text: str) -> None:
    # Central European and Turkish accents stand alone as Western ones do: the charset decides
    body = f"<p>{text}</p>".encode(charset)
    template = "<footer>© 2026 – Gazeta</footer>".encode()
    declared = f'<meta charset="{charset}">'.encode() + body + template
    assert text in decode(declared)
    assert text in decode(body + template, charset)


def test_a_single_byte_page_with_what_reads_as_a_utf8_character_stays_single_byte() -> None:
    # "И»" in Windows-1251 is the valid UTF-8 of "Ȼ": the page's other bytes stand in words, not alone
    text = "Правительство объявило о мерах «ПОДДЕРЖКИ» для малого бизнеса. Новые правила вступят в силу в январе."
    assert decode(text.encode("cp1251")) == text
    page = f'<html><head><meta charset="windows-1251"></head><body><p>{text}</p></body></html>'
    assert decode(page.encode("cp1251")) == page


def test_the_five_bytes_windows_1252_leaves_unassigned_do_not_lose_the_declaration() -> None:
    text = "Le café du coin: une façon naïve de garçon, très élève à Noël."
    page = f'<meta charset="windows-1252"><p>{text}</p>'.encode("cp1252") + b"<p>x\x9d</p>"
    expected = f'<meta charset="windows-1252"><p>{text}</p><p>x\ufffd</p>'
    assert decode(page) == decode(page, "iso-8859-1") == expected


@pytest.mark.parametrize("charset", ["utf-16le", "UTF-16BE", "utf-16"])
def test_utf16_without_a_byte_order_mark_is_read_when_the_charset_is_given(charset: str) -> None:
    page = f"<html><body><article><p>{TEXT}</p></article></body></html>"
    data = page.encode("utf-16-be" if charset == "UTF-16BE" else "utf-16-le")
    assert looks_binary(data)  # NUL beside every ASCII letter: binary, unless told
    assert not looks_binary(data, charset)
    assert decode(data, charset) == page
    assert TEXT in cleaner.Cleaner().clean_html(data, encoding=charset).text
    with pytest.raises(cleaner.DecodeError, match="is said to be utf-16-le, but much of it is not"):
        decode(bytes(range(0xD8, 0xDC)) * 200 + b"\x00", "utf-16le")
    # a page with a UTF-8 byte-order mark, or without a NUL, is not UTF-16 whatever is said
    assert decode(codecs.BOM_UTF8 + page.encode(), charset) == page
    assert decode(page.encode(), charset) == page
    assert looks_binary(b"%PDF-1.7\n\x00\x00", charset)  # a signature still tells binary


def test_a_byte_order_mark_does_not_make_a_page_fail_on_one_byte() -> None:
    page = f'<meta charset="utf-8"><p>{TEXT}</p>'.encode() + b"<p>caf\xe9 at 5\x80</p>"
    assert decode(codecs.BOM_UTF8 + page) == decode(page)  # the stray bytes repaired, as without the mark
    cut = codecs.BOM_UTF16_LE + f"<p>{TEXT}</p>".encode("utf-16-le")[:-1]  # a download one byte short
    assert decode(cut) == f"<p>{TEXT}</p" + "\ufffd"  # the half code unit at the end, replaced
    with pytest.raises(cleaner.DecodeError, match="utf-16 byte-order mark, but much of it is not utf-16"):
        decode(codecs.BOM_UTF16_LE + bytes(range(0xD8, 0xDC)) * 200)  # lone surrogates: not text


def test_utf8_declaration_on_a_windows_1252_page() -> None:
    page = f'<meta charset="utf-8"><p>{TEXT}</p>'.encode("cp1252")
    assert TEXT in decode(page)


def test_wrong_declaration_of_utf8_page() -> None:
    page = f'<meta charset="iso-8859-1"><p>{TEXT}</p>'.encode()
    assert TEXT in decode(page)


def test_binary_detection() -> None:
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert looks_binary(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >>")  # no NUL in its head
    page = "<html><body><p>" + "A page with a stray NUL from a database dump. " * 20 + "</p></body></html>"
    assert not looks_binary(page.replace("stray", "str\x00ay", 1).encode())
    assert "stray" in cleaner.Cleaner().clean_html(page.replace("stray", "str\x00ay", 1).encode()).text
    assert not looks_binary(codecs.BOM_UTF16_LE + "<p>x</p>".encode("utf-16-le"))
    with pytest.raises(cleaner.InputError, match="binary"):
        cleaner.Cleaner().clean(b"\x00\x01\x02 binary")
    # random bytes without a NUL (a compressed stream of an unknown format): control bytes tell them
    rng = random.Random(1)
    noise = bytes(rng.randrange(1, 256) for _ in range(5000))
    assert looks_binary(noise)
    with pytest.raises(cleaner.InputError, match="binary"):
        cleaner.Cleaner().clean(noise)
    # a text may carry a stray control byte (a DOS file's closing ^Z, a form's \x1f), a short
    # one two, overstruck text backspaces (`man ls | cat`), ISO-2022-KR shifts out and in
    assert not looks_binary(page.replace("stray", "str\x1fay", 1).encode() + b"\x1a")
    assert not looks_binary(b"Price\x1f list\x1f")
    assert not looks_binary(b"N\x08NA\x08AM\x08ME\x08E\n" * 200)
    korean = (
        "<html><body><p>"
        + "정부는 오늘 중소기업을 위한 새로운 지원 대책을 발표했다. " * 20
        + "</p></body></html>"
    )
    assert not looks_binary(korean.encode("iso2022_kr"))
    assert "정부는" in cleaner.Cleaner().clean_html(korean.encode("iso2022_kr"), encoding="iso-2022-kr").text


@pytest.mark.parametrize(
    "page",
    [
        "<!DOCTYPE html><html><body><p>Hi</p></body></html>",
        "  <div class='x'>text</div>",
        # old pages open with a comment and a script longer than the sniffed window
        "<!--section:sports-->\n<script>" + "var x = 1;\n" * 800 + "</script><p>Hi</p>",
        '\n<script language="JavaScript">' + "var a = 'b';\n" * 800 + "</script>",
        '<text id="x">\n<pre>\nA page saved inside a wrapper element.\n</pre></text>',
        "Warning: include(header.php) failed\n<!DOCTYPE html><html><body><p>Hi</p></body></html>",
        '<?xml version="1.0" encoding="utf-8"?>' + " " * 5000 + "<html><body><p>Hi</p></body></html>",
        "An intro without a tag <p>One.</p><p>Two.</p><p>Three.</p>",
        "\ufeff<!DOCTYPE html><html><head>" + "<meta name='x' content='y'>" * 200 + "</head><body><p>Hi</p>",
        "A line<br>Another line<br>A third<br>",
        "<figure><img src='a.jpg'><figcaption>A caption</figcaption></figure>",
        # a template's indentation longer than the sniffed window
        " " * 5000 + "<html><body><p>Hi</p></body></html>",
        "\n" * 5000 + "<div class='x'>text</div>",
        "\ufeff" + " " * 5000 + "<html><body><p>Hi</p></body></html>",
    ],
)
def test_html_detection(page: str) -> None:
    assert looks_like_html(page)
    assert cleaner.Cleaner().clean(page.encode()).text != page.strip()


@pytest.mark.parametrize(
    "text",
    [
        "A plain article.\nWith two lines <3",
        "Prices rose 3 < 4 percent.\nAs <expected>, a + b.",
        "Use <li> for list items.\nAnd <ul> around them.\nThat is all.",
        "Math: if a <b and c <li then d.\nNothing else.",
        "<https://example.org> is where it was first published.\nSecond line.",
        "Put <!-- comments --> and <script> tags in the head.\nThird line.",
        "<Name> said hello to everyone.\nThen left.",
        "<user123> hi all\n<other> hello",
        "<b>Note</b> this article was updated.\nSecond line.",
        # a text about HTML, or mentioning a tag
        "# Title\n\nSome text with a <br> line break in it.\n\nAnother paragraph here.",
        "Every page starts with an <html> element; the visible part lives in <body>.\nUse <p> and <div>.",
        "Close a paragraph with </p>, a list item with </li>.\nThat is all.",
        # many comments before no tag: answered at once (a backtracking pattern took hours)
        "<!--a-->" * 40 + " text after comments\nSecond line.",
    ],
)
def test_plain_text_is_not_taken_for_html(text: str) -> None:
    assert not looks_like_html(text)
    assert cleaner.Cleaner().clean(text).text == text


def test_text_document_keeps_every_byte() -> None:
    text = "First line.\r\nSecond  line\twith tabs.\n\nAfter a blank line."
    assert Document.from_text(text).text == text
    assert cleaner.clean_text(text) == text


def test_results_hash_and_compare_as_values(seed_text: str) -> None:
    one, two = cleaner.Cleaner().clean_text(seed_text), cleaner.Cleaner().clean_text(seed_text)
    assert one == two and hash(one) == hash(two) and len({one, two}) == 1
    assert one != cleaner.Cleaner().clean_text(seed_text + "\nOne more line of the text.")


def test_empty_inputs() -> None:
    assert cleaner.clean_text("") == ""
    assert cleaner.clean_html("") == ""
    assert cleaner.clean_html(b"<html><head><title>x</title></head></html>") == ""


def test_unknown_option_is_a_config_error() -> None:
    with pytest.raises(cleaner.ConfigError, match="unknown option"):
        cleaner.clean_text("x", treshold=0.3)
    with pytest.raises(cleaner.ConfigError, match="between 0 and 1"):
        cleaner.clean_text("x", trailing_threshold=3)


def test_text_that_looks_like_html_is_cleaned_as_text_when_told() -> None:
    text = "<p>The council met on Tuesday.</p>\n<p>It voted to keep the library open.</p>"
    assert cleaner.Cleaner().clean(text).source == "html"
    result = cleaner.Cleaner().clean_text(text)
    assert (result.source, result.text) == ("text", text)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda c: c.clean("x", kind="xml"),
            cleaner.ConfigError,
            "input kind must be auto, html or text, not 'xml'",
        ),
        (lambda c: c.clean(123), cleaner.InputError, "expected str or bytes, got int"),
        (lambda c: c.clean(b"PK\x03\x04\x00\x00binary"), cleaner.InputError, "binary file"),
        (lambda c: cleaner.Cleaner(0.5), cleaner.ConfigError, "options are keywords"),
        (
            lambda c: cleaner.Cleaner(settings={"fast": True}),
            cleaner.ConfigError,
            "must be a cleaner.Settings",
        ),
        # a path where the page's contents belong: it was "cleaned" into itself
        (
            lambda c: c.clean_html("/data/crawl/page-001.html"),
            cleaner.InputError,
            "looks like a file path or URL",
        ),
        (lambda c: c.clean("page.html.gz"), cleaner.InputError, "pass the file's contents"),
        (lambda c: c.clean_html(" https://example.com/news/1\n"), cleaner.InputError, "file path or URL"),
        (
            lambda c: c.clean(cleaner.Document(lines=["a\nb", "c"])),
            cleaner.InputError,
            "each without a newline",
        ),
        (lambda c: c.clean(cleaner.Document(lines="a\nb")), cleaner.InputError, "lines are a list of str"),
        (lambda c: c.clean(cleaner.Document(["a"], metadata=None)), cleaner.InputError, "metadata is a dict"),  # type: ignore[arg-type]
        (
            lambda c: c.clean(cleaner.Document(["a"], "html", page={})),
            cleaner.InputError,
            "page is PageFacts",
        ),  # type: ignore[arg-type]
        (
            lambda c: c.clean(
                cleaner.Document(["a", "b"], "html", page=replace(PageFacts.empty(2), block=np.zeros(1)))
            ),
            cleaner.InputError,
            r"page facts \(block\) of 1 lines for 2 lines",
        ),
        (
            lambda c: c.clean(
                cleaner.Document(["a", "b"], "html", page=replace(PageFacts.empty(2), link_share=0.5))
            ),
            cleaner.InputError,
            r"page facts \(link_share\) of no lines for 2 lines",
        ),
        (lambda c: cleaner.Document.from_text(b"a\nb"), cleaner.InputError, "takes str, not bytes"),
        (
            lambda c: cleaner.clean_html("<p>x</p>", with_metadata=True),
            cleaner.ConfigError,
            r"with_metadata is not a setting: Cleaner\(\)\.clean_html\(\.\.\., with_metadata=True\)",
        ),
        (
            lambda c: cleaner.Document(lines=["a"], source="pdf"),
            cleaner.InputError,
            "'html' or 'text', not 'pdf'",
        ),
        (lambda c: cleaner.Cleaner(model=cleaner.__file__), cleaner.ModelError, "a file, not a model folder"),
        (lambda c: setattr(c, "settings", cleaner.Settings(fast=True)), AttributeError, "settings"),
    ],
)
def test_what_clean_cannot_take_is_a_typed_error(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call(cleaner.Cleaner())


def test_a_file_name_is_still_text_when_cleaned_as_text_and_results_never_alias_the_document() -> None:
    assert cleaner.Cleaner().clean_text("page.html").text == "page.html"
    doc = cleaner.Document(lines=["One line."], metadata={"title": "T"})
    result = cleaner.Cleaner().clean(doc)
    assert result.metadata == {"title": "T"} and result.metadata is not doc.metadata


@pytest.mark.parametrize(
    "source", ["One line.\nTwo lines.", "<html><body><p>One paragraph.</p></body></html>"]
)
def test_a_malformed_url_names_no_host(source: str) -> None:
    result = cleaner.Cleaner().clean(source, url="http://[bad", with_metadata=True)
    assert result.metadata["url"] == "http://[bad" and result.metadata["hostname"] is None


def test_a_url_that_is_not_a_string_is_an_input_error() -> None:
    with pytest.raises(cleaner.InputError, match="url must be a string"):
        cleaner.Cleaner().clean_html("<html><body><p>x</p></body></html>", url=123)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("trailing_threshold", "0.5", "a number between 0 and 1"),
        ("trailing_threshold", True, "a number between 0 and 1"),
        ("cue_threshold", float("nan"), "a number between 0 and 1"),
        ("time_limit", "10", "number of seconds"),
        ("time_limit", float("nan"), "number of seconds"),
        ("time_limit", float("inf"), "seconds >= 0 \\(0: no limit\\)"),
        ("min_lines", None, "whole number"),
        ("min_lines", 2.5, "whole number"),
        ("fast", "no", "True or False"),
        ("include_comments", 1, "True or False"),
        ("time_limit", 2**1100, "number of seconds"),
        ("min_lines", 2**1100, "whole number"),
        ("guard_threshold", Decimal("NaN"), "a number between 0 and 1"),
        ("trailing_threshold", -0.1, "a number between 0 and 1"),
        ("max_removed_share", 1.5, "a number between 0 and 1"),
        ("max_removed_share", None, "a number between 0 and 1, got None"),
        ("guard_threshold", None, "a number between 0 and 1, got None"),
        ("time_limit", -1, "a number of seconds >= 0 \\(0: no limit\\)"),
        ("min_lines", -1, "whole number >= 0"),
    ],
)
def test_an_option_of_the_wrong_kind_is_a_config_error(option: str, value: object, message: str) -> None:
    """Caught where the option is given, not as a TypeError (or a mode silently on) later."""
    with pytest.raises(cleaner.ConfigError, match=f"{option} must be .*{message}") as raised:
        cleaner.Cleaner(**{option: value})
    assert raised.value.setting == option
    assert raised.value.naming("--x").startswith("--x must be ")  # a caller names it its own way


@pytest.mark.parametrize(
    ("option", "value", "stored"),
    [
        ("trailing_threshold", np.float32(0.5), 0.5),
        ("trailing_threshold", Fraction(3, 4), 0.75),
        ("trailing_threshold", 1, 1.0),
        ("time_limit", np.int64(10), 10.0),
        ("min_lines", np.int64(3), 3),
        ("min_lines", 3.0, 3),
        ("cue_threshold", Decimal("0.25"), 0.25),
        ("fast", np.bool_(True), True),
    ],
)
def test_numbers_of_any_numeric_type_are_stored_as_python_numbers(
    option: str, value: object, stored: object
) -> None:
    """A threshold swept over a numpy column works; the settings hold plain Python values."""
    settings = cleaner.Cleaner(**{option: value}).settings
    assert getattr(settings, option) == stored
    assert type(getattr(settings, option)) is type(stored)


def test_a_gzip_member_that_inflates_past_a_block_is_followed_by_the_next() -> None:
    # one read of it inflates past the inflater's block: the member's end came in a later
    # call, whose leftover input zlib keeps as unconsumed_tail too (it looped for ever)
    import gzip
    import io

    from cleaner.gzipped import gunzip, inflating

    first = b"".join(b"line %d of a long and repetitive record\n" % (i % 7) for i in range(60_000))
    data = gzip.compress(first) + gzip.compress(b"the second member\n")
    assert len(first) > 2**20
    assert gunzip(data) == first + b"the second member\n"
    assert inflating(io.BytesIO(data)).readlines()[-1] == b"the second member\n"


def test_gzipped_page_is_inflated() -> None:
    import gzip

    page = (
        b"<html><body><article>"
        + b"<p>A paragraph of real article text for the test.</p>" * 6
        + b"</article></body></html>"
    )
    assert cleaner.clean_html(gzip.compress(page)) == cleaner.clean_html(page) != ""
    # members written one after another (`cat a.gz b.gz`, a resumed download): all of them
    half = len(page) // 2
    assert cleaner.clean_html(gzip.compress(page[:half]) + gzip.compress(page[half:])) == cleaner.clean_html(
        page
    )
    with pytest.raises(cleaner.InputError, match="gzip data is corrupt"):
        cleaner.clean_html(gzip.compress(page)[:-30] + b"garbage-garbage-garbage-garbage")
    packed = gzip.compress(page)
    with pytest.raises(cleaner.InputError, match="gzip data is truncated"):
        cleaner.clean_html(packed[: len(packed) // 2])  # half a download: not half a page


@pytest.mark.parametrize(
    ("opening", "depth"),
    [
        ("<div>", 10_000),
        ("<div><i>", 130),
        ("<b>", 300),
        ("<ul>", 300),
        ("<dl><dd>", 300),
        ("<q>", 300),
        ("<label>", 300),
        ('<my-widget class="w">', 300),  # custom elements nest as deep
    ],
)
def test_text_under_pathological_nesting_is_found(opening: str, depth: int) -> None:
    paragraph = "<p>" + "Real article text that sits far below the parser's depth limit. " * 4 + "</p>"
    closing = "".join(f"</{tag}" for tag in reversed(opening.split("<")[1:]))
    page = "<html><body>" + opening * depth + paragraph * 4 + closing * depth + "</body></html>"
    assert "far below the parser's depth limit" in cleaner.clean_html(page)


@pytest.mark.parametrize(
    "huge",
    [
        '<img src="data:image/png;base64,{}">',  # a saved page's inline image
        "<script>var data = '{}';</script>",
        "<!-- {} -->",
    ],
)
def test_text_after_a_run_too_long_for_the_parser_is_found(huge: str) -> None:
    # libxml2 stops at 10 MB without a tag: the article after such a run was lost
    paragraph = "<p>" + "Real article text that sits after a huge inline item. " * 4 + "</p>"
    page = "<html><body>" + huge.format("A" * 10_100_000) + paragraph * 4 + "</body></html>"
    text = cleaner.clean_html(page)
    assert "after a huge inline item" in text and "<" not in text  # the tag it sat in went too


def test_utf16_without_a_byte_order_mark_is_named() -> None:
    page = "<html><body>" + "<p>Real article text, in two bytes a letter.</p>" * 8 + "</body></html>"
    for codec in ("utf-16-le", "utf-16-be"):
        with pytest.raises(
            cleaner.InputError, match=f"UTF-16 text without a byte-order mark: pass encoding='{codec}'"
        ):
            cleaner.clean_html(page.encode(codec))
        assert "in two bytes a letter" in cleaner.clean_html(page.encode(codec), encoding=codec)
    for other in (b"\x00" * 1000, page.encode("utf-32-le")[:2000]):  # NULs alone, UTF-32: not UTF-16
        with pytest.raises(cleaner.InputError, match="looks like a binary file"):
            cleaner.clean_html(other)


def test_a_document_with_metadata_gets_every_key_and_is_left_unchanged() -> None:
    doc = cleaner.Document.from_text("One line.\nTwo lines.")
    doc.metadata = {"title": "Given", "author": None, "lang": "en"}
    result = cleaner.Cleaner().clean(doc, url="https://www.example.com/a", with_metadata=True)
    assert set(cleaner.extract.METADATA_FIELDS) <= set(result.metadata)
    assert result.metadata["title"] == "Given" and result.metadata["lang"] == "en"
    assert result.metadata["hostname"] == "example.com"
    assert doc.metadata == {"title": "Given", "author": None, "lang": "en"}


def test_a_page_and_its_text_name_the_same_host() -> None:
    url = "https://www.example.com/news/a"
    page = "<html><body><p>One paragraph of the article, long enough to be kept.</p></body></html>"
    hosts = {
        cleaner.Cleaner().clean(source, url=url, with_metadata=True).metadata["hostname"]
        for source in (page, "One paragraph of the article.")
    }
    assert hosts == {"example.com"}


def test_settings_take_the_options_the_cli_takes() -> None:
    with pytest.raises(cleaner.ConfigError, match=r"unknown option.*foo; the settings are: "):
        cleaner.Settings(foo=1)  # type: ignore[call-arg]
    assert cleaner.Settings(time_limit=0).time_limit is None  # as --time-limit 0
    assert list(inspect.signature(cleaner.Settings).parameters) == [f.name for f in fields(cleaner.Settings)]
    text = SEED.read_text(encoding="utf-8").rstrip("\n")
    assert cleaner.clean_text(text) != text  # its teasers go by default...
    assert (
        cleaner.clean_text(text, settings=cleaner.Settings(trailing_threshold=1.0)) == text
    )  # ...not at 1.0
    with pytest.raises(cleaner.ConfigError, match=r"settings must be a cleaner\.Settings"):
        cleaner.clean_text(text, settings={"fast": True})


def test_a_cleaner_with_a_relative_model_folder_unpickles_in_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle
    import shutil

    from cleaner.model import default_model_dir

    shutil.copytree(default_model_dir(), tmp_path / "m")
    monkeypatch.chdir(tmp_path)
    shipped = pickle.dumps(cleaner.Cleaner(model="m"))
    monkeypatch.chdir(tmp_path.parent)  # a worker started elsewhere (Dask, spawn)
    assert pickle.loads(shipped).clean_text(SEED.read_text(encoding="utf-8")).removed
