"""Screenshot of a review page in headless Chromium (the README's picture of `make demo`'s).

python scripts/review_screenshot.py demo-out/review.html docs/review.png
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--open", type=int, default=1, help="open the whole text of the first N documents")
    args = parser.parse_args()

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1500"):
        options.add_argument(arg)
    driver = webdriver.Chrome(
        service=Service(shutil.which("chromedriver") or "chromedriver"), options=options
    )
    try:
        driver.get(args.report.resolve().as_uri())
        for summary in driver.find_elements(By.CSS_SELECTOR, "details.full summary")[: args.open]:
            summary.click()
        marks = driver.find_elements(By.CSS_SELECTOR, "ol.removed button.mark")
        if marks:
            marks[-1].click()  # one line marked, as a reviewer would
        driver.execute_script("window.scrollTo(0, 0)")
        args.png.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(args.png))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
