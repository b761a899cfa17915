"""Speed figures, each next to its goal, measured in one run (`make bench`).

Not a test: machines are noisy, so compare the ratios printed here, not absolute times.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument(
        "--pages", type=int, default=600, help="real pages to time, from every dataset (0: skip)"
    )
    parser.add_argument(
        "--batch", action="store_true", help="also time `cleaner clean` on every page: -j 1, -j 2, Dask"
    )
    parser.add_argument(
        "--memory", type=int, default=0, metavar="N", help="also track memory over N pages in one process"
    )
    args = parser.parse_args()

    t = time.perf_counter()
    import trafilatura

    import cleaner
    from cleaner.decoding import decode
    from cleaner.model import load_model

    load_s = _best_of(lambda: load_model(cache=False))
    c = cleaner.Cleaner()
    print(
        f"import + first model load: {time.perf_counter() - t:.2f} s; model load alone: {load_s * 1000:.1f} ms (goal <= 200 ms)"
    )

    fixtures = sorted((ROOT / "tests" / "cases" / "pages").glob("*.html"))
    pages = [decode(p.read_bytes()) for p in fixtures]
    plain = _best_of(lambda: [trafilatura.extract(h, include_comments=False) for h in pages], 5)
    ours = _best_of(lambda: [c.clean_html(h) for h in pages], 5)
    print(
        f"HTML fixtures ({len(pages)} pages): trafilatura.extract {1000 * plain / len(pages):.2f} ms/file, "
        f"clean_html {1000 * ours / len(pages):.2f} ms/file (ratio of speeds {plain / ours:.2f})"
    )

    if args.pages and args.data.is_dir():
        real_pages(args.data, args.pages, c)

    seed = (ROOT / "seeds" / "000_bf343f9721e655f4.txt").read_text(encoding="utf-8")
    docs = [seed] * 200
    lines = sum(d.count("\n") + 1 for d in docs)
    text_s = _best_of(lambda: [c.clean_text(d) for d in docs])
    print(f"plain text: {lines / text_s:,.0f} lines/s on one core (goal >= 5,000)")

    runs = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cleaner", "--help"], capture_output=True, check=True)
        runs.append(time.perf_counter() - t)
    print(f"cleaner --help: {statistics.median(runs):.2f} s median of 5 (goal <= 0.5 s)")

    if args.batch and args.data.is_dir():
        batch(args.data)
    if args.memory and args.data.is_dir():
        memory(args.data, args.memory)


def real_pages(data: Path, n: int, c: object) -> None:
    """Pages/s of clean_html beside trafilatura.extract on n real pages, three interleaved rounds."""
    import trafilatura

    import cleaner
    from cleaner.decoding import decode
    from cleaner.training.datasets import iter_pages

    every = list(iter_pages([data]))  # every dataset, wcxb-dev's gzip'd pages too
    real = [decode(p.read_bytes()) for p in every[:: max(1, len(every) // n)][:n]]
    fast = cleaner.Cleaner(fast=True)
    ratios: dict[str, list[float]] = {"clean_html": [], "clean_html(fast=True)": []}
    for round_ in range(1, 4):
        # alternate the three in each round: trafilatura's own caches warm up for all alike
        plain = _best_of(lambda: [trafilatura.extract(h, include_comments=False) for h in real], 1)
        ours = _best_of(lambda: [c.clean_html(h) for h in real], 1)  # type: ignore[attr-defined]
        quick = _best_of(lambda: [fast.clean_html(h) for h in real], 1)
        ratios["clean_html"].append(plain / ours)
        ratios["clean_html(fast=True)"].append(plain / quick)
        print(
            f"real pages ({len(real)}), round {round_}: trafilatura.extract {len(real) / plain:.1f} pages/s, "
            f"clean_html {len(real) / ours:.1f} pages/s (ratio {plain / ours:.2f}), "
            f"with fast=True {len(real) / quick:.1f} pages/s (ratio {plain / quick:.2f})"
        )
    for name, values in ratios.items():
        print(
            f"real pages: median ratio of speeds {name} / trafilatura.extract {statistics.median(values):.2f} (goal >= 1.0)"
        )


def batch(data: Path) -> None:
    """Wall clock of `cleaner clean` over every page of the datasets: -j 1, -j 2, a local Dask
    cluster; run from a new process, as `memory`: a command forked from this one, which holds
    the timings' pages, would count this one's memory as its peak (Linux keeps the peak
    across exec)."""
    _in_new_process(_batch, data)


def _batch(data: Path) -> None:
    import resource
    import tempfile

    inputs = sorted(data.glob("*/html"))
    pages = sum(len(list(d.glob("*.html"))) for d in inputs)
    with tempfile.TemporaryDirectory() as tmp:
        # one folder per dataset, so that equal file names in two datasets do not collide
        src = Path(tmp) / "in"
        for d in inputs:
            (src / d.parent.name).mkdir(parents=True)
            for f in d.glob("*.html"):
                (src / d.parent.name / f.name).symlink_to(f.resolve())
        times = {}
        for name, extra in {
            "j1": ["-j", "1"],
            "j2": ["-j", "2"],
            "dask": ["--scheduler", "local", "-j", "2"],
        }.items():
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "cleaner", "clean", str(src), "-o", f"{tmp}/{name}", "-q", *extra],
                check=False,
            )
            times[name] = time.perf_counter() - t
            if name == "j1":
                peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        same = all(_same_tree(Path(tmp), n) for n in ("j2", "dask"))
    print(
        f"batch of {pages} pages: -j 1 {times['j1']:.1f} s ({pages / times['j1']:.1f} pages/s, peak RSS "
        f"{peak:.0f} MB, goal <= 250 MB); -j 2 {times['j2']:.1f} s, speed-up {times['j1'] / times['j2']:.2f}x "
        f"(goal >= 1.8x); Dask local cluster of 2 workers {times['dask']:.1f} s, "
        f"{times['j1'] / times['dask']:.2f}x; output trees identical: {same}"
    )


def _same_tree(root: Path, name: str) -> bool:
    from cleaner.batch.writer import RUN_LOG

    def tree(d: Path) -> dict[str, bytes]:
        # the outputs; not the run log, whose lines hold modification times, in the order outputs finish
        return {
            str(p.relative_to(d)): p.read_bytes() for p in d.rglob("*") if p.is_file() and p.name != RUN_LOG
        }

    return tree(root / "j1") == tree(root / name)


def memory(data: Path, n: int) -> None:
    """Resident memory of one new process cleaning n pages (the dev pages, cycled), every n/10
    pages: not this one's, which holds the pages and results of the timings before."""
    _in_new_process(_memory, data, n)


def _in_new_process(target: Callable[..., None], *args: object) -> None:
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(target=target, args=args)
    child.start()
    child.join()


def _memory(data: Path, n: int) -> None:
    import itertools

    import cleaner
    from cleaner.decoding import decode

    files = sorted(data.glob("*/html/*.html"))
    c = cleaner.Cleaner()
    marks = []
    for i, f in enumerate(itertools.islice(itertools.cycle(files), n), start=1):
        c.clean_html(decode(f.read_bytes()))
        if i % max(1, n // 10) == 0:
            marks.append(f"{i}: {_rss_mb():.0f}")
    print(
        f"memory over {n} pages in one process, RSS in MB after each tenth: {', '.join(marks)} (goal: flat, <= 250)"
    )


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


if __name__ == "__main__":
    main()
