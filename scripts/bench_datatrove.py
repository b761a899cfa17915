"""Throughput of cleaner's datatrove step beside datatrove's own Trafilatura extractor.

Not a test: N real pages of ../shared/data are written into one gzip'd WARC (as Common Crawl
stores responses), then the same WarcReader → extractor pipeline runs with each extractor,
one task, alternately, three rounds; the figure is documents per second of the extractor
step (from datatrove's own stats), and the median ratio.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_warc(pages: list[tuple[str, bytes]], path: Path) -> None:
    """One gzip'd WARC of HTML responses with Common Crawl's identified payload type."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, body in pages:
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=http,
                warc_headers_dict={"WARC-Identified-Payload-Type": "text/html"},
            )
            writer.write_record(record)


def run(step: object, warcs: Path, logs: Path) -> tuple[float, int]:
    """Seconds the extractor step took (datatrove's stats) and documents it was given."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import WarcReader

    LocalPipelineExecutor(pipeline=[WarcReader(str(warcs)), step], tasks=1, logging_dir=str(logs)).run()
    stats = json.loads((logs / "stats.json").read_text())
    extractor = stats[1]
    return extractor["time_stats"]["total"], extractor["stats"]["total"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args()

    import logging

    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.utils.logging import logger

    from cleaner.datatrove import CleanerExtractor
    from cleaner.training.datasets import iter_pages

    logger.remove()
    logging.disable(logging.WARNING)
    every = list(iter_pages([args.data]))
    chosen = every[:: max(1, len(every) // args.pages)][: args.pages]
    with tempfile.TemporaryDirectory() as tmp:
        warcs = Path(tmp) / "crawl"
        warcs.mkdir()
        write_warc(
            [(p.url or f"https://example.com/{p.id}", p.read_bytes()) for p in chosen], warcs / "a.warc.gz"
        )
        ratios = []
        for round_ in range(1, 4):
            # datatrove's default is a 1 s limit per document; both get cleaner's 30 s here
            theirs, n = run(Trafilatura(timeout=30), warcs, Path(tmp) / f"t{round_}")
            ours, m = run(CleanerExtractor(), warcs, Path(tmp) / f"c{round_}")
            ratios.append(theirs / ours)
            print(
                f"round {round_}: {n} documents; datatrove Trafilatura {n / theirs:.1f} docs/s, "
                f"CleanerExtractor {m / ours:.1f} docs/s, ratio {theirs / ours:.2f}",
                flush=True,
            )
        print(f"median ratio of speeds CleanerExtractor / Trafilatura: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.0f} s)")
