"""Lint the demo question banks (content/*/questions.gift, and questions.xml for ordering items)
for the item-writing flaws test-wise candidates exploit, and for incomplete items.

Usage: python scripts/lint_content.py [--content DIR]
Prints one line per finding, naming the file and the item id(s), and exits 1 when there is any.

The rules (each a pure function below, unit-tested in tests/quizzes/test_content_lint.py):

- every item has an explanation, a rationale on every option (matching pairs excepted: Moodle's
  matching has no feedback per pair, so the explanation covers them) and a source URL;
- every matching item offers at least one answer that fits no prompt, so the last pair cannot be
  found by elimination;
- no option reads "all of the above" or "none of the above";
- no two stems in a bank are near-duplicates (difflib ratio above 0.9);
- at most 5% of a bank's items are true/false;
- over the single-choice items of a bank: the key is the strictly longest option in at most 35%,
  the average key is at most 10% longer than the average distractor, and in 4-option items no
  position holds the key in more than 40% (checked once a bank has 12 such items).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MAX_KEY_LONGEST_SHARE = 0.35
MAX_KEY_LENGTH_RATIO = 1.10
MAX_POSITION_SHARE = 0.40
MIN_ITEMS_FOR_POSITIONS = 12
MAX_TRUE_FALSE_SHARE = 0.05
MAX_STEM_SIMILARITY = 0.9
SINGLE, MULTIPLE, TRUE_FALSE, MATCHING = "single", "multiple", "truefalse", "matching"
_CATCH_ALL = re.compile(r"\b(all|none) of the (above|others|previous)\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Option:
    text: str
    is_correct: bool
    rationale: str = ""
    match: str = ""  # matching: the prompt's answer (a distractor answer has no text)


@dataclass(frozen=True)
class Item:
    id: str
    qtype: str
    stem: str
    options: tuple[Option, ...]
    explanation: str = ""
    source_url: str = ""


@dataclass(frozen=True)
class Finding:
    file: str
    items: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {', '.join(self.items) or '(bank)'}: {self.message}"


# --- the rules: each takes the items of one bank and returns (item ids, message) pairs ------------


def incomplete_items(items: Iterable[Item]) -> list[tuple[tuple[str, ...], str]]:
    found = []
    for item in items:
        missing = []
        if not item.explanation.strip():
            missing.append("an explanation")
        if item.qtype != MATCHING and any(not option.rationale.strip() for option in item.options):
            missing.append("a rationale on every option")
        if not item.source_url.strip():
            missing.append("a source")
        if missing:
            found.append(((item.id,), "lacks " + " and ".join(missing)))
    return found


def catch_all_options(items: Iterable[Item]) -> list[tuple[tuple[str, ...], str]]:
    return [
        ((item.id,), f"option {option.text!r} is a catch-all ('all/none of the above')")
        for item in items
        for option in item.options
        if _CATCH_ALL.search(option.text)
    ]


def matching_without_distractor(items: Iterable[Item]) -> list[tuple[tuple[str, ...], str]]:
    return [
        ((item.id,), "every answer fits a prompt: add an answer that fits none, or the last pair is free")
        for item in items
        if item.qtype == MATCHING and all(option.text.strip() for option in item.options)
    ]


def _normalised(stem: str) -> str:
    return " ".join(_WORD.findall(stem.lower()))


def near_duplicate_stems(
    items: Sequence[Item], threshold: float = MAX_STEM_SIMILARITY
) -> list[tuple[tuple[str, ...], str]]:
    stems = [(item.id, _normalised(item.stem)) for item in items]
    found = []
    for index, (first_id, first) in enumerate(stems):
        matcher = difflib.SequenceMatcher(None, b=first, autojunk=False)
        for second_id, second in stems[index + 1 :]:
            matcher.set_seq1(second)
            if matcher.real_quick_ratio() > threshold and matcher.quick_ratio() > threshold:
                ratio = matcher.ratio()
                if ratio > threshold:
                    found.append(((first_id, second_id), f"near-duplicate stems (similarity {ratio:.2f})"))
    return found


def too_many_true_false(
    items: Sequence[Item], limit: float = MAX_TRUE_FALSE_SHARE
) -> list[tuple[tuple[str, ...], str]]:
    true_false = [item.id for item in items if item.qtype == TRUE_FALSE]
    if items and len(true_false) / len(items) > limit:
        share = len(true_false) / len(items)
        return [(tuple(true_false), f"{share:.0%} of the items are true/false (at most {limit:.0%})")]
    return []


def _single_choice(items: Iterable[Item]) -> list[Item]:
    return [item for item in items if item.qtype == SINGLE and len(item.options) > 1]


def key_is_longest(item: Item) -> bool:
    """The key is strictly longer than every distractor."""
    key = max(len(o.text) for o in item.options if o.is_correct)
    return all(len(o.text) < key for o in item.options if not o.is_correct)


def key_often_longest(
    items: Sequence[Item], limit: float = MAX_KEY_LONGEST_SHARE
) -> list[tuple[tuple[str, ...], str]]:
    singles = _single_choice(items)
    longest = [item.id for item in singles if key_is_longest(item)]
    if singles and len(longest) / len(singles) > limit:
        share = len(longest) / len(singles)
        return [
            (
                tuple(longest),
                f"the key is the longest option in {share:.0%} of single-choice items (at most {limit:.0%})",
            )
        ]
    return []


def key_longer_on_average(
    items: Sequence[Item], limit: float = MAX_KEY_LENGTH_RATIO
) -> list[tuple[tuple[str, ...], str]]:
    singles = _single_choice(items)
    keys = [len(o.text) for item in singles for o in item.options if o.is_correct]
    distractors = [len(o.text) for item in singles for o in item.options if not o.is_correct]
    if not keys or not distractors:
        return []
    ratio = (sum(keys) / len(keys)) / (sum(distractors) / len(distractors))
    if ratio > limit:
        return [((), f"keys average {ratio:.2f}x the distractors' length (at most {limit:.2f}x)")]
    return []


def key_positions_skewed(
    items: Sequence[Item], limit: float = MAX_POSITION_SHARE, minimum: int = MIN_ITEMS_FOR_POSITIONS
) -> list[tuple[tuple[str, ...], str]]:
    four = [item for item in _single_choice(items) if len(item.options) == 4]
    if len(four) < minimum:
        return []
    positions = Counter(next(i for i, o in enumerate(item.options) if o.is_correct) for item in four)
    found = []
    for position, count in sorted(positions.items()):
        if count / len(four) > limit:
            letter = "ABCD"[position]
            ids = tuple(item.id for item in four if item.options[position].is_correct)
            found.append(
                (
                    ids,
                    f"the key is option {letter} in {count / len(four):.0%} of 4-option items "
                    f"(at most {limit:.0%})",
                )
            )
    return found


RULES = (
    incomplete_items,
    catch_all_options,
    matching_without_distractor,
    near_duplicate_stems,
    too_many_true_false,
    key_often_longest,
    key_longer_on_average,
    key_positions_skewed,
)


def lint_items(file: str, items: Sequence[Item]) -> list[Finding]:
    return [Finding(file, ids, message) for rule in RULES for ids, message in rule(items)]


# --- reading the banks with the project's own GIFT parser --------------------------------------


def read_bank(path: Path) -> tuple[list[Item], list[Finding]]:
    from quizzes.importers.gift import parse_gift
    from quizzes.importers.moodle_xml import parse_moodle_xml

    shown = _shown(path)
    parse = parse_moodle_xml if path.suffix == ".xml" else parse_gift
    result = parse(path.read_text(encoding="utf-8"))
    problems = [
        Finding(shown, (r.name,), f"line {r.line}: not imported: {r.reason}")
        for r in [*result.rejected, *result.unsupported]
    ]
    items = [
        Item(
            id=q.name,
            qtype=q.qtype,
            stem=q.stem,
            options=tuple(Option(o.text, o.is_correct, o.rationale, o.match) for o in q.options),
            explanation=q.explanation,
            source_url=q.source_url or "",
        )
        for q in result.questions
    ]
    return items, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    import django

    django.setup()
    findings: list[Finding] = []
    banks = sorted(args.content.glob("*/questions.gift"))
    for path in banks:
        items, problems = read_bank(path)
        ordering = path.with_suffix(".xml")  # a bank's ordering items (GIFT has no syntax for them)
        if ordering.exists():
            more, more_problems = read_bank(ordering)
            items, problems = items + more, problems + more_problems
        findings += problems + lint_items(_shown(path), items)
    for finding in findings:
        print(finding)
    print(f"{len(banks)} bank(s) linted, {len(findings)} finding(s)")
    return 1 if findings else 0


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


if __name__ == "__main__":
    sys.exit(main())
