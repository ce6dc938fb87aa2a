"""Case studies in the admin: owner-scoped, their questions listed, the question form limited to its bank."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from core.roles import Role
from quizzes.models import CaseStudy, Question
from tests.factories import (
    CaseStudyFactory,
    ExamDomainFactory,
    QuestionBankFactory,
    QuestionFactory,
    UserFactory,
)
from tests.quizzes.test_admin_questions import question_data

pytestmark = pytest.mark.django_db
URL = "/admin/quizzes/casestudy/"


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


def test_an_instructor_lists_only_the_case_studies_of_their_banks(author_client, bank):
    mine = CaseStudyFactory(bank=bank, title="Mine Ltd")
    CaseStudyFactory(title="Theirs Ltd")

    response = author_client.get(URL)

    assert list(response.context["cl"].queryset) == [mine]


def test_another_instructors_case_study_is_not_found(author_client):
    theirs = CaseStudyFactory()

    assert author_client.get(f"{URL}{theirs.pk}/change/").status_code == 404


def test_a_case_study_cannot_be_added_to_another_instructors_bank(author_client):
    other_bank = QuestionBankFactory()

    response = author_client.post(
        f"{URL}add/", {"bank": other_bank.pk, "name": "c", "title": "T", "scenario": "S"}
    )

    assert response.status_code == 200
    assert "bank" in response.context["adminform"].form.errors
    assert not CaseStudy.objects.exists()


def test_the_change_page_lists_its_questions_and_keeps_the_bank(author_client, bank, domain):
    case = CaseStudyFactory(bank=bank)
    question = QuestionFactory(bank=bank, domain=domain, name="cs-q1", case_study=case)

    response = author_client.get(f"{URL}{case.pk}/change/")

    page = response.content.decode()
    assert f'href="/admin/quizzes/question/{question.pk}/change/"' in page
    assert "cs-q1" in page
    assert "bank" not in response.context["adminform"].form.fields


def test_editing_the_scenario_gives_its_questions_a_new_revision(author_client, bank, domain):
    case = CaseStudyFactory(bank=bank)
    in_case = QuestionFactory(bank=bank, domain=domain, case_study=case)
    outside = QuestionFactory(bank=bank, domain=domain)

    response = author_client.post(
        f"{URL}{case.pk}/change/", {"name": case.name, "title": case.title, "scenario": "A new scenario."}
    )

    assert response.status_code == 302
    assert [(q.pk, q.revision) for q in Question.objects.order_by("pk")] == [(in_case.pk, 2), (outside.pk, 1)]
    assert "1 question(s) of this case study got a new revision" in str(
        list(get_messages(response.wsgi_request))
    )


def test_renaming_the_id_alone_keeps_the_revisions(author_client, bank, domain):
    case = CaseStudyFactory(bank=bank)
    QuestionFactory(bank=bank, domain=domain, case_study=case)

    author_client.post(
        f"{URL}{case.pk}/change/", {"name": "new-id", "title": case.title, "scenario": case.scenario}
    )

    assert Question.objects.get().revision == 1


def test_the_question_form_offers_only_the_case_studies_of_its_bank(author_client, bank, domain):
    own = CaseStudyFactory(bank=bank)
    CaseStudyFactory(bank=QuestionBankFactory(owners=[bank.owners.get()], path=bank.path))
    question = QuestionFactory(bank=bank, domain=domain)

    response = author_client.get(f"/admin/quizzes/question/{question.pk}/change/")

    assert list(response.context["adminform"].form.fields["case_study"].queryset) == [own]


def test_a_question_cannot_take_a_case_study_of_another_bank(author_client, bank, domain):
    other = CaseStudyFactory(bank=QuestionBankFactory(owners=[bank.owners.get()], path=bank.path))

    response = author_client.post(
        "/admin/quizzes/question/add/",
        question_data(bank, domain, [("A", True), ("B", False)], case_study=other.pk),
    )

    assert response.status_code == 200
    assert "case_study" in response.context["adminform"].form.errors
    assert not Question.objects.exists()


def test_putting_a_question_in_a_case_study_is_a_new_revision(author_client, bank, domain):
    case = CaseStudyFactory(bank=bank)
    question = QuestionFactory(bank=bank, domain=domain, choices=[("A", True), ("B", False)])
    data = question_data(
        bank,
        domain,
        [("A", True), ("B", False)],
        existing=list(question.choices.all()),
        name=question.name,
        stem=question.stem,
        explanation=question.explanation,
        case_study=case.pk,
    )

    response = author_client.post(f"/admin/quizzes/question/{question.pk}/change/", data)

    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.case_study, question.revision) == (case, 2)


def test_the_preview_shows_the_scenario_above_the_stem(author_client, bank, domain):
    case = CaseStudyFactory(bank=bank, title="Brindle Mills", scenario="Brindle mills *flour*.")
    question = QuestionFactory(bank=bank, domain=domain, case_study=case)

    page = author_client.get(f"/admin/quizzes/question/{question.pk}/preview/").content.decode()

    assert "Case study:</span> Brindle Mills" in page
    assert "Brindle mills <em>flour</em>." in page
