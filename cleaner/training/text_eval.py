"""Plain-text cleaning scored on held-out gold bodies with other sites' teasers appended.

Training builds the seed's case (teasers after an article) from the training split in a few
shapes (`synthetic.text_documents`); this builds a wider, different family from the held-out split
only. A row per shape: share of appended lines removed (a run header counts), share of body
characters lost, share of outputs exactly the body ("clean" rows: bodies left unchanged).
Bodies leave out the lines that read as metadata standing alone (a byline, a date stamp, a
credit: not article body, and removed as such).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from ..wording import reads_as_metadata
from .datasets import LEAD_MIN, MIN_BODY_LINES, TITLE_MAX, TITLE_MIN, GoldPage, first_sentence, page_title
from .goals import GOAL_BODY_CHARS_LOST, GOAL_CLEAN_UNCHANGED, GOAL_TEASERS_REMOVED

#: fixed seed: the same pages give the same documents, run after run
SEED = 0
#: where a cut teaser stops (characters), as on the sites' teaser cards
CUT_MIN, CUT_MAX = 40, 120
#: a headline made from a lead sentence (page without a usable title) is cut to this length
HEADLINE_MAX = 90
#: a lead whose first characters are the headline's repeats it
HEADLINE_OVERLAP = 30
#: teasers per run in the style rows (the run rows fix it); 1 and 10 have rows of their own
RUN_MIN, RUN_MAX = 2, 6
RUN_ROWS = (1, 3, 6, 10)
#: line labels of a built document
BODY, TEASER, BLANK = 0, 1, -1
#: digits of the shares in the report
DIGITS = 6

#: run headers in several languages, none of them in synthetic.RUN_HEADERS (a test checks)
HEADERS = (
    "Related coverage",
    "More on this story",
    "Further reading",
    "Don't miss",
    "Editor's picks",
    "Top stories",
    "MORE NEWS",
    "Weitere Artikel",
    "Auch interessant",
    "Plus d'actualités",
    "À voir aussi",
    "Noticias relacionadas",
    "Ver también",
    "Altre notizie",
    "Leia também",
    "Meer nieuws",
)
#: what teaser cards put around a headline: section labels, dates, read times, list marks
SECTIONS = ("POLITICS", "Sport", "WORLD", "Business", "Wirtschaft", "Culture", "Deportes", "Tech")
SECTION_JOINS = (" | ", ": ", " – ", " / ")
DATE_FORMATS = ("12 March 2024", "March 12, 2024", "12.03.2024", "2024-03-12", "3 hours ago", "Yesterday")
READ_TIMES = (" · {n} min read", " | {n} min read", " ({n} min)", " – {n} Min. Lesezeit")
#: read times shown on teaser cards, in minutes
READ_MIN, READ_MAX = 2, 12
NUMBER_FORMATS = ("{i}. ", "{i}) ", "{i} ")
DASH_BULLETS = ("- ", "– ", "* ")
SYMBOL_BULLETS = ("• ", "· ", "► ", "▪ ")


@dataclass(frozen=True)
class Teaser:
    """What another page offers a teaser: its site, language, headline and lead sentence."""

    site: str
    lang: str
    headline: str
    lead: str


@dataclass
class TextCase:
    """One built document: its lines, each line's label (BODY, TEASER, BLANK) and its shape."""

    shape: str
    lines: list[str]
    labels: list[int]
    #: lines[:body_end] is the body as built (what a perfect cleaner returns)
    body_end: int

    @property
    def text(self) -> str:
        """The document as plain text."""
        return "\n".join(self.lines)

    @property
    def body_text(self) -> str:
        """The body alone, as it stands in the document."""
        return "\n".join(self.lines[: self.body_end])


def _strip_end(text: str) -> str:
    return text.rstrip().rstrip(".!?;:,").rstrip()


def _cut_at_word(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:")


def _cut_mid_word(text: str, rng: random.Random) -> str:
    """The text stopped inside a word, with no mark, as fixed-width teaser cards do."""
    limit = rng.randint(CUT_MIN, CUT_MAX)
    inside = [k for k in range(1, min(limit, len(text))) if text[k - 1].isalnum() and text[k].isalnum()]
    return text[: inside[-1]] if inside else _strip_end(text)


def _described(teaser: Teaser, join: str, rng: random.Random) -> list[str]:
    lead = _cut_at_word(teaser.lead, rng.randint(CUT_MIN, CUT_MAX)) + "…" if teaser.lead else ""
    return [_strip_end(teaser.headline) + join + lead] if lead else [_strip_end(teaser.headline)]


def _pair(teaser: Teaser, rng: random.Random) -> list[str]:
    lead = _cut_at_word(teaser.lead, rng.randint(CUT_MIN, CUT_MAX))
    return [_strip_end(teaser.headline), lead + "…"] if teaser.lead else [_strip_end(teaser.headline)]


def _dated(teaser: Teaser, rng: random.Random) -> list[str]:
    date, head = rng.choice(DATE_FORMATS), _strip_end(teaser.headline)
    return [rng.choice((f"{date} · {head}", f"{date} – {head}", f"{head} ({date})"))]


Style = Callable[[Teaser, random.Random], list[str]]
#: how one teaser becomes its line(s)
STYLES: dict[str, Style] = {
    "headline": lambda t, r: [_strip_end(t.headline)],
    "headline …": lambda t, r: [_strip_end(t.headline) + "…"],
    "headline ...": lambda t, r: [_strip_end(t.headline) + "..."],
    "headline _…": lambda t, r: [_strip_end(t.headline) + " …"],
    "headline […]": lambda t, r: [_strip_end(t.headline) + " […]"],
    "headline (more)": lambda t, r: [_strip_end(t.headline) + " (more)"],
    "lead cut mid-word": lambda t, r: [_cut_mid_word(t.lead or t.headline, r)],
    "headline – lead": lambda t, r: _described(t, " – ", r),
    "headline: lead": lambda t, r: _described(t, ": ", r),
    "headline / lead pairs": _pair,
    "dated": _dated,
    "read time": lambda t, r: [
        _strip_end(t.headline) + r.choice(READ_TIMES).format(n=r.randint(READ_MIN, READ_MAX))
    ],
    "section label": lambda t, r: [r.choice(SECTIONS) + r.choice(SECTION_JOINS) + _strip_end(t.headline)],
}
#: styles mixed within one run in the run-length and layout rows
MIXED = ("headline", "headline …", "lead cut mid-word", "headline – lead", "dated", "section label")


@dataclass(frozen=True)
class Shape:
    """How a run is built: the styles drawn from, its length, list marks, header and layout."""

    styles: tuple[str, ...]
    run: tuple[int, int] = (RUN_MIN, RUN_MAX)
    #: marks put before each teaser line: one set is drawn per run ("{i}" is the item's number)
    marks: tuple[str, ...] = ("",)
    header: bool = False
    #: a blank line between body and run; and between every paragraph and teaser
    gap: bool = False
    double: bool = False


#: every row of the report but the clean ones, by name
SHAPES: dict[str, Shape] = {
    **{name: Shape((name,)) for name in STYLES},
    "numbered": Shape(("headline",), marks=NUMBER_FORMATS),
    "dash bullets": Shape(("headline …",), marks=DASH_BULLETS),
    "symbol bullets": Shape(("headline",), marks=SYMBOL_BULLETS),
    "header + headlines": Shape(("headline", "headline …"), header=True),
    **{f"run of {n}": Shape(MIXED, run=(n, n)) for n in RUN_ROWS},
    "blank line before": Shape(MIXED, gap=True),
    "double-spaced": Shape(MIXED, gap=True, double=True),
}
CLEAN, CLEAN_DOUBLE = "clean", "clean, double-spaced"
#: every row of the report, in order: the appended shapes, then the clean ones
ROWS = (*SHAPES, CLEAN, CLEAN_DOUBLE)


def teaser_pool(pages: Sequence[GoldPage]) -> list[Teaser]:
    """A teaser per page: its headline (title, else lead cut short) and a lead not repeating it."""
    pool = []
    for page in pages:
        title = page_title(page)
        longs = [s.strip() for s in page.gold.split("\n") if len(s.strip()) > LEAD_MIN]
        leads = [first_sentence(line) for line in longs]
        if not TITLE_MIN <= len(title) <= TITLE_MAX:
            title = _cut_at_word(leads.pop(0), HEADLINE_MAX) if leads else ""
        # gold bodies often start with the headline: such a lead would say it twice
        lead = next((x for x in leads if not x.startswith(title[:HEADLINE_OVERLAP])), "")
        if title:
            pool.append(Teaser(page.site, page.lang or "", title, lead))
    return pool


def _layout(body: Sequence[str], run: Sequence[str], shape: Shape, name: str) -> TextCase:
    lines: list[str] = []
    labels: list[int] = []
    for k, (line, label) in enumerate([*((b, BODY) for b in body), *((t, TEASER) for t in run)]):
        gap = shape.double if label == BODY else shape.gap and (shape.double or k == len(body))
        if k and gap:
            lines.append("")
            labels.append(BLANK)
        lines.append(line)
        labels.append(label)
    return TextCase(
        name, lines, labels, body_end=max((i for i, x in enumerate(labels) if x == BODY), default=-1) + 1
    )


def build_case(name: str, body: Sequence[str], teasers: Sequence[Teaser], rng: random.Random) -> TextCase:
    """The body with a run of these teasers appended in shape `name` (CLEAN: nothing appended)."""
    if name in (CLEAN, CLEAN_DOUBLE):
        return _layout(body, [], Shape((), double=name == CLEAN_DOUBLE), name)
    shape = SHAPES[name]
    marks = rng.choice(shape.marks)
    run: list[str] = [rng.choice(HEADERS)] if shape.header else []
    for i, teaser in enumerate(teasers, start=1):
        style = STYLES[rng.choice(shape.styles)]
        run += [marks.format(i=i) + line for line in style(teaser, rng)]
    return _layout(body, run, shape, name)


def pick_teasers(page: GoldPage, pool: Sequence[Teaser], count: int, rng: random.Random) -> list[Teaser]:
    """`count` teasers of other sites, in the page's language when it has enough of them."""
    others = [t for t in pool if t.site != page.site]
    same = [t for t in others if t.lang == (page.lang or "")]
    candidates = same if len(same) >= count else others
    return rng.sample(candidates, min(count, len(candidates)))


def build_cases(pages: Sequence[GoldPage], seed: int = SEED) -> list[TextCase]:
    """Every shape on every page given with a body of MIN_BODY_LINES or more."""
    pool = teaser_pool(pages)
    cases = []
    for page in pages:
        # a byline, a stamp or a credit the gold kept is no article body (as training labels it)
        body = [line for line in page.gold.split("\n") if line.strip() and not reads_as_metadata(line)]
        if len(body) < MIN_BODY_LINES:
            continue
        for name in ROWS:
            # one generator per page and shape: a document does not change when others do
            rng = random.Random(f"{seed}:{page.dataset}/{page.id}:{name}")
            run = SHAPES[name].run if name in SHAPES else (0, 0)
            teasers = pick_teasers(page, pool, rng.randint(*run), rng) if run[1] else []
            cases.append(build_case(name, body, teasers, rng))
    return cases


def held_out_articles(pages: Iterable[GoldPage], limit: int | None = None) -> list[GoldPage]:
    """The held-out article pages, at most `limit` per dataset."""
    by_dataset: dict[str, list[GoldPage]] = {}
    for page in pages:
        if page.held_out and page.is_article:
            by_dataset.setdefault(page.dataset, []).append(page)
    return [p for group in by_dataset.values() for p in (group[:limit] if limit else group)]


def kept_lines(lines: Sequence[str], output: str) -> set[int]:
    """Indices of the input lines found in the output by a line diff (a changed line: removed)."""
    matcher = SequenceMatcher(None, list(lines), output.split("\n"), autojunk=False)
    return {block.a + k for block in matcher.get_matching_blocks() for k in range(block.size)}


@dataclass
class Tally:
    """Counts behind one row."""

    documents: int = 0
    teaser_lines: int = 0
    teasers_removed: int = 0
    body_chars: int = 0
    body_chars_lost_count: int = 0
    exact: int = 0

    def add(self, other: Tally) -> None:
        """Add another tally's counts to this one."""
        for key, value in vars(other).items():
            setattr(self, key, getattr(self, key) + value)

    def figures(self) -> dict[str, Any]:
        """The row: counts and shares (None where there is nothing to share)."""
        return {
            "documents": self.documents,
            "teaser_lines": self.teaser_lines,
            "teaser_lines_removed": _share(self.teasers_removed, self.teaser_lines),
            "body_chars": self.body_chars,
            "body_chars_lost": _share(self.body_chars_lost_count, self.body_chars),
            "exact": _share(self.exact, self.documents),
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, DIGITS) if whole else None


def score_case(case: TextCase, cleaner: Any) -> Tally:
    """Clean one document (clean_text may return a CleanResult or a str) and count what went."""
    result = cleaner.clean_text(case.text)
    output = result if isinstance(result, str) else result.text
    kept = kept_lines(case.lines, output)
    tally = Tally(documents=1, exact=int(output == case.body_text))
    for i, (line, label) in enumerate(zip(case.lines, case.labels, strict=True)):
        if label == TEASER:
            tally.teaser_lines += 1
            tally.teasers_removed += i not in kept
        elif label == BODY:
            tally.body_chars += len(line)
            tally.body_chars_lost_count += 0 if i in kept else len(line)
    return tally


def score_cases(cases: Sequence[TextCase], cleaner: Any) -> dict[str, Any]:
    """Figures per shape and overall, and the goals with whether each is met."""
    tallies: dict[str, Tally] = {}
    for case in cases:
        tallies.setdefault(case.shape, Tally()).add(score_case(case, cleaner))
    shapes = {name: tallies[name].figures() for name in ROWS if name in tallies}
    total, clean = Tally(), Tally()
    for name, tally in tallies.items():
        total.add(tally)
        if name in (CLEAN, CLEAN_DOUBLE):
            clean.add(tally)
    overall = total.figures()
    del overall["exact"]  # exactness pooled over teaser and clean documents says little
    overall["clean_documents"] = clean.documents
    overall["clean_unchanged"] = _share(clean.exact, clean.documents)
    removal = {n: f["teaser_lines_removed"] for n, f in shapes.items() if f["teaser_lines"]}
    worst = min(removal, key=lambda n: removal[n]) if removal else None
    overall["worst_shape"] = worst
    overall["worst_teaser_lines_removed"] = removal[worst] if worst else None
    met = {
        "teaser_lines_removed": worst is not None and removal[worst] >= GOAL_TEASERS_REMOVED,
        "body_chars_lost": (overall["body_chars_lost"] or 0.0) <= GOAL_BODY_CHARS_LOST,
        "clean_unchanged": (overall["clean_unchanged"] or 0.0) >= GOAL_CLEAN_UNCHANGED,
    }
    goals = {
        "teaser_lines_removed": GOAL_TEASERS_REMOVED,
        "body_chars_lost": GOAL_BODY_CHARS_LOST,
        "clean_unchanged": GOAL_CLEAN_UNCHANGED,
        "met": met,
    }
    return {"shapes": shapes, "overall": overall, "goals": goals}


def text_shapes_report(
    pages: Iterable[GoldPage], cleaner: Any, seed: int = SEED, limit: int | None = None
) -> dict[str, Any]:
    """Every shape on the held-out articles among `pages` (`limit` a dataset), scored with `cleaner`."""
    cases = build_cases(held_out_articles(pages, limit), seed)
    used = sum(1 for case in cases if case.shape == CLEAN)
    return {"seed": seed, "pages": used, **score_cases(cases, cleaner)}


_MISSING = "–"
#: table columns: heading, key in a row's figures, how it is printed
_COLUMNS = (
    ("documents", "documents", "{}"),
    ("teaser lines", "teaser_lines", "{}"),
    ("teaser lines removed", "teaser_lines_removed", "{:.1%}"),
    ("body chars lost", "body_chars_lost", "{:.3%}"),
    ("output = body", "exact", "{:.1%}"),
)


def _fmt(value: float | None, fmt: str) -> str:
    return _MISSING if value is None else fmt.format(value)


def text_shapes_table(report: dict[str, Any]) -> str:
    """The report as a Markdown table, a row per shape and one over all, then the goals."""
    rows = ["| text shape | " + " | ".join(c[0] for c in _COLUMNS) + " |", "|" + "---|" * (len(_COLUMNS) + 1)]
    o, goals = report["overall"], report["goals"]
    overall = {**o, "exact": None}
    for name, f in [*report["shapes"].items(), ("all shapes", overall)]:
        rows.append(f"| {name} | " + " | ".join(_fmt(f[key], fmt) for _, key, fmt in _COLUMNS) + " |")
    met = {key: "met" if ok else "NOT met" for key, ok in goals["met"].items()}
    rows += [
        "",
        f"Plain text, {report['pages']} held-out pages, seed {report['seed']}. Goals: teaser lines removed "
        f"≥ {goals['teaser_lines_removed']:.0%} in every shape (worst: {o['worst_shape'] or _MISSING}, "
        f"{_fmt(o['worst_teaser_lines_removed'], '{:.1%}')}: {met['teaser_lines_removed']}); "
        f"body chars lost ≤ {goals['body_chars_lost']:.2%} ({_fmt(o['body_chars_lost'], '{:.3%}')}: "
        f"{met['body_chars_lost']}); clean bodies unchanged ≥ {goals['clean_unchanged']:.0%} "
        f"({_fmt(o['clean_unchanged'], '{:.1%}')} of {o['clean_documents']}: {met['clean_unchanged']}).",
    ]
    return "\n".join(rows)
