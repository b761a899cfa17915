"""Gold datasets (`html/<id>.html` or `.html.gz` + `gold.jsonl`): pages, sites, the fixed held-out split,
and a cache of extractions so that training and evaluation parse each page once.

Pages are read from where they lie (e.g. ../shared/data); nothing of them is copied into
the project. The cache holds extracted lines only and lives outside the data folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..batch.writer import write_atomic
from ..decoding import decode
from ..document import Document
from ..errors import ConfigError, InputError, TrainingError
from ..extract import EXTRACT_VERSION, extract
from ..gzipped import gunzip
from ..page import signature

#: one site in HELD_OUT_MODULUS is held out for evaluation, chosen by a hash of its name
HELD_OUT_MODULUS = 5
DATA_ENV = "CLEANER_DATA"
CACHE_ENV = "CLEANER_CACHE"
_FUNDUS_ID = re.compile(r"^(?P<group>[a-z]+)-(?P<publisher>.+)_\d{4}_\d{2}_\d{2}$")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
#: second-level labels under which countries register domains (bbc.co.uk, abc.net.au)
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or", "go", "gob", "nic"})
#: hosting platforms: each subdomain is a publisher of its own (a blog, a newsletter)
_HOSTING = frozenset(
    {"blogspot.com", "substack.com", "wordpress.com", "tumblr.com", "medium.com", "github.io", "typepad.com"}
)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s")
#: how far into a page page_title looks for its <title>
TITLE_BYTES = 65536
#: file names a page's HTML may have, tried in this order (WCXB keeps its pages gzip'd)
HTML_SUFFIXES = (".html", ".html.gz")
GZIP_SUFFIX = ".gz"


@dataclass
class GoldPage:
    """One page of a gold dataset: where its HTML is, its gold text and its labels."""

    dataset: str
    id: str
    html_path: Path
    gold: str
    url: str | None = None
    lang: str | None = None
    without: list[str] = field(default_factory=list)
    blocks: list[dict[str, str]] = field(default_factory=list)
    #: the kind of page where the gold says (WCXB: article, service, product, forum, ...)
    page_type: str | None = None

    @property
    def is_article(self) -> bool:
        """An article (or a page of a set that has only articles): what the filter is for."""
        return self.page_type in (None, "article")

    @property
    def site(self) -> str:
        """The publisher or domain: all pages of a site fall on the same side of the split."""
        if self.dataset.startswith("fundus"):
            m = _FUNDUS_ID.match(self.id)
            if m:
                return f"{m['group']}/{m['publisher']}"
        if self.url:
            host = urlsplit(self.url).hostname or ""
            if host:
                return host.removeprefix("www.")
        return f"{self.dataset}/{self.id}"

    @property
    def domain(self) -> str:
        """The publisher's registrable domain, roughly (no public-suffix list), from the page's
        URL: `edition.cnn.com` and `cnn.com` are one publisher, whichever dataset they come
        from (fundus pages too: its `us/APNews` is apnews.com); the site for a page without one."""
        host = (urlsplit(self.url).hostname or "").removeprefix("www.") if self.url else ""
        if not host:
            return self.site
        labels = host.split(".")
        second_level = len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL
        domain = ".".join(labels[-3:] if second_level else labels[-2:])
        return host if domain in _HOSTING else domain

    @property
    def held_out(self) -> bool:
        """Whether the page is in its dataset's held-out (evaluation) split."""
        return is_held_out(self.dataset, self.site)

    def read_bytes(self) -> bytes:
        """The page's HTML bytes, inflated when the file is gzip'd."""
        try:
            data = self.html_path.read_bytes()
            return gunzip(data) if self.html_path.name.endswith(GZIP_SUFFIX) else data
        except (OSError, InputError) as exc:  # a .gz cut short too (TruncatedError)
            raise TrainingError(f"{self.html_path}: cannot read the page: {exc}") from exc

    def read_html(self) -> str:
        """The page decoded to str, as `clean_html` would decode it."""
        return decode(self.read_bytes())


def is_held_out(dataset: str, site: str) -> bool:
    """The fixed split: a hash of dataset and site, never tuned."""
    digest = hashlib.sha1(f"{dataset}:{site}".encode()).hexdigest()
    return int(digest, 16) % HELD_OUT_MODULUS == 0


#: the source checkout this module sits in (cleaner/training/datasets.py)
_PROJECT = Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    """$CLEANER_DATA, else ../shared/data beside the project."""
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else _PROJECT.parent / "shared" / "data"


def find_datasets(root: Path) -> list[Path]:
    """Dataset folders (those with a gold.jsonl) directly under `root`, sorted by name."""
    return (
        sorted(p for p in Path(root).iterdir() if (p / "gold.jsonl").is_file()) if Path(root).is_dir() else []
    )


def read_dataset(folder: Path, skipped: Counter[tuple[str, str]] | None = None) -> list[GoldPage]:
    """Pages of one dataset folder that have both HTML and gold text; `skipped` counts the
    gold rows left out, by dataset and reason."""
    folder = Path(folder)
    name = dataset_name(folder)
    gold_file = folder / "gold.jsonl"
    if not gold_file.is_file():
        raise TrainingError(
            f"{folder}: not a dataset (no gold.jsonl); expected html/<id>.html (or .html.gz) + gold.jsonl"
        )
    blocks: dict[str, list[dict[str, str]]] = {}
    if (folder / "blocks.jsonl").is_file():
        for row in _rows(folder / "blocks.jsonl", "blocks", BLOCK_FIELDS):
            blocks[row["id"]] = row["blocks"]
    pages = []
    rows = 0
    for row in _rows(gold_file, "text", GOLD_FIELDS):
        rows += 1
        html = _html_file(folder, row["id"])
        gold = row.get("text") or ""
        if html is None or not gold.strip() or "\x00" in gold:
            if skipped is not None:
                why = (
                    "without a page"
                    if html is None
                    else "with broken gold text"
                    if gold.strip()
                    else "with empty gold text"
                )
                skipped[(name, why)] += 1
            continue
        pages.append(
            GoldPage(
                dataset=name,
                id=row["id"],
                html_path=html,
                gold=row["text"],
                url=row.get("url"),
                lang=row.get("lang"),
                without=list(row.get("without") or []),
                blocks=blocks.get(row["id"], []),
                page_type=row.get("page_type"),
            )
        )
    if not pages:
        why = (
            "gold.jsonl holds no record"
            if not rows
            else "it has no html/ folder"
            if not (folder / "html").is_dir()
            else f"none of its {rows} gold records has both gold text and a page, html/<id>.html (or .html.gz)"
        )
        raise TrainingError(f"{folder}: no page to read: {why}")
    return pages


def dataset_name(folder: Path) -> str:
    """The name a dataset's pages carry, and its split is drawn from: its folder's own name,
    as `.` or `../data` name it too."""
    return Path(os.path.abspath(folder)).name  # not resolve(): a link's own name is the one given


#: the type of each field of a gold.jsonl record that training reads (null allowed but for "id")
GOLD_FIELDS: dict[str, type] = {"text": str, "url": str, "lang": str, "page_type": str, "without": list}
#: the same for blocks.jsonl
BLOCK_FIELDS: dict[str, type] = {"blocks": list}


def _rows(path: Path, field: str, types: dict[str, type]) -> Iterator[dict[str, Any]]:
    """The JSON records of a dataset's .jsonl file, their fields of the `types` given; a broken
    one is a TrainingError naming its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingError(f"{path}: cannot read it: {exc}") from exc
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise TrainingError(f"{path}:{number}: not a JSON record: {exc}") from exc
        if not isinstance(row, dict) or not isinstance(row.get("id"), str) or field not in row:
            raise TrainingError(f'{path}:{number}: a record needs an "id" (string) and a {field!r} field')
        for key, kind in types.items():
            if row.get(key) is not None and not isinstance(row[key], kind):
                raise TrainingError(
                    f"{path}:{number}: field {key!r} is a {type(row[key]).__name__}, not a {kind.__name__}"
                )
        yield row


def _html_file(folder: Path, page_id: str) -> Path | None:
    """The page's html/<id>.html, else html/<id>.html.gz; None when neither is there."""
    for suffix in HTML_SUFFIXES:
        path = folder / "html" / f"{page_id}{suffix}"
        if path.is_file():
            return path
    return None


#: titles outside this range are site names or whole standfirsts, not headlines
TITLE_MIN, TITLE_MAX = 15, 160
#: the first gold line this long is the article's lead, whose first sentence a teaser shows
LEAD_MIN = 60
#: a one-line gold body is no article to tell appended lines from
MIN_BODY_LINES = 2


def page_title(page: GoldPage) -> str:
    """The page's <title> as a reader sees it (character references resolved), without a
    trailing " | Site" part (a headline for synthetic teasers)."""
    head = page.read_bytes()[:TITLE_BYTES].decode("utf-8", "replace")
    m = _TITLE.search(head)
    if not m:
        return ""
    # resolved first: "&#8212; Site" is a separator too
    title = re.sub(r"\s+", " ", html.unescape(m.group(1))).strip()
    return re.split(r"\s+[|\u2013\u2014-]\s+", title)[0].strip()


def first_sentence(line: str) -> str:
    """A gold line's first sentence: a lead, as teaser cards show it."""
    return _SENTENCE_BREAK.split(line, maxsplit=1)[0]


def cache_dir() -> Path:
    """$CLEANER_CACHE, else .cache/ in a source checkout when writable, else the user's cache
    folder ($XDG_CACHE_HOME or ~/.cache, /cleaner), else a temp folder."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    # an installed package sits in site-packages: a cache there outlives `pip uninstall`
    folders = [_PROJECT / ".cache"] if (_PROJECT / "pyproject.toml").is_file() else []
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if Path(xdg).is_absolute():  # a relative one is to be ignored (the XDG spec)
        folders.append(Path(xdg) / "cleaner")
    with contextlib.suppress(RuntimeError):  # no home folder (a container's user without one)
        folders.append(Path.home() / ".cache" / "cleaner")
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            pass
    return Path(tempfile.gettempdir()) / "cleaner-cache"


def _cache_key(data: bytes) -> str:
    import trafilatura

    h = hashlib.sha1(data)
    h.update(f"trafilatura {trafilatura.__version__} extract v{EXTRACT_VERSION} {signature()}".encode())
    return h.hexdigest()


def extract_page(page: GoldPage) -> Document:
    """The page's Document (extraction as `clean_html` does it), cached on disk."""
    # the inflated bytes: a page's key does not depend on how the dataset stores it
    data = page.read_bytes()
    path = cache_dir() / "extract" / f"{_cache_key(data)}.json"
    if path.is_file():
        with contextlib.suppress(ValueError, KeyError, TypeError, InputError):  # a broken entry is made again
            return Document.from_dict(json.loads(path.read_text(encoding="utf-8")))
    doc = extract(decode(data), url=page.url)
    payload = doc.to_dict()
    write_atomic(path, json.dumps(payload))
    return doc


def extract_all(pages: list[GoldPage], jobs: int = -1) -> list[Document]:
    """Extract many pages in parallel (joblib), through the cache."""
    from joblib import Parallel, delayed

    return list(Parallel(n_jobs=jobs, batch_size=8)(delayed(extract_page)(p) for p in pages))


def iter_pages(roots: list[Path], skipped: Counter[tuple[str, str]] | None = None) -> Iterator[GoldPage]:
    """Pages of every dataset given (a dataset folder, or a folder of datasets); `skipped`
    counts the gold rows left out, by (dataset, reason). Two datasets of one name are an error:
    their pages would share one split."""
    seen: dict[str, Path] = {}
    for root in roots:
        folders = [root] if (Path(root) / "gold.jsonl").is_file() else find_datasets(root)
        if not folders:
            raise ConfigError(f"{root}: no dataset found (need html/ + gold.jsonl)")
        for folder in folders:
            name = dataset_name(folder)
            if name in seen:
                raise ConfigError(
                    f"{folder}: a second dataset named {name!r} (the first: {seen[name]}); give each "
                    "dataset once and under a name of its own (a page's split is drawn from that name)"
                )
            seen[name] = folder
            yield from read_dataset(folder, skipped)


def blocks_by_label(page: GoldPage) -> dict[str, str]:
    """Normalised block text -> label, for datasets that label every block (L3S, GoogleTrends)."""
    return {" ".join(b["text"].split()): b["label"] for b in page.blocks if b.get("text")}
