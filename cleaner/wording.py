"""The line-shape and wording patterns the features test: endings, list marks, labels,
boilerplate phrases and metadata shapes, in the languages of most news traffic; and the
counts of a line's character classes and capitalised words.

Kept short on purpose: the lexical model learns wording from data; these patterns are
hints the trees weigh against everything else, never a verdict on their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np

WORD = re.compile(r"\w+")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
ELLIPSIS = re.compile(r"(\u2026|\.\.\.|\. \. \.)\W{0,3}$")
# sentence-final punctuation, optionally followed by closing quotes/brackets
TERMINAL = re.compile(r"[.!?;:\u3002\uff01\uff1f\u061f\u0964][\"'\u201d\u2019\u00bb\u300d\u300f)\]]*$")
# how a sentence ends, as opposed to a label ("Read also:") or a headline
SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f][\"'\u201d\u2019\u00bb)\]]*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022\u25aa\u25cf\u2013]\s|\d{1,2}[.)]\s)")
# a short label ending in a colon at the start: "Photo:", "READ MORE:", "Foto:", "Source:"
LABEL = re.compile(r"^[^\W\d][\w .'\u2019&/-]{0,28}:\s")
URLISH = re.compile(r"https?://|www\.|\.com\b|@\w+\.\w+|\(at\)|#\w+")
# words that mark boilerplate (this and META are matched against lower-cased lines: one
# str.lower() per line is ~3x faster than re.IGNORECASE; their letters are lower case)
JUNK_WORDS = re.compile(
    r"\b(?:read more|read also|read next|see also|related (?:articles?|stories|content|links?|news)|"
    r"more from|more stories|recommended|most read|trending now|you might also like|you may also like|"
    r"latest news|top stories|subscribe|newsletter|sign up|follow us|share (?:this|on)|click here|"
    r"advertisement|all rights reserved|copyright|getty images|photo(?:graph)?s? by|"
    r"mehr zum thema|lesen sie auch|auch interessant|weitere artikel|anzeige|abonnieren|jetzt teilen|"
    r"leer m[aá]s|lea tambi[eé]n|suscr[ií]bete|compartir en|m[aá]s noticias|"
    r"te puede interesar|meistgelesen|das k[öo]nnte sie auch interessieren|"
    r"lire aussi|[àa] lire aussi|abonnez|partager|sur le m[êe]me sujet|les plus lus|"
    r"czytaj (?:te[zż]|tak[zż]e)|zobacz te[zż]|leggi anche|iscriviti|condividi|"
    r"les ogs[aå]|l[äa]s ocks[åa]|lees ook|leia tamb[ée]m|terms of (?:use|service)|privacy policy)\b|"
    r"\b(?:photo|image|credit|foto|bild|quelle|source):|"
    r"\u00a9|\u95a2\u9023\u8a18\u4e8b|\u3053\u3061\u3089\u3082|\u76f8\u5173\u9605\u8bfb"
)
# mid-article one-liners that stay: quotes, dialogue and rhetorical fragments start this way
QUOTE_START = re.compile(r"^[\"'\u201c\u2018\u00ab\u201e\u300c]")

# lines that read like a page's metadata rather than its text, when they stand alone
META = {
    "meta_byline": re.compile(
        r"^(?:by|von|par|por|di|door|av|przez|de)\s+[^\W\d_]|"
        r"^(?:written|posted|reviewed|edited|reported|updated|photos?|words|text|fact[- ]checked)\s+by\b|"
        r"^editor'?s note|^(?:author|autor|auteur)\s*:"
    ),
    "meta_stamp": re.compile(
        r"^(?:updated|published|posted|last (?:updated|modified)|modified|first published|"
        r"aktualisiert|ver[öo]ffentlicht|stand|mis [àa] jour|publi[ée]|actualizado|publicado|"
        r"aggiornato|pubblicato)\b"
    ),
    "meta_reading_time": re.compile(
        r"\b\d+\s*(?:-\s*)?(?:min(?:ute)?s?|minuten|minutos|minuti)\.?\s*(?:read|lesen|lesezeit|"
        r"de lecture|de lectura|di lettura|reading)\b|\b(?:reading time|lesezeit|temps de lecture)\b"
    ),
    "meta_date": re.compile(
        r"\b(?:19|20)\d{2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{1,2}:\d{2}\b|"
        r"\b\d+\s*(?:hours?|days?|minutes?|weeks?)\s+ago\b"
    ),
}

#: a line longer than this is prose, whatever it opens with ("By the time the council met, …")
META_MAX_CHARS = 100
#: a contributor credit, which reads as a byline (meta_byline) up to CREDIT_MAX_CHARS: wire
#: stories end with credits of many names ("Associated Press writers … in … and … in …
#: contributed to this report."; "Reporting by …; Writing by …; Editing by …"). Where it
#: could be prose, a credit must end the line (but for "from <place>") or name two roles:
#: "… contributed to this report by the council." and "Writing by hand is slower; …" are not
CREDIT = re.compile(
    r"contributed (?:to )?(?:this )?report(?:ing)?(?:\s+(?:from|in)\s+[^.!?;,]{1,30})?[.!?]?\W*$|"
    r"^\W{0,2}(?:additional )?(?:reporting|writing|editing) by\b(?:[^;]*;|[^;,.]*[,.])\s*"
    r"(?:additional )?(?:reporting|writing|editing|compiled|produced) by\b|"
    r"^\(\s*(?:additional )?(?:reporting|writing|editing) by\b[^()]*\)\W*$"
)
#: longer than this, a line ending in a credit is a paragraph that also gives one (up to it,
#: the line is taken for a credit with a sentence before it: "X reported from Y. …")
CREDIT_MAX_CHARS = 250
#: the metadata a line standing alone is removed for anywhere on a page (filter.metadata_lines)
STANDALONE_META = ("meta_byline", "meta_stamp", "meta_reading_time")

#: the letters re.IGNORECASE matches with i and s that str.lower() does not turn into them
#: ("İ" would become "i" plus a combining dot): folded first, so that lower-cased lines match
#: JUNK_WORDS and META exactly where IGNORECASE did
_CASE_ONLY_IN_RE = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def lowered(line: str) -> str:
    """A line as JUNK_WORDS and META are matched against (lower case; ~3x faster than IGNORECASE)."""
    return line.lower() if line.isascii() else line.translate(_CASE_ONLY_IN_RE).lower()


#: character classes of a line's start, counted by tables of one bool per code point (no call per character)
_CHAR_TESTS: dict[str, Callable[[str], bool]] = {
    "upper": str.isupper,
    "alpha": str.isalpha,
    "digit": str.isdigit,
}
_TABLE_SIZE = 0x3000  # through the scripts of most languages; CJK and beyond go by distinct character


@lru_cache(maxsize=1)
def _char_tables() -> dict[str, np.ndarray]:
    chars = [chr(i) for i in range(_TABLE_SIZE)]
    return {name: np.array([test(c) for c in chars], dtype=bool) for name, test in _CHAR_TESTS.items()}


def char_classes(texts: list[str]) -> dict[str, np.ndarray]:
    """Per text, how many of its characters are upper-case, alphabetic and digits (str.isupper,
    isalpha, isdigit), counted for all texts at once."""
    if not texts:
        return {name: np.zeros(0) for name in _CHAR_TESTS}
    sizes = np.array([len(t) for t in texts], dtype=np.intp)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    tables = _char_tables()
    beyond = np.flatnonzero(codes >= _TABLE_SIZE)
    # code points beyond the table (CJK, emoji...): each distinct one asked once
    distinct, where = np.unique(codes[beyond], return_inverse=True)
    counts = {}
    for name, test in _CHAR_TESTS.items():
        hit = tables[name][np.minimum(codes, _TABLE_SIZE - 1)]
        hit[beyond] = np.array([test(chr(c)) for c in distinct], dtype=bool)[where]
        total = np.r_[0, np.cumsum(hit)]
        counts[name] = (total[ends] - total[starts]).astype(float)
    return counts


def title_share(words: list[str]) -> float:
    """Share of a line's words starting with a letter that start with a capital."""
    alpha = upper = 0
    for w in words:
        if w[0].isalpha():
            alpha += 1
            upper += w[0].isupper()
    return upper / alpha if alpha else 0.0


def meta_kinds(low: str) -> dict[str, bool]:
    """Per META name, whether a lower-cased line (`lowered`), standing alone, reads like that
    metadata (a date by its pattern alone: features count its words too)."""
    short = len(low) <= META_MAX_CHARS
    kinds = {name: short and pattern.search(low) is not None for name, pattern in META.items()}
    kinds["meta_byline"] |= len(low) <= CREDIT_MAX_CHARS and CREDIT.search(low) is not None
    return kinds


def reads_as_metadata(line: str) -> bool:
    """Whether one line, standing alone, reads like a byline or credit, a date stamp or a reading time."""
    kinds = meta_kinds(lowered(line.strip()))
    return any(kinds[name] for name in STANDALONE_META)
