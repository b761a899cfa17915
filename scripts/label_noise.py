"""Print a fixed random sample of weakly labelled lines for checking by eye.

    python scripts/label_noise.py --data ../shared/data --n 40

Each row: the weak label (junk/body), dataset, line. Count the rows you disagree with:
that share is the label noise (the figure in the README comes from this sample).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from cleaner.training.datasets import default_data_dir, extract_page, iter_pages
from cleaner.training.weak import label_page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data", type=Path, default=default_data_dir(), help="default: $CLEANER_DATA or ../shared/data"
    )
    parser.add_argument("--n", type=int, default=40, help="lines per label")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pages = [p for p in iter_pages([args.data]) if not p.held_out]
    rows: dict[int, list[tuple[str, str]]] = {0: [], 1: []}
    for page in rng.sample(pages, min(len(pages), 300)):
        labelled = label_page(page, extract_page(page))
        for label, line in zip(labelled.labels, labelled.doc.row_texts, strict=True):
            if label in rows:
                rows[int(label)].append((page.dataset, line))
    for label, name in ((1, "junk"), (0, "body")):
        for dataset, line in rng.sample(rows[label], min(args.n, len(rows[label]))):
            print(f"{name}\t{dataset}\t{line[:160]}")


if __name__ == "__main__":
    main()
