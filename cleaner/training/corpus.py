"""Labelled training documents: the project's seeds, real pages with gold text (weak.py) and
synthetic plain-text documents (synthetic.py)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..decoding import decode
from ..document import Document
from ..errors import ConfigError, TrainingError
from ..extract import extract
from ..features import line_features
from .datasets import HELD_OUT_MODULUS, GoldPage, extract_all, iter_pages

JUNK_SUFFIX = ".junk"
#: a seed line counts this many times a weakly labelled line: seeds are checked by hand
SEED_WEIGHT = 10.0
DOC_SUFFIXES = (".txt", ".html", ".htm")
#: every learner's seed: training gives the same model, run after run
RANDOM_STATE = 0
#: cross-validation folds; a publisher's fold is fixed by a hash of its name (`fold_of`)
CV_FOLDS = 5


@dataclass
class LabelledDoc:
    """A Document with a label per non-blank line (1 junk, 0 body) and where it came from."""

    doc: Document
    labels: np.ndarray
    source: str
    group: str
    name: str
    weight: float = 1.0
    #: the groups whose text a synthetic document borrowed: it is kept out of the folds that test them
    borrowed: frozenset[str] = frozenset()
    #: the lexical model's out-of-fold score of each row, set by training before features are read
    lexical_: np.ndarray | None = field(default=None, repr=False)
    features_: np.ndarray | None = field(default=None, repr=False)

    @property
    def features(self) -> np.ndarray:
        """The document's feature matrix (with its lexical scores), computed once."""
        if self.features_ is None:
            self.features_ = line_features(self.doc, self.lexical_)
        return self.features_


def fold_of(group: str, folds: int = CV_FOLDS) -> int:
    """The cross-validation fold of a group (a publisher): a hash of its name, so that synthetic
    documents can borrow text from their own fold only, before any fold is drawn."""
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % folds


def site_folds(docs: Sequence[LabelledDoc], folds: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(train, test) document indices of grouped k-fold, by `fold_of`: no site on both sides of
    a fold, and no synthetic document on the train side that borrowed text of a site on the
    test side. Groups too few to fill two folds get one fold each."""
    from sklearn.model_selection import GroupKFold

    groups = np.array([d.group for d in docs])
    fold = np.array([fold_of(g, folds) for g in groups], dtype=np.intp)
    if len(set(fold.tolist())) < 2:
        splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
        splits = splitter.split(np.zeros(len(docs)), groups=groups)
    else:
        splits = ((np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in sorted(set(fold.tolist())))
    for others, test in splits:
        tested = set(groups[test].tolist())
        train = [i for i in others.tolist() if tested.isdisjoint(docs[i].borrowed)]
        yield np.asarray(train, dtype=np.intp), test


def read_seeds(seeds_dir: Path, exclude: Iterable[str] = ()) -> list[LabelledDoc]:
    """Read `NAME.txt`/`NAME.html` + `NAME.junk` pairs (format: seeds/README.md)."""
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.is_dir():
        raise ConfigError(f"{seeds_dir}: seeds folder not found")
    skip = set(exclude)
    docs: list[LabelledDoc] = []
    for path in sorted(p for p in seeds_dir.iterdir() if p.suffix in DOC_SUFFIXES):
        if path.stem in skip or path.name in skip:
            continue
        sidecar = path.with_suffix(JUNK_SUFFIX)
        if not sidecar.is_file():
            raise TrainingError(f"{path}: no label file {sidecar.name} beside it (empty file = no junk)")
        try:
            junk = {
                line.strip() for line in sidecar.read_text(encoding="utf-8-sig").split("\n") if line.strip()
            }
        except (OSError, UnicodeDecodeError) as exc:
            raise TrainingError(f"{sidecar}: cannot read it as UTF-8 text ({exc})") from exc
        raw = path.read_bytes()
        doc = extract(decode(raw)) if path.suffix != ".txt" else Document.from_text(decode(raw))
        labels = label_exact(doc, junk)
        missing = junk - set(doc.row_texts)
        if missing:
            raise TrainingError(f"{sidecar}: junk line(s) not found in the document: {sorted(missing)[:3]}")
        docs.append(
            LabelledDoc(
                doc=doc,
                labels=labels,
                source="seeds",
                group=f"seeds/{path.stem}",
                name=path.name,
                weight=SEED_WEIGHT,
            )
        )
    unknown = skip - {n for p in seeds_dir.iterdir() if p.suffix in DOC_SUFFIXES for n in (p.stem, p.name)}
    if unknown:
        raise ConfigError(f"{seeds_dir}: no seed document named {', '.join(sorted(unknown))} to leave out")
    if not docs:
        raise ConfigError(f"{seeds_dir}: no training documents (*.txt or *.html with a .junk sidecar)")
    return docs


def label_exact(doc: Document, junk: set[str]) -> np.ndarray:
    """Label each non-blank line junk when its stripped text is one of `junk`."""
    return np.array([text in junk for text in doc.row_texts], dtype=np.int8)


def digest(docs: Iterable[LabelledDoc]) -> str:
    """sha256 over every document's lines and labels, in order: names the training data."""
    h = hashlib.sha256()
    for d in docs:
        h.update(d.name.encode())
        h.update("\n".join(d.doc.lines).encode())
        h.update(d.labels.tobytes())
        h.update(repr(d.weight).encode())
    return h.hexdigest()


@dataclass
class Corpus:
    """Training documents, plus the gold page behind each document that has one."""

    docs: list[LabelledDoc]
    pages: dict[str, GoldPage] = field(default_factory=dict)
    #: what a person training should know about the inputs (corrections used in part)
    notes: list[str] = field(default_factory=list)


def _training_side(pages: list[GoldPage], notes: list[str]) -> list[GoldPage]:
    """The pages training may see: not held out, and not of a publisher (domain) held out in
    any dataset (cnn.com held out in one set is not learnt from another). A note for each
    dataset with all its pages held out (one site whose hash falls in the evaluation's share:
    a reader's own gold pages, often)."""
    held_domains = {p.domain for p in pages if p.held_out}
    kept = [p for p in pages if not p.held_out and p.domain not in held_domains]
    shared = sum(not p.held_out for p in pages) - len(kept)
    if shared:
        notes.append(
            f"{shared} gold page(s) left out of training: their publisher has pages held out for "
            "`cleaner evaluate --split test` (in their dataset or another)"
        )
    for dataset, count in sorted(Counter(p.dataset for p in pages).items()):
        if all(p.held_out for p in pages if p.dataset == dataset):
            notes.append(
                f"{dataset}: all {count} gold page(s) are held out for `cleaner evaluate --split test` "
                f"(their sites have sha1(dataset:site) % {HELD_OUT_MODULUS} == 0): none is trained on "
                "(pages of more sites give training pages)"
            )
    return kept


def collect(
    seeds_dir: Path,
    data_roots: Sequence[Path] = (),
    exclude: Sequence[str] = (),
    corrections: Sequence[Path] = (),
) -> Corpus:
    """Seeds and a reviewer's corrections, plus weak labels and synthetic text documents from
    the datasets' training side."""
    from .corrections import read_corrections
    from .synthetic import junk_pool, teaser_pool, text_documents
    from .weak import label_page

    notes: list[str] = []
    docs = read_seeds(seeds_dir, exclude=exclude) + (
        read_corrections(corrections, notes) if corrections else []
    )
    pages = _training_side(list(iter_pages(list(data_roots))), notes) if data_roots else []
    corpus = Corpus(docs=docs, notes=notes)
    if pages:
        for page, doc in zip(pages, extract_all(pages), strict=True):
            labelled = label_page(page, doc)
            corpus.docs.append(labelled)
            corpus.pages[labelled.name] = page
        junk = junk_pool(corpus.docs, corpus.pages)
        # synthetic documents are article bodies with junk appended: built from articles only
        articles = [p for p in pages if p.is_article]
        corpus.docs.extend(text_documents(articles, teaser_pool(articles), junk))
    return corpus
