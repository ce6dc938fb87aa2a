"""Authoring questions in the admin: option rules, domains, revisions, preview, actions, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from core.roles import Role
from quizzes.models import AttemptState, Question, QuestionStatus, QuestionType
from tests.factories import (
    AttemptFactory,
    CertificationPathFactory,
    ExamDomainFactory,
    QuestionBankFactory,
    QuestionFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/quizzes/question/add/"
CHANGELIST_URL = "/admin/quizzes/question/"
BANKS_URL = "/admin/quizzes/questionbank/"


def change_url(question: Question) -> str:
    return f"/admin/quizzes/question/{question.pk}/change/"


def question_data(
    bank: Any,
    domain: Any,
    options: list[tuple[str, bool]],
    *,
    existing: list[Any] | None = None,
    delete: set[int] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Return a POST body for the question form with its options inline.

    existing holds the saved Choice rows matching the first options; delete their indexes to delete.
    """
    existing = existing or []
    data: dict[str, Any] = {
        "bank": bank.pk,
        "name": "new-question",
        "domain": domain.pk,
        "qtype": QuestionType.SINGLE,
        "choose": 1,
        "difficulty": "medium",
        "status": QuestionStatus.DRAFT,
        "stem": "Which service stores objects?",
        "explanation": "S3 is object storage.",
        "source_url": "",
        "choices-TOTAL_FORMS": len(options),
        "choices-INITIAL_FORMS": len(existing),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
        **fields,
    }
    for i, (text, is_correct) in enumerate(options):
        data[f"choices-{i}-position"] = i + 1
        data[f"choices-{i}-text"] = text
        data[f"choices-{i}-rationale"] = f"Why {text}."
        if is_correct:
            data[f"choices-{i}-is_correct"] = "on"
        if i < len(existing):
            data[f"choices-{i}-id"] = existing[i].pk
            data[f"choices-{i}-question"] = existing[i].question_id
        if delete and i in delete:
            data[f"choices-{i}-DELETE"] = "on"
    return data


def saved_options(question: Question) -> list[tuple[str, bool]]:
    return [(c.text, c.is_correct) for c in question.choices.all()]


def inline_errors(response: Any) -> list[str]:
    [choices] = [fs for fs in response.context["inline_admin_formsets"] if fs.formset.prefix == "choices"]
    return list(choices.formset.non_form_errors())


@pytest.fixture
def author(db: None):
    return UserFactory.create(role=Role.INSTRUCTOR)


@pytest.fixture
def bank(author):
    return QuestionBankFactory.create(owners=[author])


@pytest.fixture
def domain(bank):
    return ExamDomainFactory.create(path=bank.path, name="Storage")


@pytest.fixture
def author_client(client: Client, author) -> Client:
    client.force_login(author)
    return client


# --- Option rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "options", "message"),
    [
        (
            {},
            [("S3", True), ("EBS", True), ("EFS", False)],
            "A single-choice question has exactly one correct option; this one has 2.",
        ),
        (
            {"qtype": QuestionType.MULTIPLE, "choose": 2},
            [("S3", True), ("Glacier", True)],
            "A choose-2 question needs at least 3 options; it has 2.",
        ),
        (
            {"qtype": QuestionType.MULTIPLE, "choose": 2},
            [("S3", True), ("Glacier", False), ("EBS", False)],
            "This question asks students to choose 2, so exactly 2 options must be correct; 1 are.",
        ),
        (
            {"qtype": QuestionType.TRUE_FALSE},
            [("Yes", True), ("No", False)],
            "A true/false question has exactly the two options True and False.",
        ),
    ],
)
def test_adding_a_question_with_options_that_break_its_type_shows_why_above_the_options(
    author_client: Client, bank, domain, fields: dict[str, Any], options: list[tuple[str, bool]], message: str
):
    response = author_client.post(ADD_URL, question_data(bank, domain, options, **fields))

    assert response.status_code == 200
    assert inline_errors(response) == [message]
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_adding_a_valid_question_saves_it_with_its_options_at_revision_1(author_client: Client, bank, domain):
    options = [("S3", True), ("EBS", False), ("EFS", False)]

    response = author_client.post(ADD_URL, question_data(bank, domain, options))

    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.bank, question.domain, question.revision) == (bank, domain, 1)
    assert saved_options(question) == options


def test_options_marked_for_deletion_do_not_count(author_client: Client, bank, domain):
    question = QuestionFactory.create(
        bank=bank, domain=domain, choices=[("S3", True), ("EBS", False), ("EFS", True)]
    )
    existing = list(question.choices.all())
    data = question_data(
        bank, domain, saved_options(question), existing=existing, delete={2}, name=question.name
    )

    response = author_client.post(change_url(question), data)

    assert response.status_code == 302
    assert saved_options(question) == [("S3", True), ("EBS", False)]


def test_a_question_type_and_its_choose_count_must_agree(author_client: Client, bank, domain):
    options = [("S3", True), ("EBS", False), ("EFS", False)]

    response = author_client.post(ADD_URL, question_data(bank, domain, options, choose=2))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["choose"] == [
        "Only multiple-response questions ask for more than one option."
    ]


# --- Domains ----------------------------------------------------------------------------------------


def test_once_the_bank_is_known_only_its_paths_domains_are_offered(author_client: Client, bank, domain):
    other_path_bank = QuestionBankFactory.create(owners=[bank.owners.get()])
    elsewhere = ExamDomainFactory.create(path=other_path_bank.path)

    response = author_client.get(f"{ADD_URL}?bank={bank.pk}")

    offered = set(response.context["adminform"].form.fields["domain"].queryset)
    assert domain in offered
    assert elsewhere not in offered


def test_a_domain_of_another_path_is_refused(author_client: Client, bank, domain):
    elsewhere = ExamDomainFactory.create(path=CertificationPathFactory.create())

    response = author_client.post(ADD_URL, question_data(bank, elsewhere, [("S3", True), ("EBS", False)]))

    assert response.status_code == 200
    assert "domain" in response.context["adminform"].form.errors
    assert not Question.objects.exists()


# --- Revisions --------------------------------------------------------------------------------------


@pytest.fixture
def question(bank, domain):
    return QuestionFactory.create(
        bank=bank, domain=domain, choices=[("S3", True), ("EBS", False), ("EFS", False)]
    )


def post_change(client: Client, question: Question, options: list[tuple[str, bool]], **fields: Any) -> Any:
    existing = list(question.choices.all())
    base = {
        "name": question.name,
        "stem": question.stem,
        "explanation": question.explanation,
        "difficulty": question.difficulty,
        "status": question.status,
    }
    data = question_data(question.bank, question.domain, options, existing=existing, **{**base, **fields})
    response = client.post(change_url(question), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    question.refresh_from_db()
    return response


@pytest.mark.parametrize(
    ("options", "fields"),
    [
        pytest.param([("S3", True), ("EBS", False), ("EFS", False)], {"stem": "Reworded?"}, id="stem"),
        pytest.param(
            [("S3", True), ("EBS", False), ("EFS", False)], {"explanation": "New."}, id="explanation"
        ),
        pytest.param([("S3", False), ("EBS", True), ("EFS", False)], {}, id="key"),
        pytest.param([("Amazon S3", True), ("EBS", False), ("EFS", False)], {}, id="option-text"),
        pytest.param([("S3", True), ("EBS", False), ("EFS", False), ("FSx", False)], {}, id="new-option"),
        pytest.param(
            [("S3", True), ("EBS", True), ("EFS", False)],
            {"qtype": QuestionType.MULTIPLE, "choose": 2},
            id="type-and-choose",
        ),
    ],
)
def test_changing_what_students_see_makes_a_new_revision(
    author_client: Client, question: Question, options: list[tuple[str, bool]], fields: dict[str, Any]
):
    post_change(author_client, question, options, **fields)

    assert question.revision == 2


def test_a_saved_question_is_rendered_at_its_revision_for_the_next_attempts(
    author_client: Client, question: Question
):
    post_change(author_client, question, [("S3 **Glacier**", True), ("EBS", False), ("EFS", False)])

    question.refresh_from_db()
    assert question.rendered_revision == question.revision == 2
    texts = [option["text_html"] for option in question.rendered["options"]]
    assert "S3 <strong>Glacier</strong>" in texts


def test_changing_only_metadata_keeps_the_revision(author_client: Client, question: Question):
    tag = TagFactory.create()

    post_change(
        author_client,
        question,
        saved_options(question),
        difficulty="hard",
        status=QuestionStatus.ACTIVE,
        tags=[tag.pk],
        source_url="https://docs.aws.amazon.com/s3/",
    )

    assert question.revision == 1
    assert (question.difficulty, question.status) == ("hard", QuestionStatus.ACTIVE)
    assert list(question.tags.all()) == [tag]


def test_every_content_change_adds_one_revision(author_client: Client, question: Question):
    post_change(author_client, question, saved_options(question), stem="Second wording?")
    post_change(author_client, question, [("S3", False), ("EBS", True), ("EFS", False)])

    assert question.revision == 3


# --- Preview ----------------------------------------------------------------------------------------


def test_preview_shows_the_question_as_a_student_sees_it_without_the_key(author_client: Client, question):
    question.stem = "Which service is **object** storage?"
    question.save()

    response = author_client.get(f"/admin/quizzes/question/{question.pk}/preview/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>object</strong>" in html
    assert all(text in html for text in ("S3", "EBS", "EFS"))
    assert 'type="radio"' in html
    assert "Why S3." not in html
    assert question.explanation not in html
    assert "Correct" not in html


def test_preview_with_the_key_shows_the_key_rationales_and_explanation(author_client: Client, question):
    response = author_client.get(f"/admin/quizzes/question/{question.pk}/preview/?key=1")

    html = response.content.decode()
    assert "Why S3." in html
    assert question.explanation in html
    assert html.count('class="verdict">Correct<') == 1


def test_preview_of_a_multiple_response_question_asks_to_choose_n(author_client: Client, bank, domain):
    question = QuestionFactory.create(bank=bank, domain=domain, qtype=QuestionType.MULTIPLE, choose=2)

    html = author_client.get(f"/admin/quizzes/question/{question.pk}/preview/").content.decode()

    assert "Choose 2." in html
    assert 'type="checkbox"' in html


def test_the_question_page_links_to_its_preview(author_client: Client, question):
    html = author_client.get(change_url(question)).content.decode()

    assert f"/admin/quizzes/question/{question.pk}/preview/" in html


# --- Bulk actions -----------------------------------------------------------------------------------


def run_action(client: Client, action: str, questions: list[Question], **extra: Any) -> Any:
    data = {"action": action, "_selected_action": [q.pk for q in questions], **extra}
    return client.post(CHANGELIST_URL, data)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_activate_activates_valid_questions_and_names_the_broken_ones(author_client: Client, bank, domain):
    ready = QuestionFactory.create(bank=bank, domain=domain)
    broken = QuestionFactory.create(
        bank=bank, domain=domain, name="broken", choices=[("S3", True), ("EBS", True)]
    )

    response = run_action(author_client, "activate", [ready, broken])

    ready.refresh_from_db()
    broken.refresh_from_db()
    assert (ready.status, broken.status) == (QuestionStatus.ACTIVE, QuestionStatus.DRAFT)
    assert "Activated 1 question(s)." in messages_of(response)
    assert any("broken (A single-choice question has exactly one correct" in m for m in messages_of(response))


def test_retire_retires_the_selected_questions(author_client: Client, bank, domain):
    questions = [
        QuestionFactory.create(bank=bank, domain=domain, status=QuestionStatus.ACTIVE) for _ in range(2)
    ]

    run_action(author_client, "retire", questions)

    assert set(Question.objects.values_list("status", flat=True)) == {QuestionStatus.RETIRED}


def test_move_to_domain_asks_which_domain_of_the_same_path(author_client: Client, bank, domain):
    target = ExamDomainFactory.create(path=bank.path, name="Compute")
    ExamDomainFactory.create(path=CertificationPathFactory.create(), name="Elsewhere")
    question = QuestionFactory.create(bank=bank, domain=domain)

    response = run_action(author_client, "move_to_domain", [question])

    assert response.status_code == 200
    assert set(response.context["form"].fields["domain"].queryset) == {domain, target}
    question.refresh_from_db()
    assert question.domain == domain


def test_move_to_domain_moves_the_questions_without_a_new_revision(author_client: Client, bank, domain):
    target = ExamDomainFactory.create(path=bank.path, name="Compute")
    questions = [QuestionFactory.create(bank=bank, domain=domain) for _ in range(2)]

    response = run_action(author_client, "move_to_domain", questions, apply="Move", domain=target.pk)

    assert response.status_code == 302
    assert {(q.domain_id, q.revision) for q in Question.objects.all()} == {(target.pk, 1)}
    assert f"Moved 2 question(s) to {target}." in messages_of(response)


def test_move_to_domain_refuses_a_domain_of_another_path(author_client: Client, bank, domain):
    elsewhere = ExamDomainFactory.create(path=CertificationPathFactory.create())
    question = QuestionFactory.create(bank=bank, domain=domain)

    response = run_action(author_client, "move_to_domain", [question], apply="Move", domain=elsewhere.pk)

    assert response.status_code == 200
    assert "domain" in response.context["form"].errors
    question.refresh_from_db()
    assert question.domain == domain


def test_move_to_domain_refuses_questions_of_different_paths(author_client: Client, author, bank, domain):
    other = QuestionFactory.create(bank=QuestionBankFactory.create(owners=[author]))
    question = QuestionFactory.create(bank=bank, domain=domain)

    response = run_action(author_client, "move_to_domain", [question, other])

    assert response.status_code == 302
    assert any("different certification paths" in m for m in messages_of(response))


# --- Banks ------------------------------------------------------------------------------------------


def test_bank_list_counts_questions_per_status(author_client: Client, bank, domain):
    for status, count in [(QuestionStatus.DRAFT, 1), (QuestionStatus.ACTIVE, 3), (QuestionStatus.RETIRED, 2)]:
        for _ in range(count):
            QuestionFactory.create(bank=bank, domain=domain, status=status)

    response = author_client.get(BANKS_URL)

    [row] = response.context["cl"].result_list
    assert (row.draft_count, row.active_count, row.retired_count, row.question_count) == (1, 3, 2, 6)


def test_bank_list_offers_the_import_page(author_client: Client, bank):
    html = author_client.get(BANKS_URL).content.decode()

    assert 'href="/admin/quizzes/questionbank/import/"' in html
    assert "Import questions" in html


def test_instructor_adding_a_bank_becomes_its_owner(author_client: Client, author):
    path = CertificationPathFactory.create()

    response = author_client.post(
        f"{BANKS_URL}add/", {"path": path.pk, "name": "My bank", "slug": "my-bank", "owners": []}
    )

    assert response.status_code == 302
    assert list(path.banks.get().owners.all()) == [author]


def test_a_bank_with_questions_keeps_its_path(author_client: Client, bank, domain):
    QuestionFactory.create(bank=bank, domain=domain)

    response = author_client.get(f"{BANKS_URL}{bank.pk}/change/")

    assert "path" not in response.context["adminform"].form.fields


# --- Query counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_question_list_queries_do_not_grow_with_the_rows(
    author_client: Client, bank, django_assert_max_num_queries: Any, size: int
):
    domains = [ExamDomainFactory.create(path=bank.path) for _ in range(3)]
    tags = [TagFactory.create() for _ in range(3)]
    for i in range(size):
        QuestionFactory.create(bank=bank, domain=domains[i % 3], tags=[tags[i % 3]])

    # Session, user, 2 permission reads, 4 filter choice lists, 2 counts, the page.
    with django_assert_max_num_queries(11):
        response = author_client.get(CHANGELIST_URL)

    assert response.context["cl"].result_count == size


@pytest.mark.parametrize("size", [2, 12])
def test_bank_list_queries_do_not_grow_with_the_rows(
    author_client: Client, author, django_assert_max_num_queries: Any, size: int
):
    for _ in range(size):
        bank = QuestionBankFactory.create(owners=[author])
        QuestionFactory.create_batch(2, bank=bank, domain=ExamDomainFactory.create(path=bank.path))

    with django_assert_max_num_queries(8):
        response = author_client.get(BANKS_URL)

    assert response.context["cl"].result_count == size


# --- Attempts ---------------------------------------------------------------------------------------


def test_staff_find_attempts_that_need_attention(client: Client, staff):
    stuck = AttemptFactory.create(state=AttemptState.NEEDS_ATTENTION, grading_error="worker lost")
    AttemptFactory.create(state=AttemptState.GRADED)
    client.force_login(staff)

    response = client.get("/admin/quizzes/attempt/", {"state__exact": AttemptState.NEEDS_ATTENTION})

    assert list(response.context["cl"].result_list) == [stuck]
    assert "Grading failed: needs attention" in response.content.decode()


def test_staff_search_attempts_by_student_username(client: Client, staff):
    mine = AttemptFactory.create(student=UserFactory.create(username="ada"))
    AttemptFactory.create(student=UserFactory.create(username="grace"))
    client.force_login(staff)

    response = client.get("/admin/quizzes/attempt/", {"q": "ada"})

    assert list(response.context["cl"].result_list) == [mine]


# --- Ordering and matching ----------------------------------------------------------------------------


def with_matches(data: dict[str, Any], matches: list[str]) -> dict[str, Any]:
    """Add each option's "match" text (a matching question's answers) to a question_data body."""
    return data | {f"choices-{i}-match": match for i, match in enumerate(matches)}


def test_a_matching_question_is_saved_with_its_pairs_and_a_distractor(author_client: Client, bank, domain):
    options = [("S3", False), ("EBS", False), ("", False)]
    data = question_data(bank, domain, options, qtype=QuestionType.MATCHING)

    response = author_client.post(ADD_URL, with_matches(data, ["Objects", "Blocks", "Files"]))

    assert response.status_code == 302
    saved = Question.objects.get().choices.all()
    assert [(c.text, c.match) for c in saved] == [("S3", "Objects"), ("EBS", "Blocks"), ("", "Files")]


@pytest.mark.parametrize(
    ("qtype", "options", "matches", "message"),
    [
        (
            QuestionType.MATCHING,
            [("S3", False), ("EBS", False)],
            ["Objects", ""],
            'Every prompt of a matching question needs its answer (the "match" text).',
        ),
        (
            QuestionType.ORDERING,
            [("Plan", False), ("Build", False)],
            ["", ""],
            "An ordering question needs at least 3 steps; it has 2.",
        ),
    ],
)
def test_ordering_and_matching_options_that_break_the_type_show_why(
    author_client: Client, bank, domain, qtype: str, options: list[tuple[str, bool]], matches, message: str
):
    data = with_matches(question_data(bank, domain, options, qtype=qtype), matches)

    response = author_client.post(ADD_URL, data)

    assert inline_errors(response) == [message]
    assert not Question.objects.exists()


def test_moving_a_step_of_an_ordering_question_makes_a_new_revision(author_client: Client, bank, domain):
    steps = [("Plan", False), ("Build", False), ("Ship", False)]
    question = QuestionFactory.create(bank=bank, domain=domain, qtype=QuestionType.ORDERING, choices=steps)
    existing = list(question.choices.all())
    data = question_data(bank, domain, steps, existing=existing, qtype=QuestionType.ORDERING)
    data |= {"name": question.name, "choices-0-position": 2, "choices-1-position": 1}

    response = author_client.post(change_url(question), data)

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.revision == 2
    assert [c.text for c in question.choices.order_by("position")] == ["Build", "Plan", "Ship"]


def test_the_preview_of_a_matching_question_shows_each_prompts_answer_with_the_key(
    author_client: Client, bank, domain
):
    question = QuestionFactory.create(bank=bank, domain=domain, qtype=QuestionType.MATCHING, choices=[])
    question.choices.create(position=1, text="S3", match="Objects")
    question.choices.create(position=2, text="EBS", match="Blocks")
    question.choices.create(position=3, text="", match="Files")

    page = author_client.get(f"/admin/quizzes/question/{question.pk}/preview/?key=1").content.decode()

    assert "Answer: Objects" in page
    assert "Distractor answer" in page
