"""Speed figures, each next to its goal, measured in one run (`make bench`).

Not a test: machines are noisy, so compare the ratios printed here, not absolute times.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
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
    parser.add_argument("--pages", type=int, default=300, help="real pages to time (0: skip)")
    args = parser.parse_args()

    t = time.perf_counter()
    import trafilatura

    import cleaner
    from cleaner.document import decode
    from cleaner.model import load_model

    load_model.cache_clear()
    load_s = _best_of(lambda: (load_model.cache_clear(), load_model()))
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
        files = sorted(args.data.glob("*/html/*.html"))[
            :: max(1, len(list(args.data.glob("*/html/*.html"))) // args.pages)
        ]
        real = [decode(f.read_bytes()) for f in files[: args.pages]]
        # alternate the two, best of three each: trafilatura's own caches warm up for both alike
        plain = ours = float("inf")
        for _ in range(3):
            plain = min(
                plain, _best_of(lambda: [trafilatura.extract(h, include_comments=False) for h in real], 1)
            )
            ours = min(ours, _best_of(lambda: [c.clean_html(h) for h in real], 1))
        print(
            f"real pages ({len(real)}): trafilatura.extract {len(real) / plain:.1f} pages/s, clean_html "
            f"{len(real) / ours:.1f} pages/s, ratio {plain / ours:.2f} (goal >= 0.90)"
        )

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


if __name__ == "__main__":
    main()
