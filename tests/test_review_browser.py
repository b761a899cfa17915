"""The review page in a real browser (headless Chromium from the system packages, driven by
Selenium): filter, mark, download corrections, retrain with them; hostile text never runs."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.review import read_outputs, write_report

from .conftest import CASES, SEED

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install selenium)"
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="no Chromium and chromedriver on PATH (Debian: apt-get install chromium chromium-driver; .ci/run does)",
)
runner = CliRunner()


@pytest.fixture()
def browser(tmp_path: Path):  # type: ignore[no-untyped-def]
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400"):
        options.add_argument(arg)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.downloads = downloads
    yield driver
    driver.quit()


def _visible(driver) -> list:  # type: ignore[no-untyped-def]
    return [a for a in driver.find_elements(By.CSS_SELECTOR, "article.doc") if a.is_displayed()]


def _wait_for(path: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not path.is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.is_file(), f"{path} was not downloaded"


#: whether the page asks "leave this page?" (headless WebDriver answers the prompt itself, so the
#: event the browser sends before leaving is sent here)
LEAVING = "const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented;"


def test_filter_mark_download_and_retrain(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pages = sorted((CASES / "pages").glob("*.html"))
    out = tmp_path / "out"
    assert (
        runner.invoke(app, ["clean", *map(str, [*pages, SEED]), "-o", str(out), "-f", "json", "-q"]).exit_code
        == 0
    )
    report = tmp_path / "review.html"
    assert runner.invoke(app, ["review", str(out), "-o", str(report)]).exit_code == 0
    browser.get(report.as_uri())
    every = len(_visible(browser))
    assert every == len(pages) + 1

    Select(browser.find_element(By.ID, "reason")).select_by_value("cut off with an ellipsis")
    narrowed = _visible(browser)
    assert 0 < len(narrowed) < every
    assert all("cut off with an ellipsis" in a.get_attribute("data-hints") for a in narrowed)
    Select(browser.find_element(By.ID, "reason")).select_by_value("")
    browser.find_element(By.ID, "file").send_keys("000_bf343f9721e655f4")
    (seed,) = _visible(browser)

    # one removed line marked "wrongly removed", one kept line "junk that was kept"
    seed.find_element(By.CSS_SELECTOR, "ol.removed li button.mark").click()
    seed.find_element(By.CSS_SELECTOR, "details.full summary").click()
    WebDriverWait(browser, 5).until(lambda _: seed.find_elements(By.CSS_SELECTOR, ".line"))
    kept = [row for row in seed.find_elements(By.CSS_SELECTOR, ".line:not(.removed)") if row.text.strip()]
    kept[-1].find_element(By.CSS_SELECTOR, "button.mark").click()
    download = browser.find_element(By.ID, "download")
    assert download.text == "Download corrections (2)"
    assert browser.execute_script(LEAVING)  # marks not downloaded: leaving the page asks first
    download.click()
    assert not browser.execute_script(LEAVING)  # downloaded: nothing to lose
    corrections = browser.downloads / "corrections.jsonl"
    _wait_for(corrections)
    (record,) = [json.loads(line) for line in corrections.read_text(encoding="utf-8").splitlines()]
    assert record["path"] == str(SEED)
    labels = sorted(c["label"] for c in record["corrections"])
    assert labels == ["body", "junk"]
    doc = next(d for d in read_outputs(out) if d.path == str(SEED))
    for fix in record["corrections"]:
        assert doc.lines[fix["line"]] == fix["text"]

    model = tmp_path / "model"
    trained = runner.invoke(
        app, ["train", "--seeds", "seeds", "--corrections", str(corrections), "--out", str(model), "--no-cv"]
    )
    assert trained.exit_code == 0, trained.stderr
    card = json.loads((model / "cleaner-model.card.json").read_text(encoding="utf-8"))
    sources = {s["name"]: s for s in card["training_data"]["sources"]}
    assert sources["corrections"]["documents"] == 1
    assert sources["corrections"]["junk_lines"] == len(doc.removed) - 1 + 1


HOSTILE = [
    "<script>window.pwned = 1</script>",
    '<img src=x onerror="window.pwned = 1">',
    "</script><script>window.pwned = 1</script>",
    '<svg onload="window.pwned = 1"></svg>',
]


def test_hostile_page_text_shows_as_text_and_never_runs(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    first = "An ordinary first paragraph <b onmouseover='window.pwned=1'>with markup</b> in its text."
    removed = [
        {"line": i + 1, "text": t, "score": 0.97, "reason": f"in the trailing run; words: {t}"}
        for i, t in enumerate(HOSTILE)
    ]
    doc = {
        "path": "<img src=x onerror=window.pwned=1>",
        "text": first,
        "source": "text",
        "lines_in": 5,
        "removed": removed,
    }
    (out / "evil.json").write_text(json.dumps(doc), encoding="utf-8")
    write_report(read_outputs(out), tmp_path / "review.html")
    browser.get((tmp_path / "review.html").as_uri())
    article = browser.find_element(By.CSS_SELECTOR, "article.doc")
    article.find_element(By.CSS_SELECTOR, "details.full summary").click()
    WebDriverWait(browser, 5).until(lambda _: article.find_elements(By.CSS_SELECTOR, ".line"))
    shown = article.text
    for line in HOSTILE:
        assert line in shown, "shown as text"
    assert first in shown
    browser.find_element(By.ID, "search").send_keys("onerror")
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    assert (
        browser.execute_script(
            "return document.querySelectorAll('article img, article svg, article b').length"
        )
        == 0
    )
