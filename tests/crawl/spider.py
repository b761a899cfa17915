"""A real Scrapy crawl for tests/test_scrapy.py: run as `python spider.py BASE_URL OUT.jsonl [SETTING=VALUE...]`."""

from __future__ import annotations

import sys

import scrapy
from scrapy.crawler import CrawlerProcess


class FixtureSpider(scrapy.Spider):
    """Follows every link of the index page and yields each page's URL and body."""

    name = "fixtures"

    def __init__(self, base: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.start_urls = [f"{base}/index.html"]

    def parse(self, response: scrapy.http.Response):  # type: ignore[no-untyped-def]
        yield from response.follow_all(css="a::attr(href)", callback=self.parse_page)

    def parse_page(self, response: scrapy.http.Response):  # type: ignore[no-untyped-def]
        # as the README's spider: the bytes and the response's Content-Type
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        yield {"url": response.url, "html": response.body, "encoding": content_type}


def main() -> None:
    base, out, *pairs = sys.argv[1:]
    settings = {
        "ITEM_PIPELINES": {"cleaner.scrapy.CleanerPipeline": 300},
        "FEEDS": {out: {"format": "jsonlines"}},  # every field, as a user's feed exports them
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
    }
    for pair in pairs:
        key, value = pair.split("=", 1)
        settings[key] = value
    process = CrawlerProcess(settings)
    process.crawl(FixtureSpider, base=base)
    process.start()


if __name__ == "__main__":
    main()
