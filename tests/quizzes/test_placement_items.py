"""Ordering and matching items: authoring invariants, the frozen snapshot, saving, and grading."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from quizzes import grading, item_stats, services
from quizzes.exceptions import InvalidAnswer
from quizzes.models import Answer, Attempt, AttemptItem, ItemStats, QuestionType, ReviewCard
from quizzes.models.banks import makes_new_revision, validate_options
from quizzes.scoring import split_placement
from quizzes.services.reviews import answer_is_correct
from tests.factories import QuestionBankFactory
from tests.quizzes.delivery import add_question, exam_for, path_with_domains

ORDERING, MATCHING = QuestionType.ORDERING, QuestionType.MATCHING


# --- Authoring invariants (no database) ------------------------------------------------------------


def test_an_ordering_question_needs_three_steps():
    with pytest.raises(ValidationError, match="at least 3 steps; it has 2"):
        validate_options(ORDERING, 1, [("Plan", False), ("Build", False)])


def test_an_ordering_question_marks_no_option_correct():
    with pytest.raises(ValidationError, match="positions are the right order"):
        validate_options(ORDERING, 1, [("Plan", True), ("Build", False), ("Ship", False)])


def test_an_ordering_question_with_three_distinct_steps_is_valid():
    validate_options(ORDERING, 1, [("Plan", False), ("Build", False), ("Ship", False)])


def test_a_matching_prompt_needs_its_answer():
    with pytest.raises(ValidationError, match='needs its answer \\(the "match" text\\)'):
        validate_options(MATCHING, 1, [("S3", False), ("EBS", False)], matches=["Objects", ""])


def test_a_matching_question_needs_two_prompts():
    with pytest.raises(ValidationError, match="at least 2 prompts"):
        validate_options(MATCHING, 1, [("S3", False), ("", False)], matches=["Objects", "Blocks"])


def test_a_matching_question_takes_distractor_answers_without_a_prompt():
    validate_options(
        MATCHING, 1, [("S3", False), ("EBS", False), ("", False)], matches=["Objects", "Blocks", "Files"]
    )


def test_a_matching_option_with_neither_prompt_nor_answer_is_refused():
    with pytest.raises(ValidationError, match="Every option needs a prompt and its answer"):
        validate_options(MATCHING, 1, [("S3", False), ("EBS", False), ("", False)], matches=["O", "B", ""])


def test_moving_a_step_makes_a_new_revision_of_an_ordering_question_only():
    moved = [["position"]]
    assert makes_new_revision(question_fields=[], choice_fields=moved, order_matters=True)
    assert not makes_new_revision(question_fields=[], choice_fields=moved)


# --- Delivery and grading --------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def attempt(db, student) -> Attempt:
    """An open attempt at one ordering and one matching item (ordering first by question id)."""
    path = path_with_domains((100,))
    bank = QuestionBankFactory.create(path=path, slug="placement-bank")
    domain = path.domains.get()
    add_question(bank, domain, qtype=ORDERING)
    add_question(bank, domain, qtype=MATCHING)
    exam = exam_for(path, item_count=2, title="Placement exam")
    return services.start_attempt(exam=exam, student=student, now=timezone.now(), seed=7)


def item_of(attempt: Attempt, qtype: str) -> AttemptItem:
    return next(item for item in attempt.items.all() if item.snapshot["qtype"] == qtype)


def target_texts(item: AttemptItem) -> dict[str, str]:
    return {t["id"]: t["text_html"] for t in item.snapshot["targets"]}


def key_of(item: AttemptItem) -> list[str]:
    """The key rebuilt from what a student reads: step N at position N, prompt X with answer X."""
    options = {o["id"]: o["text_html"] for o in item.snapshot["options"]}
    targets = {text: tid for tid, text in target_texts(item).items()}
    if item.snapshot["qtype"] == ORDERING:
        return [f"{oid}@{text.split()[-1]}" for oid, text in options.items()]
    return [f"{oid}@{targets['Answer ' + text.split()[-1]]}" for oid, text in options.items()]


def save(attempt: Attempt, item: AttemptItem, selected: list[Any], seq: int = 1) -> services.SaveResult:
    return services.save_item_state(
        attempt_id=attempt.pk,
        student=attempt.student,
        position=item.position,
        seq=seq,
        now=timezone.now(),
        selected=selected,
    )


@pytestmark_db
def test_the_snapshot_keys_ordering_by_the_authored_order(attempt):
    item = item_of(attempt, ORDERING)

    assert item.key == set(key_of(item))
    assert [t["id"] for t in item.snapshot["targets"]] == ["1", "2", "3", "4"]
    assert item.choose == 4


@pytestmark_db
def test_an_ordering_never_starts_in_the_right_order(db, student):
    path = path_with_domains((100,))
    bank = QuestionBankFactory.create(path=path, slug="order-bank")
    add_question(bank, path.domains.get(), qtype=ORDERING)
    exam = exam_for(path, item_count=1, max_attempts=None)
    for seed in range(30):
        attempt = services.start_attempt(exam=exam, student=student, now=timezone.now(), seed=seed)
        shown = [o["text_html"] for o in attempt.items.get().snapshot["options"]]
        services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())
        assert shown != ["Step 1", "Step 2", "Step 3", "Step 4"]


@pytestmark_db
def test_the_matching_snapshot_offers_every_answer_and_keys_each_prompt(attempt):
    item = item_of(attempt, MATCHING)

    assert sorted(target_texts(item).values()) == ["Answer A", "Answer B", "Answer C", "Answer D"]
    assert item.key == set(key_of(item))
    assert item.choose == 3


@pytestmark_db
def test_the_public_snapshot_reveals_neither_key_nor_authoring_order(attempt):
    for item in attempt.items.all():
        public = item.public_snapshot()

        assert "key" not in public
        assert all(set(option) == {"id", "text_html"} for option in public["options"])
        assert all(set(target) == {"id", "text_html"} for target in public["targets"])
        assert not any(str(o["choice_id"]) in o["id"] for o in item.snapshot["options"])


@pytestmark_db
def test_placement_ids_are_opaque_and_new_in_every_attempt(attempt, student):
    services.submit_attempt(attempt_id=attempt.pk, student=student, now=timezone.now())
    again = services.start_attempt(exam=attempt.exam, student=student, now=timezone.now(), seed=8)

    first, second = item_of(attempt, MATCHING), item_of(again, MATCHING)
    assert not {t["id"] for t in first.snapshot["targets"]} & {t["id"] for t in second.snapshot["targets"]}
    assert not set(first.option_ids) & set(second.option_ids)


@pytestmark_db
def test_a_partial_placement_is_saved(attempt):
    item = item_of(attempt, ORDERING)
    one = key_of(item)[:1]

    assert save(attempt, item, one).selected == one
    assert Answer.objects.get(item=item).selected == one


@pytestmark_db
@pytest.mark.parametrize(
    ("qtype", "spoil", "message"),
    [
        (
            ORDERING,
            lambda key, item: [key[0], key[1].split("@")[0] + "@" + key[0].split("@")[1]],
            "two steps",
        ),
        (ORDERING, lambda key, item: [key[0].split("@")[0] + "@9"], "is not a placement"),
        (MATCHING, lambda key, item: [key[0], key[0].split("@")[0] + "@" + key[1].split("@")[1]], "twice"),
        (MATCHING, lambda key, item: [item.option_ids[0]], "is not a placement"),
    ],
    ids=["two steps at one position", "a position past the end", "a prompt twice", "a plain option id"],
)
def test_a_malformed_placement_is_refused_and_nothing_is_stored(attempt, qtype, spoil, message):
    item = item_of(attempt, qtype)

    with pytest.raises(InvalidAnswer, match=message):
        save(attempt, item, spoil(key_of(item), item))
    assert not Answer.objects.filter(item=item).exists()


def answered(attempt: Attempt, how: dict[str, list[str]]) -> Attempt:
    for qtype, selected in how.items():
        save(attempt, item_of(attempt, qtype), selected)
    services.submit_attempt(attempt_id=attempt.pk, student=attempt.student, now=timezone.now())
    grading.grade_attempt(attempt_id=attempt.pk)
    grading.queue_waiting_reviews()
    return Attempt.objects.get(pk=attempt.pk)


@pytestmark_db
def test_grading_scores_the_right_order_and_pairs_correct(attempt):
    graded = answered(attempt, {q: key_of(item_of(attempt, q)) for q in (ORDERING, MATCHING)})

    assert graded.raw_score == 2.0
    assert graded.item_scores == [1.0, 1.0]


@pytestmark_db
def test_grading_gives_no_credit_for_a_partly_right_order_by_default(attempt):
    key = key_of(item_of(attempt, ORDERING))

    graded = answered(attempt, {ORDERING: key[:3]})

    assert graded.raw_score == 0.0


@pytestmark_db
def test_partial_credit_counts_each_right_placement(attempt):
    attempt.exam.partial_credit = True
    attempt.exam.save(update_fields=["partial_credit"])
    order, pairs = key_of(item_of(attempt, ORDERING)), key_of(item_of(attempt, MATCHING))
    swapped = [split_placement(pairs[0])[0] + "@" + split_placement(pairs[1])[1]]  # a wrong pair

    graded = answered(attempt, {ORDERING: order[:3], MATCHING: [pairs[2], *swapped]})

    scores = {item.snapshot["qtype"]: item.score for item in graded.items.all()}
    assert scores == {ORDERING: 0.75, MATCHING: pytest.approx(1 / 3)}


@pytestmark_db
def test_item_analysis_runs_over_placement_items(attempt):
    answered(attempt, {q: key_of(item_of(attempt, q)) for q in (ORDERING, MATCHING)})

    assert item_stats.compute_item_stats(full=True) == 2
    assert sorted(ItemStats.objects.values_list("difficulty", flat=True)) == [1.0, 1.0]


@pytestmark_db
def test_a_missed_placement_item_comes_back_as_a_review_card_that_checks_placements(attempt):
    attempt.exam.review_policy = "full"
    attempt.exam.save(update_fields=["review_policy"])
    answered(attempt, {ORDERING: key_of(item_of(attempt, ORDERING))[:1]})
    card = ReviewCard.objects.get(item__snapshot__qtype=ORDERING)

    assert answer_is_correct(card, key_of(card.item))
    assert not answer_is_correct(card, key_of(card.item)[:2])
    with pytest.raises(InvalidAnswer):
        answer_is_correct(card, card.item.option_ids[:1])


@pytestmark_db
def test_the_result_rows_show_each_placement_against_the_key(attempt):
    order = key_of(item_of(attempt, ORDERING))
    graded = answered(attempt, {ORDERING: order[:2]})
    item = item_of(graded, ORDERING)
    answer = Answer.objects.get(item=item)

    rows = item.placement_rows(frozenset(answer.selected), key_order=True)

    assert [row["option"]["text_html"] for row in rows] == ["Step 1", "Step 2", "Step 3", "Step 4"]
    assert [row["right"] for row in rows] == [True, True, False, False]
    assert [row["correct_html"] for row in rows] == ["1", "2", "3", "4"]


@pytestmark_db
def test_a_placement_review_card_is_answered_with_selects_and_shows_the_right_order(attempt, client):
    attempt.exam.review_policy = "full"
    attempt.exam.save(update_fields=["review_policy"])
    answered(attempt, {})  # nothing answered: both items come back for review
    card = ReviewCard.objects.get(item__snapshot__qtype=ORDERING)
    client.force_login(attempt.student)

    session = client.get("/reviews/").content.decode()
    reveal = client.post(f"/reviews/{card.pk}/check", {"selected": [*key_of(card.item), ""]}).content.decode()

    assert session.count('class="placement-select"') in (3, 4)  # the first due card: either item
    assert '<h2 id="verdict">Correct</h2>' in reveal
    assert reveal.index("Step 1") < reveal.index("Step 2") < reveal.index("Step 3")
