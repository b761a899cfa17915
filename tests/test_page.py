"""Where extracted lines came from in the page (page.py) and the lexical model's tokens."""

from __future__ import annotations

import re

import numpy as np
import pytest
from trafilatura.utils import load_html

from cleaner.document import Document
from cleaner.errors import InputError, ModelError
from cleaner.extract import extract
from cleaner.features import COLUMN, FEATURE_NAMES, FEATURES, Lines, line_features
from cleaner.lexical import N_BUCKETS, LexicalModel, readable, tokens
from cleaner.page import TAG_BIT, declares_article, page_facts
from cleaner.wording import CREDIT_MAX_CHARS, META_MAX_CHARS, reads_as_metadata

BODY = [
    "The council voted on Tuesday to close the old bridge to cars from next spring, after engineers "
    "found that two of its supports had worn far more than expected.",
    "Cyclists and people on foot will still be able to cross while a new bridge is built beside it, "
    "a project the council expects to take three years and cost about twelve million.",
    "Residents on both banks said they had waited a long time for a decision, and most welcomed it, "
    "although shop owners on the east side worry about losing passing trade.",
    "The first public meeting about the new design will be held in the town hall next month.",
]
RELATED = ["Harbour festival returns after two years", "Rail strike called off at the last minute"]
PAGE = (
    "<html><body><header class='site-header'><a href='/'>The Courier</a></header>"
    "<main><article class='story-body'>" + "".join(f"<p>{p}</p>" for p in BODY) + "</article>"
    "<aside class='related-stories'><h3>Related stories</h3><ul>"
    + "".join(f"<li><a href='/x{k}'>{t}</a></li>" for k, t in enumerate(RELATED))
    + "</ul></aside></main></body></html>"
)


@pytest.fixture(scope="module")
def doc() -> Document:
    return extract(PAGE)


def _head(tags: str) -> str:
    return f"<html><head>{tags}</head><body><p>{BODY[0]}</p><p>{BODY[1]}</p></body></html>"


@pytest.mark.parametrize(
    ("head", "article"),
    [
        ('<meta property="og:type" content="article">', True),
        ('<meta name="og:type" content="Article">', True),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "x"}</script>', True),
        # a graph of several things, and a type written as a schema.org address
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, {"@type": ["BlogPosting"]}]}</script>',
            True,
        ),
        (
            '<script type="application/ld+json">{"@type": "http://schema.org/ReportageNewsArticle"}</script>',
            True,
        ),
        # a WebPage whose main entity is an article; a type as a compact IRI, with escaped
        # slashes (PHP's json_encode); a script type with a charset; an upper-case property
        (
            '<script type="application/ld+json">{"@type": "WebPage", "mainEntity": {"@type": "Article"}}</script>',
            True,
        ),
        ('<script type="application/ld+json">{"@type": "schema:NewsArticle"}</script>', True),
        (
            '<script type="application/ld+json">{"@type": "https:\\/\\/schema.org\\/BlogPosting"}</script>',
            True,
        ),
        ('<script type="application/ld+json; charset=utf-8">{"@type": "Report"}</script>', True),
        ('<meta property="OG:Type " content="article">', True),
        # JSON-LD that does not parse is read for its types
        ('<script type="application/ld+json">{"@type": "NewsArticle", }</script>', True),
        ('<meta property="og:type" content="website">', False),
        # a listing of articles is no article: the types of things it lists do not count
        (
            '<script type="application/ld+json">{"@type": "CollectionPage", "mainEntity": {"@type": "ItemList",'
            ' "itemListElement": [{"@type": "ListItem", "item": {"@type": "NewsArticle"}}]}}</script>',
            False,
        ),
        (
            '<script type="application/ld+json">{"@type": "Blog", "blogPost": [{"@type": "BlogPosting"}]}</script>',
            False,
        ),
        ('<meta property="og:type" content="product">', False),
        (
            '<script type="application/ld+json">{"@type": "Product", "name": "Article 12 chair"}</script>',
            False,
        ),
        # a forum thread says it is a posting: no article
        ('<script type="application/ld+json">{"@type": "DiscussionForumPosting"}</script>', False),
        # JSON-LD words in an ordinary script, or an article named in the title, say nothing
        ('<script>var x = {"@type": "NewsArticle"};</script><title>An article</title>', False),
        ("", False),
    ],
)
def test_a_page_declares_itself_an_article_by_og_type_or_schema_org(head: str, article: bool) -> None:
    assert declares_article(load_html(_head(head))) is article
    assert extract(_head(head)).declares_article is article


def _line(doc: Document, text: str) -> int:
    return next(i for i, line in enumerate(doc.lines) if text in line)


def test_body_lines_are_paragraphs_inside_the_main_container(doc: Document) -> None:
    assert doc.page is not None
    i = _line(doc, "The council voted")
    assert doc.page.tags[i] & TAG_BIT["p"] and doc.page.tags[i] & TAG_BIT["main"]
    assert not doc.page.outside_main[i]
    assert doc.page.link_share[i] == 0.0
    assert "c:story" in doc.page.context[i]


def test_related_links_are_list_links_in_an_aside() -> None:
    # the lines as trafilatura would write them, had it kept the aside
    lines = [*BODY, "Related stories", *(f"- {t}" for t in RELATED), "Not on the page at all"]
    facts = page_facts(load_html(PAGE), lines)
    rows = [len(BODY) + 1, len(BODY) + 2]
    for i in rows:
        assert facts.tags[i] & TAG_BIT["li"] and facts.tags[i] & TAG_BIT["a"]
        assert facts.tags[i] & TAG_BIT["aside"]
        assert facts.link_share[i] == pytest.approx(1.0)
        assert facts.outside_main[i]
        assert "c:related" in facts.context[i]
    assert facts.block[rows[0]] == facts.block[rows[1]] >= 0
    assert facts.tags[len(BODY)] & TAG_BIT["heading"]
    assert not facts.outside_main[: len(BODY)].any()
    assert facts.tags[-1] == 0 and facts.context[-1] == ()


def test_page_facts_survive_the_cache_format(doc: Document) -> None:
    again = Document.from_dict(doc.to_dict())
    assert again.lines == doc.lines and again.page is not None and doc.page is not None
    assert again.page.context == doc.page.context
    assert np.array_equal(again.page.tags, doc.page.tags)
    # what the page declares is kept too: training reads it from the cache
    assert not again.declares_article
    declared = extract(_head('<meta property="og:type" content="article">'))
    assert Document.from_dict(declared.to_dict()).declares_article
    with pytest.raises(InputError, match="declares_article"):
        Document.from_dict({**declared.to_dict(), "declares_article": "false"})


def test_feature_table_is_named_once_and_complete(doc: Document) -> None:
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    lines = Lines(doc)
    for name, column in FEATURES.items():
        assert len(column(lines)) == lines.n, name
    matrix = line_features(doc)
    assert matrix.shape == (len(doc.rows), len(FEATURE_NAMES))
    # plain text has no page facts: the page columns are zero, the text columns are not
    plain = line_features(Document.from_text(doc.text))
    assert (plain[:, COLUMN["in_aside"]] == 0).all() and (plain[:, COLUMN["log_chars"]] > 0).all()


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("By Maria Lopez, Arts Correspondent", "meta_byline"),
        ("Updated 14:32, 3 March 2026", "meta_stamp"),
        ("7 min read", "meta_reading_time"),
        ("12 March 2025", "meta_date"),
        ("Reuters contributed to this report.", "meta_byline"),
        # credits of many names run past META_MAX_CHARS and still read as credits
        (
            "Novak reported from Lisbon and Okafor from Lagos. Wire service writers Tomas Berg in Oslo, "
            "Leila Haddad in Beirut and Sam Ortiz in Quito contributed to this report.",
            "meta_byline",
        ),
        ("(Reporting by Ines Duarte in Porto; Writing by Karl Moen; Editing by Priya Nair)", "meta_byline"),
        (
            "Reporting by Ines Duarte in Porto, Joe Bright in Leeds and Ana Lima in Recife; Writing by "
            "Karl Moen; Editing by Priya Nair",
            "meta_byline",
        ),
        ("Additional reporting by Joe Bright, editing by Priya Nair", "meta_byline"),
        ("(Editing by Priya Nair)", "meta_byline"),
        ("\u2014Wire service writer Tomas Berg in Oslo contributed to this report.", "meta_byline"),
        ("Leila Haddad contributed reporting from Beirut.", "meta_byline"),
    ],
)
def test_metadata_shaped_lines(line: str, name: str) -> None:
    matrix = line_features(Document.from_text(f"{BODY[0]}\n{line}"))
    assert matrix[1, COLUMN[name]] == 1.0 and matrix[0, COLUMN[name]] == 0.0


@pytest.mark.parametrize(
    "line",
    [
        # prose that mentions contributing or reporting, or a credit ending a paragraph longer
        # than CREDIT_MAX_CHARS
        "Residents contributed to this report by the council, which asked them about the bus routes.",
        "The firms contributed to this report on climate risk.",
        "He contributed to this reporting on the war",
        "Reporting by the paper was wrong; the minister said so.",
        "Writing by hand is slower; typing is faster.",
        "Reporting by the broadcaster was criticised (see below)",
        "Editing by hand took the team three weeks, and a fair bit of patience",
        "The inquiry heard from 40 witnesses over nine days. " * 4
        + "The Associated Press contributed to this report.",
    ],
)
def test_prose_that_mentions_credits_is_no_metadata(line: str) -> None:
    matrix = line_features(Document.from_text(f"{BODY[0]}\n{line}"))
    assert matrix[1, COLUMN["meta_byline"]] == 0.0
    assert not reads_as_metadata(line)


def test_a_credit_reads_as_metadata_up_to_its_length_cap() -> None:
    credit = " and ".join(["Wire service writer Tomas Berg in Oslo"] * 6) + " contributed to this report."
    fits = credit[len(credit) - CREDIT_MAX_CHARS :].lstrip()  # a credit of fewer names
    assert META_MAX_CHARS < len(fits) <= CREDIT_MAX_CHARS < len(credit)
    assert reads_as_metadata(fits) and not reads_as_metadata(credit)
    lines = Lines(Document.from_text(f"{BODY[0]}\n{fits}\n{credit}"))
    assert lines.metas["meta_byline"].tolist() == [0.0, 1.0, 0.0]


def test_a_line_hashes_the_same_alone_and_in_a_document(doc: Document) -> None:
    model = LexicalModel(np.random.default_rng(0).normal(size=N_BUCKETS), 0.25)
    whole = model.score(doc)
    for k, i in enumerate(doc.rows):
        alone = Document(lines=[doc.lines[i]], source="html", page=doc.page.take(np.array([i])))
        assert model.score(alone)[0] == pytest.approx(whole[k])


def test_tokens_cover_words_characters_and_page(doc: Document) -> None:
    toks = tokens(doc, with_labels=True)
    assert toks.labels is not None and len(toks.labels) == len(toks.buckets) == len(toks.rows)
    labels = set(toks.labels)
    assert {"council", "voted on", " th", "c:story", "t:p"} <= labels
    assert toks.buckets.min() >= 0 and toks.buckets.max() < N_BUCKETS


def test_top_tokens_name_the_heaviest_words() -> None:
    doc = Document.from_text("Sign up for our newsletter today")
    weights = np.zeros(N_BUCKETS)
    toks = tokens(doc, with_labels=True)
    assert toks.labels is not None
    heavy = toks.buckets[toks.labels.index("newsletter")]
    weights[heavy] = 5.0
    assert LexicalModel(weights, 0.0).top_tokens(doc, np.array([0]), 3)[0][0] == "'newsletter'"


def test_reasons_name_page_tokens_in_words_and_skip_digits() -> None:
    assert readable("t:div", page=True) == "inside <div>" and readable("s:a", page=True) == "tag <a>"
    assert readable("c:related", page=True) == "class/id 'related'"
    assert readable("news") == "'news'" and readable("00") is None and readable(" 0, ") is None
    assert readable("0 mi") is None  # "2 Miscreants": a folded digit is not in the line
    assert readable("s: c") == "'s: c'"  # an n-gram that looks like a page word stays an n-gram


def test_explanations_tell_page_words_from_ngrams_that_look_like_them() -> None:
    html = '<html><body><div class="story"><p>Facts: cool and calm today.</p><p>Second line here.</p></div></body></html>'
    doc = extract(html)
    weights = np.ones(N_BUCKETS)
    top = LexicalModel(weights, 0.0).top_tokens(doc, np.arange(len(doc.rows)), 50)[0]
    assert "class/id 'story'" in top and "tag <p>" in top
    page_like = [t for t in top if t.startswith(("inside <", "tag <", "class/id"))]
    assert page_like and all(re.fullmatch(r"(inside|tag) <\w+>|class/id '\w+'", t) for t in page_like)
    assert "'s: c'" in top  # the n-gram of "Facts: cool", quoted as text


def test_lexical_model_round_trip_and_no_pickles(tmp_path) -> None:
    model = LexicalModel(np.linspace(-1, 1, N_BUCKETS).astype(np.float32).astype(float), -0.5)
    model.save(tmp_path / "lex.npy")
    again = LexicalModel.load(tmp_path / "lex.npy")
    assert np.array_equal(again.weights, model.weights) and again.bias == -0.5
    np.save(tmp_path / "evil.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ModelError):
        LexicalModel.load(tmp_path / "evil.npy")
    np.save(tmp_path / "short.npy", np.zeros(10, dtype=np.float32))
    with pytest.raises(ModelError, match="shape"):
        LexicalModel.load(tmp_path / "short.npy")


def test_tokens_of_text_with_lone_surrogates() -> None:
    # str from a surrogateescape'd decode can hold them; they hash like any code point
    toks = tokens(Document.from_text("caf\udce9 au lait\nsecond line"))
    assert toks.n_rows == 2 and len(toks.buckets) > 0


def test_lines_with_invisible_marks_and_bars_are_found() -> None:
    soft = "Die Bundes\u00adregierung hat am Montag neue Regeln beschlossen, die ab Juli gelten sollen."
    bars = "Home | News | Sport | Weather | Contact us today"
    page = f"<html><body><p>{bars}</p><article><p>{soft}</p></article></body></html>"
    lines = [bars, soft.replace("\u00ad", "")]
    facts = page_facts(load_html(page), lines)
    assert all(facts.tags & TAG_BIT["found"])


def test_lines_beyond_the_whitespace_table_keep_their_places() -> None:
    # emoji and CJK lie beyond the table of dropped code points; U+3000 is whitespace within it
    cheer = "Fans cheered \U0001f389 as the team won the \u5168\u56fd\u5927\u4f1a\u3000final on Sunday."
    link = "Read the full match report and the coach's comments"
    page = f"<html><body><article><p>{cheer}</p><p><a href='/r'>{link}</a></p></article></body></html>"
    facts = page_facts(load_html(page), [cheer.replace("\u3000", " "), link])
    assert all(facts.tags & TAG_BIT["found"])
    assert list(facts.link_share) == [0.0, 1.0]


def test_the_walk_drops_exactly_what_a_searched_line_drops() -> None:
    # lines are searched with _piece; the page text is made with the table: they must agree
    from cleaner.page import _TABLE_SIZE, _dropped_table, _normal, _piece

    table = _dropped_table()
    for code in [*range(_TABLE_SIZE), 0x3001, 0xFEFF, 0x1F389, 0x10FFFF]:
        char = chr(code)
        normal = char if char.isascii() else _normal(char)
        walked = "".join(c for c in normal if not table[min(ord(c), _TABLE_SIZE)])
        assert _piece(char) == walked, hex(code)


def test_one_long_paragraph_is_not_the_main_container() -> None:
    paragraphs = ["a" * 255 + " end.", "b " * 42 + "end.", "c " * 30 + "end."]
    page = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>"
    assert not page_facts(load_html(page), paragraphs).outside_main.any()


def test_a_form_around_the_whole_page_is_no_block() -> None:
    paragraphs = [f"Paragraph {k} of the article tells a long story about the town." for k in range(6)]
    page = (
        "<html><body><form><div>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></form></body></html>"
    )
    assert (page_facts(load_html(page), paragraphs).block == -1).all()


@pytest.mark.parametrize("fast", [False, True])
def test_extraction_gives_trafilatura_s_own_text_in_either_mode(fast: bool) -> None:
    import trafilatura

    from cleaner.config import Settings
    from cleaner.decoding import decode

    from .conftest import CASES

    for path in sorted((CASES / "pages").glob("*.html")):
        html = decode(path.read_bytes())
        expected = trafilatura.extract(html, include_comments=False, fast=fast) or ""
        assert extract(html, settings=Settings(fast=fast)).text == expected, path.name


LOAD_CASES = [
    "",
    "   ",
    "plain text, no markup",
    "<p>one block</p>",
    "<div>a</div><div>b</div>",
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>declared</p></body></html>',
    "<html/><body><p>a self-closed html tag</p></body>",
    "<!DOCTYPE html><html><head><title>t</title></head></html>",
    "<html><body><form><input name=q><label>x</label></form><!-- c --><p>y</p></body></html>",
]


@pytest.mark.parametrize("html", LOAD_CASES)
def test_load_tree_parses_as_trafilatura_utils_load_html(html: str) -> None:
    """cleaner parses with its own parser (faster element lookup) following load_html's steps:
    if a trafilatura upgrade changes load_html, is_dubious_html or repair_faulty_html, this fails."""
    from lxml.html import tostring
    from trafilatura.utils import load_html

    from cleaner.extract import load_tree

    expected, got = load_html(html), load_tree(html)
    assert (got is None) == (expected is None)
    if expected is not None:
        assert tostring(got) == tostring(expected)


@pytest.mark.parametrize("where", ["<title>", "</p>"])
def test_a_lone_surrogate_does_not_cut_the_page(where: str) -> None:
    """Lone surrogates come from JSON escapes or surrogateescape decoding; the page goes on after one."""
    from cleaner.decoding import decode

    from .conftest import CASES

    page = decode((CASES / "pages" / "01_related_list.html").read_bytes())
    at = page.index(where)  # in a title's or the first paragraph's text
    text = extract(page[:at] + "\udce9" + page[at:]).text
    assert len(text) >= len(extract(page).text)
