"""The shipped model: safe format, matches its card, equals scikit-learn, reproducible, generalises."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

import cleaner
from cleaner.document import Document
from cleaner.features import COLUMN, FEATURE_NAMES, line_features
from cleaner.lexical import LEXICAL_FILE
from cleaner.model import (
    CARD_FILE,
    MODEL_FILE,
    UNRECORDED_TEXT_WEIGHT,
    Model,
    _first_difference,
    default_model_dir,
    file_digest,
    load_model,
)
from cleaner.training.corpus import read_seeds
from cleaner.training.fit import TEXT_TREES_WEIGHT, TrainParams, export_trees, text_view
from cleaner.training.train import train

from .conftest import CASES, ROOT, SEED


def test_exported_trees_give_sklearn_probabilities() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, len(FEATURE_NAMES)))
    y = (x[:, 0] + 0.5 * x[:, 3] * x[:, 7] + rng.normal(scale=0.3, size=600) > 0).astype(int)
    estimator = TrainParams(max_iter=40).estimator().fit(x, y)
    model = Model.from_params(json.loads(json.dumps(export_trees(estimator, FEATURE_NAMES))))
    sample = rng.normal(size=(200, len(FEATURE_NAMES)))
    np.testing.assert_allclose(model.predict_proba(sample), estimator.predict_proba(sample)[:, 1], rtol=1e-9)


def test_shipped_model_matches_its_card() -> None:
    folder = default_model_dir()
    card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    model = load_model(folder)  # checks sha256, format and feature names
    assert card["features"] == list(FEATURE_NAMES) == list(model.feature_names)
    assert (folder / MODEL_FILE).stat().st_size < 2_000_000


def test_tampered_model_is_refused(tmp_path: Path) -> None:
    for name in (MODEL_FILE, CARD_FILE):
        (tmp_path / name).write_bytes((default_model_dir() / name).read_bytes())
    (tmp_path / MODEL_FILE).write_text((tmp_path / MODEL_FILE).read_text().replace('"depth": ', '"depth": 1'))
    with pytest.raises(cleaner.ModelError, match="does not match its card"):
        cleaner.Cleaner(model=tmp_path)
    with pytest.raises(cleaner.ModelError, match="no model file there; check the model path"):
        cleaner.Cleaner(model=tmp_path / "nowhere")
    (tmp_path / CARD_FILE).write_text("[]", encoding="utf-8")
    with pytest.raises(cleaner.ModelError, match="a model card is a JSON object, not list"):
        cleaner.Cleaner(model=tmp_path)


def test_a_model_for_other_features_names_the_first_column_that_differs(tmp_path: Path) -> None:
    for name in (MODEL_FILE, CARD_FILE, LEXICAL_FILE):
        (tmp_path / name).write_bytes((default_model_dir() / name).read_bytes())
    params = json.loads((tmp_path / MODEL_FILE).read_text(encoding="utf-8"))
    params["feature_names"][7] = "a_retired_column"
    (tmp_path / MODEL_FILE).write_text(json.dumps(params), encoding="utf-8")
    card = json.loads((tmp_path / CARD_FILE).read_text(encoding="utf-8"))
    card["model_sha256"] = file_digest(tmp_path / MODEL_FILE)
    (tmp_path / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(
        cleaner.ModelError, match=f"column 7: 'a_retired_column' against '{FEATURE_NAMES[7]}'"
    ):
        cleaner.Cleaner(model=tmp_path)


def test_the_first_difference_of_two_feature_lists_is_named() -> None:
    assert _first_difference(("a", "b"), ("a", "c")) == ", column 1: 'b' against 'c'"
    assert (
        _first_difference(("a", "b"), ("a", "b", "c")) == ", column 2: none against 'c'"
    )  # one added at the end
    assert _first_difference(("a", "b"), ("a", "b")) == ""


def test_a_model_folder_whose_files_change_is_loaded_anew(tmp_path: Path) -> None:
    for name in (MODEL_FILE, CARD_FILE, LEXICAL_FILE):
        (tmp_path / name).write_bytes((default_model_dir() / name).read_bytes())
    first = cleaner.Cleaner(model=tmp_path)
    assert cleaner.Cleaner(model=tmp_path).model_ is first.model_  # cached
    assert cleaner.clean_text("a\nb", model=tmp_path) == "a\nb"
    # "retrained": other thresholds, the files replaced as `cleaner train` replaces them
    params = json.loads((tmp_path / MODEL_FILE).read_text(encoding="utf-8"))
    params["decision_thresholds"]["trailing_threshold"] = 0.55
    raw = json.dumps(params).encode("utf-8")
    card = json.loads((tmp_path / CARD_FILE).read_text(encoding="utf-8"))
    card["model_sha256"] = hashlib.sha256(raw).hexdigest()
    (tmp_path / "new").write_bytes(raw)
    (tmp_path / "new").replace(tmp_path / MODEL_FILE)
    (tmp_path / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    assert cleaner.Cleaner(model=tmp_path).rule_.trailing_threshold == 0.55
    assert first.rule_.trailing_threshold != 0.55  # a Cleaner made before keeps its model
    card["model_sha256"] = "0" * 64  # as if the model file had been retrained without its card
    (tmp_path / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(cleaner.ModelError, match="does not match its card"):
        cleaner.Cleaner(model=tmp_path)
    with pytest.raises(cleaner.ModelError, match="does not match its card"):
        cleaner.clean_text("a\nb", model=tmp_path)  # not the Cleaner it kept from before


def test_tampered_or_missing_lexical_model_is_refused(tmp_path: Path) -> None:
    for name in (MODEL_FILE, CARD_FILE, LEXICAL_FILE):
        (tmp_path / name).write_bytes((default_model_dir() / name).read_bytes())
    weights = np.load(tmp_path / LEXICAL_FILE)
    weights[0] += 1.0
    np.save(tmp_path / LEXICAL_FILE, weights)
    with pytest.raises(cleaner.ModelError, match="does not match its card"):
        cleaner.Cleaner(model=tmp_path)
    (tmp_path / LEXICAL_FILE).unlink()
    with pytest.raises(cleaner.ModelError, match=LEXICAL_FILE):
        cleaner.Cleaner(model=tmp_path)


def test_shipped_model_files_are_small_plain_arrays() -> None:
    total = sum((default_model_dir() / n).stat().st_size for n in (MODEL_FILE, LEXICAL_FILE))
    assert total <= 5 * 1024 * 1024
    assert np.load(default_model_dir() / LEXICAL_FILE, allow_pickle=False).dtype == np.float32


def test_training_is_deterministic(tmp_path: Path) -> None:
    docs = read_seeds(ROOT / "seeds")
    first = train(docs, tmp_path / "a", with_cv=False)
    second = train(docs, tmp_path / "b", with_cv=False)
    assert first["model_sha256"] == second["model_sha256"]
    assert first["lexical_sha256"] == second["lexical_sha256"]
    assert (tmp_path / "a" / MODEL_FILE).read_bytes() == (tmp_path / "b" / MODEL_FILE).read_bytes()


def test_pages_alone_train_a_model_without_text_trees(tmp_path: Path, seed_text: str) -> None:
    pages = [d for d in read_seeds(ROOT / "seeds") if d.doc.source == "html"]
    train(pages, tmp_path)  # cross-validated: no plain-text folds to judge by, and none needed
    assert "text_model" not in json.loads((tmp_path / MODEL_FILE).read_text(encoding="utf-8"))
    assert cleaner.clean_text(seed_text, model=str(tmp_path))


def test_model_trained_without_the_seed_still_cleans_it(
    tmp_path: Path, seed_text: str, seed_expected: str
) -> None:
    docs = read_seeds(ROOT / "seeds", exclude=[SEED.stem])
    assert all(SEED.stem not in d.name for d in docs)
    train(docs, tmp_path, with_cv=False)
    assert cleaner.clean_text(seed_text, model=str(tmp_path)) == seed_expected


def test_cleaner_pickles_into_workers(tmp_path: Path, seed_text: str) -> None:
    """A worker gets the same model (not the shipped one) and the same settings."""
    import pickle

    train(read_seeds(ROOT / "seeds"), tmp_path, with_cv=False)
    c = cleaner.Cleaner(model=tmp_path, trailing_threshold=0.6)
    assert c.model_.digest != cleaner.Cleaner().model_.digest
    clone = pickle.loads(pickle.dumps(c))
    assert clone.settings == c.settings
    assert clone.model_.digest == c.model_.digest
    assert clone.signature() == c.signature()
    assert clone.clean_text(seed_text) == c.clean_text(seed_text)
    # its repr is the call that makes it again (options given, not the defaults)
    assert repr(c) == f"Cleaner(model={str(tmp_path)!r}, trailing_threshold=0.6)"
    again = eval(repr(c), {"Cleaner": cleaner.Cleaner})
    assert again.settings == c.settings and again.model_.digest == c.model_.digest
    assert repr(cleaner.Cleaner()) == "Cleaner()"


def test_a_header_goes_only_with_a_wholly_removed_block() -> None:
    from cleaner.config import Settings
    from cleaner.filter import decide

    # a cue removes the block's first line only (the block's median, 0.4, clears the cue threshold)
    rule = Settings(trailing_threshold=0.8, inner_threshold=0.95, cue_threshold=0.35).resolve()
    scores = np.array([0.01] * 4 + [0.6, 0.45, 0.4, 0.4, 0.01, 0.01])
    cue = np.zeros(10, dtype=bool)
    cue[5] = True
    runs = np.array([-1] * 5 + [0, 0, 0] + [-1, -1])
    labels = np.zeros(10, dtype=bool)
    labels[4] = True
    removed = decide(scores, np.full(10, 50.0), rule, cue, runs=runs, labels=labels)
    assert removed[5] and not removed[6:8].any()
    assert not removed[4]


def _decide_block(
    header: float, block: float, header_cue: bool = False, grouped: np.ndarray | None = None
) -> np.ndarray:
    """decide() on ten 50-character lines: body, a short header at 4, a block at 5-7, body."""
    from cleaner.config import Settings
    from cleaner.filter import decide

    rule = Settings(trailing_threshold=0.8, inner_threshold=0.95, cue_threshold=0.9).resolve()
    scores = np.array([0.01] * 4 + [header] + [block] * 3 + [0.01, 0.01])
    cue = np.zeros(10, dtype=bool)
    cue[4] = header_cue
    runs = np.array([-1] * 5 + [0, 0, 0] + [-1, -1])
    labels = np.zeros(10, dtype=bool)
    labels[4] = True
    return decide(scores, np.full(10, 50.0), rule, cue, runs=runs, labels=labels, grouped=grouped)


@pytest.mark.parametrize(
    ("header", "block", "header_cue", "gone"),
    [
        # a wholly removed block takes its header along ("Related stories" over teasers)...
        (0.6, 0.97, False, [4, 5, 6, 7]),
        # ...unless the header reads like text
        (0.3, 0.97, False, [5, 6, 7]),
        # a removed header takes the block under it when the block leans to junk...
        (0.92, 0.6, True, [4, 5, 6, 7]),
        # ...and leaves a block that leans to text
        (0.92, 0.3, True, [4]),
    ],
)
def test_headers_and_their_blocks_go_together(
    header: float, block: float, header_cue: bool, gone: list[int]
) -> None:
    assert np.flatnonzero(_decide_block(header, block, header_cue)).tolist() == gone


def test_decide_says_which_rows_went_with_their_group() -> None:
    from cleaner.filter import HEADER, WITH_HEADER

    grouped = np.zeros(10, dtype=np.int8)
    _decide_block(0.6, 0.97, grouped=grouped)  # the header went with its block
    assert grouped.tolist() == [0] * 4 + [HEADER] + [0] * 5
    grouped[:] = 0
    _decide_block(0.92, 0.6, True, grouped=grouped)  # the block went with its header
    assert grouped.tolist() == [0] * 5 + [WITH_HEADER] * 3 + [0] * 2


def test_a_header_removed_with_its_list_says_so() -> None:
    from cleaner.config import Settings
    from cleaner.extract import extract
    from cleaner.features import line_features
    from cleaner.filter import apply

    # six body lines, "Related stories", a list of four teasers; the scores made up
    doc = extract((CASES / "pages" / "01_related_list.html").read_text(encoding="utf-8"))
    scores = np.array([0.01] * 6 + [0.6] + [0.97] * 4)
    rule = Settings(trailing_threshold=0.8, inner_threshold=0.9, cue_threshold=0.9).resolve()
    result = apply(doc, line_features(doc), scores, rule)
    assert result.removed[0].text == "Related stories"
    assert result.removed[0].reason.startswith("the header of the removed lines after it; ")
    assert len(result.removed) == 5 and all("header" not in r.reason for r in result.removed[1:])


def test_a_removal_of_most_of_the_text_keeps_all_but_the_surest_lines() -> None:
    from cleaner.config import Settings
    from cleaner.filter import decide

    rule = Settings(trailing_threshold=0.8, max_removed_share=0.5, guard_threshold=0.95).resolve()
    scores = np.array([0.01] * 4 + [0.9, 0.97, 0.9, 0.99, 0.9, 0.9])
    chars = np.full(10, 50.0)
    assert np.flatnonzero(decide(scores, chars, rule)).tolist() == [5, 7]
    # under the cap the whole trailing run goes
    lenient = Settings(trailing_threshold=0.8, max_removed_share=0.7, guard_threshold=0.95).resolve()
    assert np.flatnonzero(decide(scores, chars, lenient)).tolist() == [4, 5, 6, 7, 8, 9]
    # a block of sure navigation rows takes its median, but the guard asks each row's own
    # score: the one row holding the article (long, scored low) is not carried off with them
    page = np.array([0.99, 0.97, 0.1, 0.98, 0.99])
    long_row = np.array([30.0, 30.0, 4000.0, 30.0, 30.0])
    block = np.zeros(5, dtype=np.int64)
    assert np.flatnonzero(decide(page, long_row, rule, runs=block)).tolist() == [0, 1, 3, 4]


def test_a_page_that_declares_itself_an_article_is_cleaned_at_the_article_threshold() -> None:
    from cleaner.config import Settings
    from cleaner.filter import decide

    rule = Settings(trailing_threshold=0.9, inner_threshold=0.95, article_threshold=0.7).resolve()
    scores = np.array([0.01, 0.8, 0.01, 0.02, 0.75, 0.85])
    chars = np.full(6, 50.0)
    assert not decide(scores, chars, rule).any()
    assert np.flatnonzero(decide(scores, chars, rule, article=True)).tolist() == [1, 4, 5]
    # plain text has no page to declare anything
    assert not decide(scores, chars, rule, plain_text=True, article=True).any()
    # left unset, it is the model's, else none (1); a trailing threshold you set is its floor
    assert Settings().resolve({"article_threshold": 0.7}).article_threshold == 0.7
    assert Settings().resolve().article_threshold == 1.0
    assert Settings(trailing_threshold=0.9).resolve({"article_threshold": 0.7}).article_threshold == 0.9


def test_a_line_removed_only_because_the_page_is_an_article_says_so() -> None:
    from dataclasses import replace

    from cleaner.config import Settings
    from cleaner.extract import extract
    from cleaner.features import line_features
    from cleaner.filter import apply

    # six body lines, "Related stories", a list of four teasers; the scores made up
    page = extract((CASES / "pages" / "01_related_list.html").read_text(encoding="utf-8"))
    scores = np.array([0.01] * 6 + [0.6] + [0.75, 0.75, 0.75, 0.97])
    rule = Settings(trailing_threshold=0.8, inner_threshold=0.9, cue_threshold=0.9, article_threshold=0.7)
    assert page.declares_article is False
    assert not apply(page, line_features(page), scores, rule.resolve()).removed  # the list's median: 0.75
    doc = replace(page, declares_article=True)
    as_article = apply(doc, line_features(doc), scores, rule.resolve())
    assert [r.text for r in as_article.removed] == page.row_texts[6:]
    said = ["the page declares itself an article" in r.reason for r in as_article.removed]
    assert said == [False, True, True, True, True]  # the header went with its list


def test_documents_shorter_than_min_lines_are_left_alone() -> None:
    from cleaner.config import Settings
    from cleaner.filter import decide

    scores, chars = np.array([0.01, 0.99, 0.99]), np.full(3, 50.0)
    assert decide(scores, chars, Settings(trailing_threshold=0.8, min_lines=4).resolve()).sum() == 0
    assert decide(scores, chars, Settings(trailing_threshold=0.8, min_lines=3).resolve()).sum() == 2


def test_decide_needs_resolved_settings() -> None:
    from cleaner.config import Settings
    from cleaner.filter import decide

    with pytest.raises(cleaner.ConfigError, match="resolved"):
        decide(np.array([0.1, 0.9]), np.full(2, 50.0), Settings())


@pytest.mark.parametrize(
    ("scores", "tail"),
    [
        # a doubtful teaser amid sure ones goes with the run its neighbours carry
        ([0.01, 0.02, 0.01, 0.02, 0.01, 0.97, 0.6, 0.98, 0.99], 5),
        # a sure line of the text ends the run where it stands
        ([0.01, 0.02, 0.97, 0.001, 0.9, 0.95], 4),
        # the sure lines must outweigh the doubtful: one sure line after many doubtful ones
        ([0.01, 0.02, 0.4, 0.4, 0.4, 0.4, 0.96], 6),
        # nothing sure at the end: no run
        ([0.01, 0.9, 0.02, 0.5], 4),
        # a line scored at the threshold goes, as on a page
        ([0.01, 0.02, 0.85], 2),
    ],
)
def test_plain_texts_trailing_run_is_the_likeliest_tail(scores: list[float], tail: int) -> None:
    from cleaner.config import Settings
    from cleaner.filter import decide, likeliest_tail

    assert likeliest_tail(np.array(scores), 0.85) == tail
    rule = Settings(trailing_threshold=0.99, text_threshold=0.85, inner_threshold=0.999, cue_threshold=0.999)
    removed = decide(np.array(scores), np.full(len(scores), 40.0), rule.resolve(), plain_text=True)
    assert removed.tolist() == [k >= tail for k in range(len(scores))]


@pytest.mark.parametrize(("threshold", "tail"), [(0.0, 0), (1.0, 3), (0.999999, 3)])
def test_the_likeliest_tail_at_extreme_thresholds(threshold: float, tail: int) -> None:
    from cleaner.filter import likeliest_tail

    # at 0 every line goes; at 1 (or within clipping of it) only lines scored 1 do
    assert likeliest_tail(np.array([0.2, 0.7, 0.99, 1.0]), threshold) == tail
    assert likeliest_tail(np.array([]), threshold) == 0


def test_plain_text_is_judged_by_both_sets_of_trees(host_article: str) -> None:
    model = load_model()
    assert model.text is not None and model.lexical is not None
    doc = Document.from_text(host_article)
    matrix, scores = model.score(doc)
    assert matrix[:, COLUMN["lexical"]].any()  # the page trees see the lexical score...
    text_matrix = line_features(doc)
    assert not text_matrix[:, COLUMN["lexical"]].any()  # ...the text trees do not
    w = model.text_weight
    assert w == TEXT_TREES_WEIGHT  # the file records the weight training chose
    expected = (1 - w) * model.predict_proba(matrix) + w * model.text.predict_proba(text_matrix)
    np.testing.assert_allclose(scores, expected)
    page = Document(lines=doc.lines, source="html")
    np.testing.assert_array_equal(model.score(page)[1], model.predict_proba(model.score(page)[0]))


def test_a_model_file_without_a_recorded_weight_judges_plain_text_by_the_mean() -> None:
    params = json.loads((default_model_dir() / MODEL_FILE).read_text(encoding="utf-8"))
    assert Model.from_params(params).text_weight == TEXT_TREES_WEIGHT != UNRECORDED_TEXT_WEIGHT
    del params["text_model_weight"]
    assert Model.from_params(params).text_weight == UNRECORDED_TEXT_WEIGHT == 0.5


def test_text_view_drops_the_lexical_score_of_plain_text_only() -> None:
    docs = read_seeds(ROOT / "seeds")
    for d in docs:
        d.lexical_ = np.full(len(d.labels), 2.0)
    view = text_view(docs)
    assert view and len(view) == sum(d.doc.source == "text" for d in docs) < len(docs)
    column = COLUMN["lexical"]
    assert all(not v.features[:, column].any() for v in view)
    assert all(d.features[:, column].all() for d in docs)  # the originals keep theirs


def test_a_long_document_scores_the_same_in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lexical hashing and the tree walk go through long documents in parts (memory stays
    bounded); every line must score exactly as in one pass."""
    from cleaner import lexical, model
    from cleaner.extract import extract

    doc = extract((ROOT / "tests" / "cases" / "pages" / "09_german_teasers.html").read_text(encoding="utf-8"))
    m = load_model()
    whole = m.score(doc)[1]
    monkeypatch.setattr(lexical, "CHUNK_ROWS", 3)
    monkeypatch.setattr(model, "CHUNK_ROWS", 4)
    assert len(doc.rows) > 4
    np.testing.assert_array_equal(m.score(doc)[1], whole)


def test_a_metadata_line_goes_from_a_lower_score_on_pages_only() -> None:
    from cleaner import Document
    from cleaner.config import METADATA_THRESHOLD, Settings
    from cleaner.features import COLUMN, FEATURE_NAMES
    from cleaner.filter import decide, removals

    rule = Settings(
        trailing_threshold=0.8, inner_threshold=0.9, cue_threshold=0.9, metadata_threshold=METADATA_THRESHOLD
    ).resolve()
    scores = np.array([0.01, METADATA_THRESHOLD, 0.01, METADATA_THRESHOLD - 0.01, 0.01])
    metadata = np.array([False, True, False, True, False])
    removed = decide(scores, np.full(5, 50.0), rule, metadata=metadata)
    assert np.flatnonzero(removed).tolist() == [1]  # the byline at the threshold, not the one under it
    assert not decide(scores, np.full(5, 50.0), rule).any()  # without the flags: kept
    # the flags come from the metadata shapes, on a page; plain text keeps the line
    lines = ["Body one.", "By Anna Novak", "Body two.", "Body three.", "Body four."]
    matrix = np.zeros((5, len(FEATURE_NAMES)))
    matrix[1, COLUMN["meta_byline"]] = 1
    page = Document(lines=lines, source="html")
    assert np.flatnonzero(removals(page, matrix, scores, rule)).tolist() == [1]
    assert not removals(Document.from_text("\n".join(lines)), matrix, scores, rule).any()
    # its own setting, as the cue threshold: a trailing threshold you set is only a floor
    assert Settings().resolve().metadata_threshold == METADATA_THRESHOLD
    assert Settings(trailing_threshold=0.3).resolve().metadata_threshold == METADATA_THRESHOLD
    assert Settings(trailing_threshold=0.95).resolve().metadata_threshold == 0.95
    assert not removals(page, matrix, scores, Settings(trailing_threshold=1.0).resolve()).any()
    stricter = Settings(
        trailing_threshold=0.8, inner_threshold=0.9, cue_threshold=0.9, metadata_threshold=0.7
    )
    assert not removals(page, matrix, scores, stricter.resolve()).any()


def test_a_threshold_you_set_is_a_floor_for_the_others() -> None:
    # the related list's header goes at the cue threshold and takes its block along: a
    # trailing threshold raised above the cue threshold keeps them ("raising removes less")
    page = (CASES / "pages" / "01_related_list.html").read_bytes()
    removed = [{r.line for r in cleaner.Cleaner().clean_html(page).removed}]
    assert len(removed[0]) == 5
    for threshold in (0.9, 0.95, 0.99, 1.0):
        rule = cleaner.Settings(trailing_threshold=threshold).resolve()
        assert min(rule.inner_threshold, rule.cue_threshold, rule.metadata_threshold) >= threshold
        result = cleaner.Cleaner(trailing_threshold=threshold).clean_html(page)
        removed.append({r.line for r in result.removed})
        assert removed[-1] <= removed[-2]
        # a line on its own goes at the threshold; a block on its median, or with its header
        alone = [r for r in result.removed if not re.search("with its (header|block)", r.reason)]
        assert all(r.score >= threshold for r in alone)
    assert removed[-1] == set()
