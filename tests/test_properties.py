"""Invariants over arbitrary input (hypothesis)."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import cleaner
from cleaner.errors import InputError
from cleaner.result import CleanResult

from .conftest import SEED

lines = st.lists(st.text(st.characters(blacklist_characters="\n"), max_size=120), max_size=25)


def _is_in_order_subset(out: list[str], src: list[str]) -> bool:
    it = iter(src)
    # the last line kept may lose the "\r" of a CRLF break cut after it
    return all(any(line in (s, s.removesuffix("\r")) for s in it) for line in out)


@settings(max_examples=200, deadline=None)
@given(lines)
def test_output_lines_are_an_in_order_subset_of_input_lines(src: list[str]) -> None:
    text = "\n".join(src)
    out = cleaner.clean_text(text)
    assert out == "" or _is_in_order_subset(out.split("\n"), src)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_characters="\r\n"), max_size=120), max_size=25))
def test_crlf_text_cleans_as_its_lf_twin(src: list[str]) -> None:
    lf = cleaner.Cleaner().clean_text("\n".join(src) + "\n")
    crlf = cleaner.Cleaner().clean_text("\r\n".join(src) + "\r\n")
    assert crlf.text == lf.text.replace("\n", "\r\n")
    assert (crlf.newline, lf.newline) == ("\r\n", "\n")


@settings(max_examples=60, deadline=None)
@given(lines, st.sampled_from(["\n", "\r\n"]))
def test_a_result_is_the_same_after_its_json(head: list[str], newline: str) -> None:
    # the seed's teasers, blank-separated, after random lines: removed lines and dropped blanks
    text = newline.join(head) + newline * 2 + (newline * 2).join(SEED.read_text(encoding="utf-8").split("\n"))
    result = cleaner.Cleaner().clean_text(text)
    assert result.removed and result.blank_lines_dropped
    assert CleanResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


_LINE = {"line": 0, "text": "x", "score": 1, "reason": "r"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "a clean result is an object, not list"),
        ({"removed": []}, "^text: missing"),
        (
            {"text": "a", "removed": [_LINE, {**_LINE, "score": None}]},
            r"removed\[1\]\.score: NoneType where float",
        ),
        ({"text": "a", "removed": [{**_LINE, "line": True}]}, r"removed\[0\]\.line: bool where int"),
        (
            {"text": "a", "removed": [{**_LINE, "score": float("nan")}]},
            r"removed\[0\]\.score: nan is out of range",
        ),
        (
            {"text": "a", "removed": [{**_LINE, "score": 10**400}]},
            r"removed\[0\]\.score: 1000.* is out of range",
        ),
        ({"text": "a", "removed": [{**_LINE, "line": -1}]}, r"removed\[0\]\.line: -1 is out of range"),
        ({"text": "a", "removed": ["x"]}, r"removed\[0\]: an object, not str"),
        ({"text": "a", "metadata": []}, "metadata: list where dict belongs"),
        (
            {"text": "a", "blank_lines_dropped": [1, "2"]},
            r"blank_lines_dropped\[1\]: '2' is not a line number",
        ),
        ({"text": "a", "newline": "\r"}, "not one cleaner writes"),
        ({"text": "a", "lines_in": -5}, "lines_in: -5 is out of range"),
    ],
)
def test_a_result_read_from_broken_json_names_the_field(data: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        CleanResult.from_dict(data)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_text_never_raises(text: str) -> None:
    assert isinstance(cleaner.clean_text(text), str)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_clean_html_never_raises_on_strings(text: str) -> None:
    assert isinstance(cleaner.clean_html(f"<html><body><p>{text}</p></body></html>"), str)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_bytes_either_clean_or_raise_input_error(data: bytes) -> None:
    with contextlib.suppress(cleaner.InputError):
        assert isinstance(cleaner.clean_html(data), str)


_CLEANER = cleaner.Cleaner()
#: tags in odd places: after </html>, foreign (svg, math), unclosed, stray closers
_TAGS = [
    "</html>",
    "</body>",
    "<svg></svg>",
    "<math>",
    "<p>",
    "</p>",
    "<html>",
    "<body>",
    "<head>",
    "<title>x",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_TAGS) | st.text(max_size=40), max_size=12))
@example(["</body>", "</html>", "<svg></svg>"])  # htmldate raised a bare AssertionError on it
def test_odd_markup_cleans_or_fails_typed(parts: list[str]) -> None:
    with contextlib.suppress(cleaner.ExtractionError):  # with metadata: htmldate reads the tree too
        assert isinstance(_CLEANER.clean_html("".join(parts), with_metadata=True).text, str)


@given(st.lists(st.text(min_size=1, max_size=260).filter(str.strip), min_size=1, max_size=6))
def test_character_class_counts_equal_str_methods(lines: list[str]) -> None:
    from cleaner.document import Document
    from cleaner.features import CHAR_CLASS_PREFIX, Lines

    doc = Document.from_text("\n".join(line.replace("\n", " ") for line in lines))
    counts = Lines(doc).head_classes
    heads = [t[:CHAR_CLASS_PREFIX] for t in doc.row_texts]
    for name, test in (("upper", str.isupper), ("alpha", str.isalpha), ("digit", str.isdigit)):
        assert counts[name].tolist() == [float(sum(map(test, h))) for h in heads]


def test_a_results_repr_is_short_whatever_the_text() -> None:
    text = "A long paragraph of an article. " * 500
    shown = repr(CleanResult(text=text, lines_in=3, source="html"))
    assert len(shown) < 200 and f"({len(text):,} chars)" in shown and "lines_in=3" in shown
    assert repr(CleanResult(text="short")).startswith("CleanResult(text='short' (5 chars)")
