"""`cleaner review`: reading a batch's outputs, the report file, corrections for training."""

from __future__ import annotations

import codecs
import gzip
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cleaner
from cleaner.cli import app
from cleaner.errors import InputError, TrainingError
from cleaner.extract import extract
from cleaner.result import RemovedLine
from cleaner.review import read_outputs, write_report
from cleaner.review.outputs import merge_lines
from cleaner.training.corpus import collect
from cleaner.training.corrections import read_corrections

from .conftest import CASES, SEED

runner = CliRunner()
PAGES = sorted((CASES / "pages").glob("*.html"))
HOSTILE = [
    "<script>window.pwned = 1</script>",
    '<img src=x onerror="window.pwned = 1">',
    "</script><script>window.pwned = 1</script>",
    "Tom & Jerry <b>bold</b>",
]


def _batch(tmp_path: Path, *inputs: Path, name: str = "out") -> Path:
    out = tmp_path / name
    result = runner.invoke(app, ["clean", *map(str, inputs), "-o", str(out), "-f", "json", "-j", "1", "-q"])
    assert result.exit_code == 0, result.stderr
    return out


def _outside_scripts(html: str) -> str:
    return re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S)


def test_documents_come_back_with_every_line_in_place(tmp_path: Path) -> None:
    docs = {d.path: d for d in read_outputs(_batch(tmp_path, *PAGES, SEED))}
    assert len(docs) == len(PAGES) + 1
    for page in PAGES:
        doc = docs[str(page)]
        result = cleaner.Cleaner().clean(page.read_bytes())
        assert [r.line for r in doc.removed] == [r.line for r in result.removed]
        for r in doc.removed:
            assert doc.lines[r.line] == r.text
        assert [x for x in doc.lines if x.strip()] == [x for x in _lines_of(page) if x.strip()]
    seed = docs[str(SEED)]
    assert seed.lines == SEED.read_text(encoding="utf-8").split("\n")[: len(seed.lines)]
    assert len(seed.removed) == 6


def _lines_of(page: Path) -> list[str]:
    from cleaner.decoding import decode

    return extract(decode(page.read_bytes())).lines


def test_merge_puts_removed_lines_at_their_numbers_and_blank_separators_back() -> None:
    def r(n: int, text: str) -> RemovedLine:
        return RemovedLine(n, text, 0.9, "x")

    assert merge_lines(["A", "", "B"], [r(4, "teaser")], [3]) == ["A", "", "B", "", "teaser"]
    assert merge_lines(["A", "", "B"], [r(2, "teaser")], [3]) == ["A", "", "teaser", "", "B"]
    assert merge_lines(["a", "b"], [r(0, "h"), r(3, "t")]) == ["h", "a", "b", "t"]


def test_report_shows_removed_lines_scores_and_reasons_as_text(tmp_path: Path) -> None:
    out = _batch(tmp_path, *PAGES, SEED)
    result = runner.invoke(app, ["review", str(out), "-o", str(tmp_path / "review.html")])
    assert result.exit_code == 0, result.stderr
    html = (tmp_path / "review.html").read_text(encoding="utf-8")
    text = _outside_scripts(html)
    for doc in read_outputs(out):
        for r in doc.removed:
            assert f'<del class="text">{_escaped(r.text)}</del>' in text
            assert f'<span class="score">{r.score:.3f}</span>' in text
    assert "Removals by reason" in text and "<svg" in text and "in the trailing run" in text
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html), "no network resources"
    assert "Content-Security-Policy" in html and "unsafe-inline" not in html


def _escaped(text: str) -> str:
    from html import escape

    return escape(text)


def test_hostile_page_text_is_escaped_everywhere(tmp_path: Path) -> None:
    text = "\n".join(["A real first paragraph of the article, long enough to be body.", *HOSTILE])
    out = tmp_path / "out"
    out.mkdir()
    removed = [
        {"line": i + 1, "text": t, "score": 0.97, "reason": f"in the trailing run; words: {t}"}
        for i, t in enumerate(HOSTILE)
    ]
    (out / "evil.json").write_text(
        json.dumps(
            {
                "path": "<script>evil</script>.html",
                "text": text.split("\n")[0],
                "source": "text",
                "metadata": {},
                "lines_in": 5,
                "removed": removed,
            }
        ),
        encoding="utf-8",
    )
    write_report(read_outputs(out), tmp_path / "review.html", title="<i>title</i>")
    html = (tmp_path / "review.html").read_text(encoding="utf-8")
    body = _outside_scripts(html)
    for line in HOSTILE:
        assert line not in body
        assert _escaped(line) in body
    data = re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S)
    assert data is not None and "<" not in data.group(1)
    assert "<i>title</i>" not in html


def test_jsonl_and_web_archive_outputs_can_be_reviewed(tmp_path: Path) -> None:
    records = tmp_path / "in.jsonl"
    records.write_text(
        "".join(
            json.dumps({"id": p.stem, "html": p.read_bytes().decode("utf-8", "replace")}) + "\n"
            for p in PAGES[:3]
        ),
        encoding="utf-8",
    )
    assert (
        runner.invoke(
            app, ["clean", str(records), "--jsonl", "-o", str(tmp_path / "clean.jsonl"), "-q"]
        ).exit_code
        == 0
    )
    docs = read_outputs(tmp_path / "clean.jsonl")
    assert [d.record for d in docs] == [p.stem for p in PAGES[:3]]
    assert sum(len(d.removed) for d in docs) > 0
    # records saved under any name (`cleaner clean --jsonl in > out`) are read as records...
    (tmp_path / "clean.out").write_bytes((tmp_path / "clean.jsonl").read_bytes())
    assert [d.record for d in read_outputs(tmp_path / "clean.out")] == [d.record for d in docs]
    # ...and so is one --format json output saved under another name (its first line is "{")
    one = runner.invoke(app, ["clean", str(PAGES[0]), "--format", "json"])
    (tmp_path / "page.out").write_text(one.stdout, encoding="utf-8")
    assert [d.path for d in read_outputs(tmp_path / "page.out")] == [str(PAGES[0])]
    # ...and named .json, they are told apart from a --format json output
    (tmp_path / "clean.json").write_bytes((tmp_path / "clean.jsonl").read_bytes())
    with pytest.raises(InputError, match=r"records of a --jsonl run\? name the file .jsonl"):
        read_outputs(tmp_path / "clean.json")


def test_compare_shows_what_another_threshold_changed(tmp_path: Path) -> None:
    new = _batch(tmp_path, *PAGES, SEED)
    old_dir = tmp_path / "old"
    old = runner.invoke(
        app,
        ["clean", *map(str, [*PAGES, SEED]), "-o", str(old_dir), "-f", "json", "-q", "--threshold", "0.999"],
    )
    assert old.exit_code == 0, old.stderr
    result = runner.invoke(
        app, ["review", str(new), "--compare", str(old_dir), "-o", str(tmp_path / "c.html")]
    )
    assert result.exit_code == 0, result.stderr
    html = (tmp_path / "c.html").read_text(encoding="utf-8")
    changed = int(re.search(r"<b>(\d+)</b> documents changed", html).group(1))  # type: ignore[union-attr]
    assert changed > 0 and "newly removed" in html


def test_compare_matches_documents_by_their_place_in_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for page in PAGES:
        (src / page.name).write_bytes(page.read_bytes())
    absolute = _batch(tmp_path, src, name="absolute")
    monkeypatch.chdir(tmp_path)
    relative = _batch(Path("."), Path("in"), name="relative")  # the same batch, its input named another way
    pattern = re.compile(r"not in the previous run: <b>(\d+)</b>.*only in the previous run: <b>(\d+)</b>")
    for old, unmatched in [(absolute, None), (_batch(tmp_path, SEED), (str(len(PAGES)), "1"))]:
        result = runner.invoke(app, ["review", str(relative), "--compare", str(old), "-o", "c.html"])
        assert result.exit_code == 0, result.stderr
        html = (tmp_path / "c.html").read_text(encoding="utf-8")
        found = pattern.search(html)
        assert (
            found.groups() if found else None
        ) == unmatched  # another batch: nothing matches, and it says so
        if unmatched is None:
            assert "<b>0</b> documents changed" in html
        assert ("warning: no document of" in result.stderr) == (unmatched is not None)  # on stderr too
    assert runner.invoke(app, ["review", str(relative), "-o", "-"]).exit_code == 2
    assert not (tmp_path / "-").exists()


def test_outputs_without_removed_lines_are_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "text-out"
    runner.invoke(app, ["clean", str(SEED), "-o", str(out), "-q"])
    result = runner.invoke(app, ["review", str(out), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1 and "--format json" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("c.json", b"[]", "not a `cleaner clean --format json` output (TypeError"),
        ("f.jsonl.gz", b"not gzip", "f.jsonl.gz:1: not a cleaned record (JSONDecodeError"),
        ("b.jsonl", b"\xff\n", "cannot be read as cleaned records (UnicodeDecodeError"),
        ("n.json", b'{"path": "a", "text": 5, "removed": []}', "(TypeError: its text is not a string (int)"),
        ("r.json", b'{"path": "a", "text": "x"}', "(no 'removed' field)"),
        ("m.json", b'{"x": 1}', "(no 'text' field)"),
        (
            "s.json",
            b'{"text": "a", "removed": [{"line": 0, "text": "x", "reason": "r"}]}',
            "(InputError: removed[0].score: missing)",
        ),
        (
            "l.jsonl",
            b'{"clean_text": ["a"], "removed": []}\n',
            "l.jsonl:1: not a cleaned record (TypeError: its text",
        ),
        (
            "t.jsonl.gz",
            "truncated",
            "cannot be read as cleaned records (TruncatedError: gzip data is truncated",
        ),
    ],
)
def test_a_broken_output_is_named_with_its_reason(
    tmp_path: Path, name: str, content: bytes | str, message: str
) -> None:
    path = tmp_path / name
    if content == "truncated":
        records = runner.invoke(
            app, ["clean", "--jsonl", "-", "--field", "text"], input='{"text": "A.\\nB."}\n'
        )
        content = gzip.compress(records.stdout.encode("utf-8") * 50)[:-30]
    path.write_bytes(content)
    result = runner.invoke(app, ["review", str(path), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    assert f"error: {path}" in result.stderr and message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_other_json_files_in_the_folder_are_passed_over(tmp_path: Path) -> None:
    # a crawl's metadata saved beside the outputs is not an output (named alone, it is an error: above)
    out = _batch(tmp_path, CASES / "pages" / "01_related_list.html")
    (out / "metadata.json").write_text('{"crawled": "2026-01-01", "pages": 1}', encoding="utf-8")
    (out / "urls.json").write_text('["https://example.com/a"]', encoding="utf-8")
    result = runner.invoke(app, ["review", str(out), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.stderr
    assert "metadata.json" not in (tmp_path / "r.html").read_text(encoding="utf-8")
    (out / "broken.json").write_text('{"text": "x"}', encoding="utf-8")  # an output without its removed lines
    result = runner.invoke(app, ["review", str(out), "-o", str(tmp_path / "r2.html")])
    assert (
        result.exit_code == 1 and "broken.json: not a `cleaner clean --format json` output" in result.stderr
    )


def test_the_page_replaces_an_earlier_page_only(tmp_path: Path) -> None:
    out = _batch(tmp_path, CASES / "pages" / "01_related_list.html")
    page = tmp_path / "page.html"
    page.write_text("<html><body>a scraped page, not a review</body></html>", encoding="utf-8")
    before = page.read_bytes()
    result = runner.invoke(app, ["review", str(out), "-o", str(page)])
    assert result.exit_code == 2
    assert f"{page} exists and is not a review page: name a new file, or remove it" in result.stderr
    assert page.read_bytes() == before
    review = tmp_path / "review.html"
    for _ in range(2):  # the second run replaces the first's page
        assert runner.invoke(app, ["review", str(out), "-o", str(review)]).exit_code == 0
    corrupt = tmp_path / "corrupt.html.gz"  # gzip'd, so what it holds cannot be told
    corrupt.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage here")
    result = runner.invoke(app, ["review", str(out), "-o", str(corrupt)])
    assert result.exit_code == 2
    assert f"{corrupt} exists and cannot be read to tell whether it is a review page" in result.stderr


def _correction(doc, marks: dict[int, str]) -> dict:  # type: ignore[no-untyped-def]
    """A corrections record, as the report's Download button writes it."""
    return {
        "path": doc.path,
        "record": doc.record,
        "source": doc.source,
        "lines": doc.lines,
        "removed": sorted(r.line for r in doc.removed),
        "corrections": [
            {"line": n, "text": doc.lines[n], "label": label} for n, label in sorted(marks.items())
        ],
    }


def test_corrections_become_labelled_documents(tmp_path: Path) -> None:
    docs = {d.path: d for d in read_outputs(_batch(tmp_path, PAGES[0], SEED))}
    page, seed = docs[str(PAGES[0])], docs[str(SEED)]
    kept = next(
        n for n, line in enumerate(seed.lines) if line.strip() and n not in {r.line for r in seed.removed}
    )
    path = tmp_path / "corrections.jsonl"
    records = [_correction(page, {page.removed[0].line: "body"}), _correction(seed, {kept: "junk"})]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    html_doc, text_doc = read_corrections(path)
    assert html_doc.doc.page is not None, "the HTML page was re-read: its page facts are there"
    assert html_doc.source == "corrections" and html_doc.weight == text_doc.weight > 1
    rows = list(html_doc.doc.rows)
    assert html_doc.labels[rows.index(page.removed[0].line)] == 0  # wrongly removed -> body
    assert all(html_doc.labels[rows.index(r.line)] == 1 for r in page.removed[1:])
    assert text_doc.labels[list(text_doc.doc.rows).index(kept)] == 1  # junk that was kept


def test_a_page_that_cannot_be_used_again_is_noted_and_marks_of_two_downloads_add_up(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(PAGES[0].read_bytes())
    doc = read_outputs(_batch(tmp_path, page))[0]
    removed = {r.line for r in doc.removed}
    kept = [n for n, line in enumerate(doc.lines) if line.strip() and n not in removed]
    first, later = tmp_path / "first.jsonl", tmp_path / "later.jsonl"
    # a second sitting: the review page opened again holds none of the first download's marks
    first_marks = {doc.removed[0].line: "junk", kept[0]: "junk"}
    first.write_text(json.dumps(_correction(doc, first_marks)) + "\n", encoding="utf-8")
    later_marks = {doc.removed[0].line: "body", kept[1]: "junk"}
    later.write_text(json.dumps(_correction(doc, later_marks)) + "\n", encoding="utf-8")
    notes: list[str] = []
    assert read_corrections(later, notes)[0].doc.page is not None and notes == []
    corpus = collect(SEED.parent, corrections=[first, later])
    (corrected,) = [d for d in corpus.docs if d.source == "corrections"]
    label = dict(zip(corrected.doc.rows, corrected.labels, strict=True))
    assert label[doc.removed[0].line] == 0  # marked in both: the later file's mark
    assert label[kept[0]] == label[kept[1]] == 1  # each file's own marks
    assert label[kept[2]] == 0
    other_run = tmp_path / "other-run.jsonl"  # a review of a run that removed nothing: its marks count too
    other_run.write_text(json.dumps(_correction(doc, {}) | {"removed": []}) + "\n", encoding="utf-8")
    assert (
        len(
            [
                d
                for d in collect(SEED.parent, corrections=[later, other_run]).docs
                if d.source == "corrections"
            ]
        )
        == 2
    )
    page.write_text("<html><body><p>Another page now.</p></body></html>", encoding="utf-8")
    assert read_corrections(later, notes)[0].doc.page is None
    assert notes == [
        f"{later}:1: {page}: the page extracts to other lines now (it changed since, or another extraction); "
        "its lines are trained on as plain text"
    ]
    page.unlink()
    notes.clear()
    read_corrections(later, notes)
    assert notes and "the page is not there (train from the folder the batch was cleaned in)" in notes[0]


def test_corrections_may_be_gzipd_or_start_with_a_byte_order_mark(tmp_path: Path) -> None:
    doc = read_outputs(_batch(tmp_path, SEED))[0]
    data = (json.dumps(_correction(doc, {0: "junk"})) + "\n").encode()
    plain, marked, zipped = tmp_path / "c.jsonl", tmp_path / "bom.jsonl", tmp_path / "c.jsonl.gz"
    plain.write_bytes(data)
    marked.write_bytes(codecs.BOM_UTF8 + data)
    zipped.write_bytes(gzip.compress(data))
    labels = [[d.labels.tolist() for d in read_corrections(str(path))] for path in (plain, marked, zipped)]
    assert labels[0] == labels[1] == labels[2] and labels[0][0][0] == 1


def test_a_correction_that_no_longer_matches_its_page_is_named(tmp_path: Path) -> None:
    doc = read_outputs(_batch(tmp_path, SEED))[0]
    record = _correction(doc, {0: "junk"})
    record["corrections"][0]["text"] = "a line that is not in the document"
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(TrainingError, match=r"c.jsonl:1: line 1 .* not in the document"):
        read_corrections(path)


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        ({"line": 0, "label": "spam"}, "label 'spam' is not one of 'junk', 'body'"),
        ({"line": -1, "label": "junk"}, "a line number below 0"),
    ],
)
def test_a_malformed_mark_says_what_is_wrong(tmp_path: Path, mark: dict, message: str) -> None:
    doc = read_outputs(_batch(tmp_path, SEED))[0]
    record = _correction(doc, {0: "junk"})
    record["corrections"] = [{"text": doc.lines[0], **mark}]
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(
        TrainingError, match=rf"c.jsonl:1: not a corrections record \(ValueError: {message}\)"
    ):
        read_corrections(path)


def test_plain_text_with_blank_lines_comes_back_exactly(tmp_path: Path, host_article: str) -> None:
    from .conftest import read_cases

    junk = read_cases("junk_lines.txt")[:8]
    original = "\n\n".join([*host_article.split("\n"), *junk]) + "\n\n"
    src = tmp_path / "doc.txt"
    src.write_text(original, encoding="utf-8")
    (doc,) = read_outputs(_batch(tmp_path, src))
    assert doc.removed, "the appended junk is (partly) removed"
    assert doc.lines == original.split("\n")[: len(doc.lines)]
    assert all(line == "" for line in original.split("\n")[len(doc.lines) :])


def test_corrections_re_read_a_gzip_page_and_key_records_by_id_or_url(tmp_path: Path) -> None:
    import gzip

    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress(PAGES[0].read_bytes()))
    (doc,) = read_outputs(_batch(tmp_path, page))
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(_correction(doc, {doc.removed[0].line: "body"})) + "\n", encoding="utf-8")
    (labelled,) = read_corrections(path)
    assert labelled.doc.page is not None, "the gzip'd page was read again"

    records = tmp_path / "in.jsonl"
    rows = [
        {"id": 0, "text": "A line.\nAnother line."},
        {"url": "https://example.com/a", "text": "One.\nTwo."},
    ]
    records.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "clean.jsonl"
    assert (
        runner.invoke(
            app, ["clean", str(records), "--jsonl", "--field", "text", "-o", str(out), "-q"]
        ).exit_code
        == 0
    )
    assert [d.record for d in read_outputs(out)] == ["0", "https://example.com/a"]


def test_reviews_of_a_page_that_changed_in_between_are_two_documents(tmp_path: Path) -> None:
    doc = read_outputs(_batch(tmp_path, SEED))[0]
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    before.write_text(json.dumps(_correction(doc, {0: "junk"})) + "\n", encoding="utf-8")
    changed = _correction(doc, {0: "junk"})
    changed["lines"] = [changed["lines"][0], "A line written since.", *changed["lines"][2:]]
    after.write_text(json.dumps(changed) + "\n", encoding="utf-8")
    first, second = read_corrections([before, after])
    assert first.doc.lines != second.doc.lines and second.doc.lines[1] == "A line written since."


def test_a_page_of_a_record_is_trained_on_as_text_and_noted(tmp_path: Path) -> None:
    doc = read_outputs(_batch(tmp_path, PAGES[0]))[0]
    path = tmp_path / "c.jsonl"
    record = _correction(doc, {doc.removed[0].line: "body"}) | {"record": "doc-1"}  # a --jsonl run's
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    notes: list[str] = []
    (labelled,) = read_corrections(path, notes)
    assert labelled.doc.page is None and labelled.name == f"{doc.path}#doc-1"
    assert notes == [
        f"{path}:1: {doc.path}: the page of a JSONL or web-archive record is not kept with its review; "
        "its lines are trained on as plain text"
    ]


def test_other_jsonl_files_beside_the_outputs_are_passed_over(tmp_path: Path) -> None:
    out = _batch(tmp_path, SEED)
    (out / "corrections.jsonl").write_text(
        json.dumps({"path": "x", "removed": [1], "lines": []}) + "\n", encoding="utf-8"
    )
    (out / "errors.jsonl").write_text(
        "\n" + json.dumps({"path": "x", "error": "InputError", "message": "m"}) + "\n", encoding="utf-8"
    )  # judged by its first record, blank lines before it or not
    assert [d.path for d in read_outputs(out)] == [str(SEED)]


def test_the_page_never_overwrites_an_output_and_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    out = _batch(tmp_path, CASES / "pages" / "01_related_list.html")
    output = out / "01_related_list.html.json"
    before = output.read_bytes()
    result = runner.invoke(app, ["review", str(out), "-o", str(output)])
    assert result.exit_code == 2
    assert "is one of the outputs being reviewed" in result.stderr
    assert output.read_bytes() == before
    result = runner.invoke(app, ["review", str(out), "-o", str(out / "review.json")])
    assert result.exit_code == 2 and "the review page is HTML" in result.stderr
    assert not (out / "review.json").exists()
    result = runner.invoke(app, ["review", str(out), "-o", str(out)])
    assert result.exit_code == 2
    assert f"{out} is a folder: name the HTML file to write" in result.stderr
    result = runner.invoke(app, ["review", str(out), "-o", f"{tmp_path / 'new'}/"])
    assert result.exit_code == 2 and f"{tmp_path / 'new'}/ is a folder" in result.stderr
    assert not (tmp_path / "new").exists()  # not a file named "new"
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, ["review", str(out), "-o", str(tmp_path / "a-file" / "review.html")])
    assert result.exit_code == 1 and "cannot write the review page" in result.stderr
    assert "Not a directory" in result.stderr  # not mkdir's "File exists"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_missing_output_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(tmp_path / "gone"), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "gone: no such file or folder" in result.stderr
    assert not (tmp_path / "r.html").exists()
    out = _batch(tmp_path, CASES / "pages" / "01_related_list.html")
    result = runner.invoke(app, ["review", str(out), "--compare", str(tmp_path / "gone"), "-o", "r.html"])
    assert result.exit_code == 2 and f"--compare {tmp_path / 'gone'}: no such file" in result.stderr
