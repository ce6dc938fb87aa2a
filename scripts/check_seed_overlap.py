"""Fail when demo content shares a run of seven or more words with the seed document.

Usage: python scripts/check_seed_overlap.py [--seed DIR] [--content DIR] [--words N]
Exits 0 when the seed directory does not exist (nothing to compare with).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
CONTENT_SUFFIXES = {".gift", ".md", ".yaml", ".yml", ".xml", ".csv"}


def words(text: str) -> list[str]:
    """Return the lower-cased words of text, punctuation dropped."""
    return WORD.findall(text.lower().replace("\u2019", "'"))


def shingles(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def overlaps(text: str, seed_runs: set[tuple[str, ...]], n: int) -> list[str]:
    """Return each run of n words in text that also stands in the seed."""
    tokens = words(text)
    return [
        " ".join(tokens[i : i + n])
        for i in range(len(tokens) - n + 1)
        if tuple(tokens[i : i + n]) in seed_runs
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=Path, default=ROOT.parent / "shared" / "seed")
    parser.add_argument("--content", type=Path, action="append")
    parser.add_argument("--words", type=int, default=7)
    args = parser.parse_args(argv)
    if not args.seed.is_dir():
        print(f"seed directory {args.seed} not found: nothing to compare with")
        return 0
    seed_runs: set[tuple[str, ...]] = set()
    for path in sorted(args.seed.rglob("*")):
        if path.is_file():
            seed_runs |= shingles(words(path.read_text(encoding="utf-8", errors="replace")), args.words)
    roots = args.content or [ROOT / "content"]
    checked, failures = 0, 0
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix not in CONTENT_SUFFIXES or path.name == "FORMAT.md":
                continue
            checked += 1
            for run in overlaps(path.read_text(encoding="utf-8"), seed_runs, args.words):
                failures += 1
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                print(f"{shown}: shares with the seed: '{run}'")
    print(f"checked {checked} content files against the seed: {failures} shared runs of {args.words}+ words")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
