"""The content lint's rules (scripts/lint_content.py), as pure functions over hand-made items."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_lint() -> ModuleType:
    if "lint_content" not in sys.modules:
        spec = importlib.util.spec_from_file_location("lint_content", ROOT / "scripts" / "lint_content.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["lint_content"] = module
        spec.loader.exec_module(module)
    return sys.modules["lint_content"]


lint = _load_lint()


def single(ident: str, options: list[str], key: int = 0, stem: str | None = None, **extra) -> object:
    return lint.Item(
        id=ident,
        qtype=lint.SINGLE,
        stem=stem or f"Distinct stem number {ident} about {ident * 3}",
        options=tuple(lint.Option(text, i == key, f"why {text}") for i, text in enumerate(options)),
        explanation=extra.get("explanation", "Because."),
        source_url=extra.get("source_url", "https://docs.example.com/page"),
    )


def true_false(ident: str) -> object:
    return lint.Item(
        id=ident,
        qtype=lint.TRUE_FALSE,
        stem=f"Statement {ident} {ident * 4}",
        options=(lint.Option("True", True, "right"), lint.Option("False", False, "wrong")),
        explanation="Because.",
        source_url="https://docs.example.com/page",
    )


def test_a_complete_item_raises_nothing():
    assert lint.incomplete_items([single("q1", ["aa", "bb", "cc", "dd"])]) == []


def test_an_item_without_explanation_source_or_rationale_is_named():
    bare = lint.Item(
        id="q9",
        qtype=lint.SINGLE,
        stem="Which?",
        options=(lint.Option("a", True, "ok"), lint.Option("b", False, "")),
    )

    [(ids, message)] = lint.incomplete_items([bare])

    assert ids == ("q9",)
    assert "explanation" in message
    assert "rationale" in message
    assert "source" in message


@pytest.mark.parametrize("text", ["All of the above", "None of the above.", "none of the others"])
def test_catch_all_options_are_flagged(text: str):
    [(ids, _)] = lint.catch_all_options([single("q1", ["alpha", "beta", "gamma", text], key=3)])

    assert ids == ("q1",)


def test_an_option_merely_mentioning_above_is_not_a_catch_all():
    assert lint.catch_all_options([single("q1", ["The value above the limit", "b", "c", "d"])]) == []


def test_near_duplicate_stems_are_paired_by_id():
    items = [
        single("q1", ["a"], stem="Which clause filters groups after aggregation in Oracle SQL?"),
        single("q2", ["a"], stem="Which clause filters groups after aggregation in Oracle SQL"),
        single("q3", ["a"], stem="What does a sequence's NEXTVAL return the first time?"),
    ]

    [(ids, _)] = lint.near_duplicate_stems(items)

    assert ids == ("q1", "q2")


def test_different_stems_on_one_topic_are_not_duplicates():
    items = [
        single("q1", ["a"], stem="Which clause filters rows before grouping?"),
        single("q2", ["a"], stem="Which clause sorts the final result set?"),
    ]

    assert lint.near_duplicate_stems(items) == []


def test_true_false_above_five_percent_is_flagged():
    items = [single(f"s{i}", ["a", "b", "c", "d"]) for i in range(18)] + [true_false("t1"), true_false("t2")]

    [(ids, message)] = lint.too_many_true_false(items)

    assert ids == ("t1", "t2")
    assert "10%" in message


def test_one_true_false_in_twenty_items_is_allowed():
    items = [single(f"s{i}", ["a", "b", "c", "d"]) for i in range(19)] + [true_false("t1")]

    assert lint.too_many_true_false(items) == []


def test_key_is_longest_only_when_strictly_longer_than_every_distractor():
    assert lint.key_is_longest(single("q", ["longest one", "short", "tiny", "mid"], key=0))
    assert not lint.key_is_longest(single("q", ["same", "same", "x", "y"], key=0))


def test_key_longest_in_more_than_35_percent_is_flagged():
    longest = [single(f"l{i}", ["the long key", "b", "c", "d"]) for i in range(4)]
    even = [single(f"e{i}", ["aa", "bb", "cc", "dd"]) for i in range(6)]

    [(ids, message)] = lint.key_often_longest(longest + even)

    assert ids == ("l0", "l1", "l2", "l3")
    assert "40%" in message


def test_key_longest_in_a_third_of_items_passes():
    longest = [single(f"l{i}", ["the long key", "b", "c", "d"]) for i in range(3)]
    even = [single(f"e{i}", ["aa", "bb", "cc", "dd"]) for i in range(6)]

    assert lint.key_often_longest(longest + even) == []


def test_keys_longer_on_average_by_more_than_ten_percent_are_flagged():
    items = [single(f"q{i}", ["x" * 12, "x" * 10, "x" * 10, "x" * 10]) for i in range(5)]

    [(_, message)] = lint.key_longer_on_average(items)

    assert "1.20x" in message


def test_keys_ten_percent_longer_on_average_pass():
    items = [single(f"q{i}", ["x" * 11, "x" * 10, "x" * 10, "x" * 10]) for i in range(5)]

    assert lint.key_longer_on_average(items) == []


def test_a_key_position_above_40_percent_is_flagged_with_its_letter():
    items = [single(f"b{i}", ["a", "b", "c", "d"], key=1) for i in range(6)] + [
        single(f"o{i}", ["a", "b", "c", "d"], key=i % 4 if i % 4 != 1 else 0) for i in range(6)
    ]

    [(ids, message)] = lint.key_positions_skewed(items)

    assert "option B" in message
    assert ids == tuple(f"b{i}" for i in range(6))


def test_evenly_spread_key_positions_pass():
    items = [single(f"q{i}", ["a", "b", "c", "d"], key=i % 4) for i in range(16)]

    assert lint.key_positions_skewed(items) == []


def test_findings_name_the_file_and_the_items():
    items = [
        single("q1", ["All of the above", "the second option", "a third option here", "fourth option"], key=0)
    ]

    findings = lint.lint_items("content/x/questions.gift", items)

    assert [str(f) for f in findings] == [
        "content/x/questions.gift: q1: option 'All of the above' is a catch-all ('all/none of the above')"
    ]


def matching(ident: str, pairs: list[tuple[str, str]]) -> object:
    return lint.Item(
        id=ident,
        qtype=lint.MATCHING,
        stem=f"Match them, {ident}",
        options=tuple(lint.Option(prompt, False, "", answer) for prompt, answer in pairs),
        explanation="Because.",
        source_url="https://docs.example.com/page",
    )


def test_a_matching_item_needs_no_rationale_per_pair():
    assert (
        lint.incomplete_items([matching("m1", [("S3", "Objects"), ("EBS", "Blocks"), ("", "Files")])]) == []
    )


def test_a_matching_item_whose_every_answer_fits_a_prompt_is_flagged():
    item = matching("m2", [("S3", "Objects"), ("EBS", "Blocks")])

    assert lint.matching_without_distractor([item]) == [
        (("m2",), "every answer fits a prompt: add an answer that fits none, or the last pair is free")
    ]


def test_a_matching_item_with_a_distractor_answer_passes():
    item = matching("m3", [("S3", "Objects"), ("EBS", "Blocks"), ("", "Files")])

    assert lint.matching_without_distractor([item]) == []
