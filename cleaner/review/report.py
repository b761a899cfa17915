"""The review page: one self-contained HTML file (inline CSS and JS, no network resource).

Everything from the batch is escaped on the way in; the removed lines, their scores and
reasons are HTML text a person (or a test) can read without running the script, which
only filters, pages, expands whole texts (built with `textContent`) and collects marks. A
Content-Security-Policy admits exactly the page's own script and style (by hash), so inline
event handlers and any request to the network are refused by the browser.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections import Counter
from collections.abc import Iterator
from html import escape
from importlib.resources import files
from pathlib import Path

from ..batch.writer import atomic_output, read_head
from ..errors import ConfigError, OutputError
from ..result import RemovedLine
from .outputs import ReviewDoc, hints

#: score bands of the filter (lower bound, label); a removal falls in the last band it reaches
BANDS = ((0.0, "< 0.6"), (0.6, "0.6–0.8"), (0.8, "0.8–0.9"), (0.9, "0.9–0.95"), (0.95, "≥ 0.95"))
#: documents per page (the script's PAGE_SIZE too)
PAGE_SIZE = 50
#: bins of the score histogram
HISTOGRAM_BINS = 20
HISTOGRAM_WIDTH, HISTOGRAM_HEIGHT = 600, 160
#: what marks a file as a review page, which a new one may replace
GENERATOR = '<meta name="generator" content="cleaner review">'


def band_of(score: float) -> int:
    """The index in BANDS of a removal's score."""
    return max(i for i, (low, _) in enumerate(BANDS) if score >= low)


def write_report(
    docs: list[ReviewDoc],
    out: Path | str,
    *,
    title: str = "cleaner review",
    previous: list[ReviewDoc] | None = None,
) -> None:
    """Write the review page of `docs` (and, with `previous`, what changed since those).

    Raises ConfigError when `out` is a folder or a file that is not an earlier review page,
    OutputError when it cannot be written.
    """
    out = Path(out)
    if out.is_dir():
        raise ConfigError(f"{out} is a folder: name the HTML file to write (e.g. {out / 'review.html'})")
    there = out.exists() or out.is_symlink()
    if there and (out.is_symlink() or not out.is_file() or GENERATOR.encode() not in _head(out)):
        raise ConfigError(f"{out} exists and is not a review page: name a new file, or remove it")
    try:
        # a file name that is not UTF-8 shows as its escapes: the page is never lost over one
        with atomic_output(out, errors="backslashreplace") as fh:
            for part in _parts(docs, title=title, previous=previous):
                fh.write(part)
    except OSError as exc:
        raise OutputError(f"cannot write the review page {out}: {exc.strerror or exc}") from exc


def _parts(docs: list[ReviewDoc], *, title: str, previous: list[ReviewDoc] | None) -> Iterator[str]:
    """The review page, piece by piece (a report of 10,000 documents is never one string)."""
    order = sorted(docs, key=lambda d: (-d.removed_chars, -len(d.removed), d.key))
    before = {d.key: {r.line for r in d.removed} for d in previous} if previous is not None else None
    asset = files("cleaner.review")
    css = asset.joinpath("report.css").read_text(encoding="utf-8")
    js = asset.joinpath("report.js").read_text(encoding="utf-8")
    policy = (
        f"default-src 'none'; style-src '{_digest(css)}'; script-src '{_digest(js)}'; "
        "img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    yield f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n{GENERATOR}\n'
    yield f'<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">\n'
    yield '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    yield f"<title>{escape(title)}: {len(docs)} documents</title>\n<style>{css}</style>\n</head>\n<body>\n"
    yield f"<header><h1>{escape(title)}</h1></header>\n"
    yield _summary(order, before)
    yield _controls(order, before is not None)
    yield f'<main id="docs" data-page-size="{PAGE_SIZE}">\n'
    for i, doc in enumerate(order):
        yield _article(i, doc, before)
    yield '</main>\n<script type="application/json" id="data">['
    for i, doc in enumerate(order):
        # "<" escaped: page text can never close the script element
        yield ("," if i else "") + json.dumps(_data(doc), ensure_ascii=False).replace("<", "\\u003c")
    yield f"]</script>\n<script>{js}</script>\n</body>\n</html>\n"


def _digest(source: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


def _data(doc: ReviewDoc) -> dict[str, object]:
    """What the script needs of a document: its lines, and which were removed."""
    item: dict[str, object] = {
        "path": doc.path,
        "record": doc.record,
        "source": doc.source,
        "lines": doc.lines,
        "removed": {str(r.line): [round(r.score, 4), r.reason] for r in doc.removed},
    }
    return item


def _head(out: Path) -> bytes:
    try:
        return read_head(out)
    except (OSError, zlib.error) as exc:
        raise ConfigError(
            f"{out} exists and cannot be read to tell whether it is a review page ({exc}): "
            "name a new file, or remove it"
        ) from exc


def _summary(docs: list[ReviewDoc], before: dict[str, set[int]] | None) -> str:
    removals = [r for d in docs for r in d.removed]
    reasons = Counter(h for r in removals for h in dict.fromkeys(hints(r.reason)))
    rows = "".join(f"<tr><td>{escape(h)}</td><td>{n}</td></tr>" for h, n in reasons.most_common())
    touched = sum(1 for d in docs if d.removed)
    out = [
        '<section id="summary">\n<div class="figures">',
        f"<p><b>{len(docs)}</b> documents, <b>{touched}</b> with removals</p>",
        f"<p><b>{len(removals)}</b> lines removed, <b>{sum(d.removed_chars for d in docs):,}</b> characters</p>",
    ]
    if before is not None:
        now = {d.key: {r.line for r in d.removed} for d in docs}
        added = sum(len(now[k] - before.get(k, set())) for k in now)
        gone = sum(len(before.get(k, set()) - now[k]) for k in now)
        changed = sum(1 for k in now if now[k] != before.get(k, set()))
        out.append(
            f'<p class="compare">against the previous run: <b>{changed}</b> documents changed, '
            f"<b>{added}</b> lines newly removed, <b>{gone}</b> no longer removed</p>"
        )
        unmatched = len(now.keys() - before.keys()), len(before.keys() - now.keys())
        if any(unmatched):
            out.append(
                f'<p class="compare warning">not in the previous run: <b>{unmatched[0]}</b> documents '
                f"(compared as if nothing had been removed there); only in the previous run: "
                f"<b>{unmatched[1]}</b>. Documents are matched by their output's place in the output "
                "folder: compare two runs of the same batch.</p>"
            )
    out += [
        "</div>\n",
        f'<table class="reasons"><caption>Removals by reason</caption><tr><th>reason</th><th>lines</th></tr>{rows}</table>\n',
        _histogram([r.score for r in removals]),
        "</section>\n",
    ]
    return "".join(out)


def _histogram(scores: list[float]) -> str:
    """Removal scores as an inline SVG bar chart: where the filter is unsure shows at a glance."""
    counts = [0] * HISTOGRAM_BINS
    for s in scores:
        counts[min(int(s * HISTOGRAM_BINS), HISTOGRAM_BINS - 1)] += 1
    top = max(counts, default=0) or 1
    width = HISTOGRAM_WIDTH / HISTOGRAM_BINS
    bars = []
    for i, n in enumerate(counts):
        height = (HISTOGRAM_HEIGHT - 20) * n / top
        low = i / HISTOGRAM_BINS
        bars.append(
            f'<rect x="{i * width + 1:.1f}" y="{HISTOGRAM_HEIGHT - 20 - height:.1f}" width="{width - 2:.1f}" '
            f'height="{height:.1f}"><title>{low:.2f}–{low + 1 / HISTOGRAM_BINS:.2f}: {n} lines</title></rect>'
        )
    anchor = {0.0: "start", 1.0: "end"}
    ticks = "".join(
        f'<text x="{t * HISTOGRAM_WIDTH:.0f}" y="{HISTOGRAM_HEIGHT - 4}" text-anchor="{anchor.get(t, "middle")}">'
        f"{t:.2f}</text>"
        for t in (0.0, 0.25, 0.5, 0.75, 1.0)
    )
    return (
        f'<figure class="histogram"><svg viewBox="0 0 {HISTOGRAM_WIDTH} {HISTOGRAM_HEIGHT}" role="img" '
        f'aria-label="histogram of removal scores">{"".join(bars)}{ticks}</svg>'
        "<figcaption>Scores of the removed lines (0 to 1): bars near the thresholds are where the filter is unsure"
        "</figcaption></figure>\n"
    )


def _controls(docs: list[ReviewDoc], compare: bool) -> str:
    names = sorted({h for d in docs for r in d.removed for h in hints(r.reason)})
    reasons = "".join(f'<option value="{escape(h)}">{escape(h)}</option>' for h in names)
    bands = "".join(
        f'<option value="{i}">score {escape(label)}</option>' for i, (_, label) in enumerate(BANDS)
    )
    changed = (
        '<label><input type="checkbox" id="changed"> changed since the previous run</label>'
        if compare
        else ""
    )
    return (
        '<section id="controls">'
        '<input type="search" id="search" placeholder="search the text" aria-label="search">'
        '<input type="search" id="file" placeholder="file name" aria-label="file name">'
        f'<select id="reason" aria-label="reason"><option value="">any reason</option>{reasons}</select>'
        f'<select id="band" aria-label="score"><option value="">any score</option>{bands}</select>'
        f"{changed}"
        '<span id="shown"></span>'
        '<button type="button" id="prev">◀</button><span id="page"></span><button type="button" id="next">▶</button>'
        '<button type="button" id="download" disabled>Download corrections (0)</button>'
        "</section>\n"
    )


def _article(index: int, doc: ReviewDoc, before: dict[str, set[int]] | None) -> str:
    doc_hints = "|".join(dict.fromkeys(h for r in doc.removed for h in hints(r.reason)))
    bands = "|".join(sorted({str(band_of(r.score)) for r in doc.removed}))
    now = {r.line for r in doc.removed}
    changed = before is not None and now != before.get(doc.key, set())
    name = doc.path if doc.record is None else f"{doc.path} (record {doc.record})"
    if doc.url and doc.url not in name:
        name = f"{name} {doc.url}"
    items = "".join(_removed_item(r) for r in doc.removed)
    out = [
        # beyond the first page, articles start hidden: the browser lays out one page, not all
        f'<article class="doc" id="doc{index}" data-i="{index}" data-path="{escape(name)}" '
        f'data-hints="|{escape(doc_hints)}|" data-bands="|{bands}|" data-changed="{int(changed)}"'
        f"{' hidden' if index >= PAGE_SIZE else ''}>",
        f'<h2><span class="path">{escape(name)}</span> <span class="counts">{len(doc.removed)} of '
        f"{sum(1 for line in doc.lines if line.strip())} lines removed, {doc.removed_chars} characters</span></h2>",
        f'<ol class="removed">{items}</ol>' if items else '<p class="none">nothing removed</p>',
    ]
    if before is not None:
        out.append(_compare(doc, before.get(doc.key, set())))
    out.append(
        '<details class="full"><summary>the whole text, removed lines in place</summary></details></article>\n'
    )
    return "".join(out)


def _removed_item(r: RemovedLine) -> str:
    return (
        f'<li data-line="{r.line}" data-band="{band_of(r.score)}" data-hints="|{escape("|".join(hints(r.reason)))}|">'
        f'<span class="ln">{r.line + 1}</span><span class="score">{r.score:.3f}</span>'
        f'<del class="text">{escape(r.text)}</del><span class="reason">{escape(r.reason)}</span>'
        '<button type="button" class="mark" data-label="body">wrongly removed</button></li>'
    )


def _compare(doc: ReviewDoc, before: set[int]) -> str:
    now = {r.line for r in doc.removed}
    added = sorted(now - before)
    gone = sorted(before - now)
    if not added and not gone:
        return '<p class="compare">same removals as the previous run</p>'
    text = dict(enumerate(doc.lines))

    def listed(numbers: list[int]) -> str:
        return "".join(f'<li><span class="ln">{n + 1}</span>{escape(text.get(n, ""))}</li>' for n in numbers)

    return (
        f'<div class="compare"><p>against the previous run: {len(added)} newly removed, {len(gone)} no longer removed</p>'
        + (f'<ul class="added">{listed(added)}</ul>' if added else "")
        + (f'<ul class="gone">{listed(gone)}</ul>' if gone else "")
        + "</div>"
    )
