"""The import service: domains by category, all or nothing, idempotent, bulk writes in one transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.catalog_file import read_catalog
from courses.models import CertificationPath
from courses.services import load_catalog
from quizzes.exceptions import DomainMapInvalid, ImportRejected
from quizzes.importers.report import detect_format
from quizzes.importing import CHUNK, import_questions, load_domain_map
from quizzes.models import Choice, Question, QuestionBank, Tag
from tests.factories import QuestionBankFactory, TagFactory
from tests.quizzes.import_helpers import DATA, bank_with_domains, data

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank() -> QuestionBank:
    return bank_with_domains()


def generated_gift(count: int, *, stem: str = "Generated question", topic: str = "topic") -> str:
    """Return a GIFT file of count single-choice questions, each with a tag shared by others."""
    lines = ["$CATEGORY: $course$/top/GEN/Cloud Concepts", ""]
    for i in range(count):
        lines += [
            f"// [id:gen-{i}] [difficulty:easy] [tag:{topic}-{i % 7}]",
            f"::gen-{i}::[markdown]{stem} {i}: which option is right?{{",
            "=The right one#Yes, this one.",
            "~A wrong one#No.",
            "~Another wrong one#No.",
            "~The last wrong one#No.",
            "####Because the first option is right.",
            "}",
            "",
        ]
    return "\n".join(lines)


def writes(queries: list[dict[str, Any]]) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE")]


def test_import_creates_questions_with_options_tags_and_domains_from_categories(bank: QuestionBank):
    report = import_questions(bank=bank, text=data("mixed.gift"), fmt="gift")

    assert (report.imported, report.updated, report.unchanged, report.rejected) == (9, 0, 0, [])
    assert [u.name for u in report.unsupported] == [
        "imp-essay",
        "imp-numeric",
        "imp-short",
        "imp-description",
    ]
    domains = dict(Question.objects.filter(bank=bank).values_list("name", "domain__name"))
    assert domains["imp-cc-001"] == "Cloud Concepts"
    assert domains["imp-sec-001"] == "Security and Compliance"  # category in lower case
    assert domains["imp-priv-001"] == "Privileges / access control basics"  # escaped "//"
    q = Question.objects.get(bank=bank, name="imp-cc-001")
    assert (q.difficulty, q.status, q.revision) == ("easy", "active", 1)
    assert sorted(t.name for t in q.tags.all()) == ["Scaling", "elasticity"]
    assert [(c.position, c.text, c.is_correct) for c in q.choices.all()] == [
        (1, "Elasticity", True),
        (2, "Durability", False),
        (3, "Data residency", False),
    ]
    draft = Question.objects.get(bank=bank, name="imp-cc-002")
    assert (draft.qtype, draft.choose, draft.status, draft.difficulty) == ("multiple", 2, "draft", "medium")


def test_reimporting_the_same_file_writes_nothing(bank: QuestionBank):
    import_questions(bank=bank, text=data("mixed.gift"), fmt="gift")
    before = list(Question.objects.order_by("pk").values_list("pk", "revision", "updated_at"))
    choices = list(Choice.objects.order_by("pk").values_list("pk", "text"))

    with CaptureQueriesContext(connection) as queries:
        report = import_questions(bank=bank, text=data("mixed.gift"), fmt="gift")

    assert (report.imported, report.updated, report.unchanged) == (0, 0, 9)
    assert writes(queries.captured_queries) == []
    assert list(Question.objects.order_by("pk").values_list("pk", "revision", "updated_at")) == before
    assert list(Choice.objects.order_by("pk").values_list("pk", "text")) == choices


def test_an_edited_question_is_updated_in_place_with_a_new_revision(bank: QuestionBank):
    import_questions(bank=bank, text=data("mixed.gift"), fmt="gift")
    original = Question.objects.get(bank=bank, name="imp-cc-001")
    choice_ids = [c.pk for c in original.choices.all()]
    edited = (
        data("mixed.gift")
        .replace("A shop expects a rush", "A web shop expects a rush")
        .replace("~Durability#Wrong", "~Durability of stored objects#Wrong")
    )

    report = import_questions(bank=bank, text=edited, fmt="gift")

    assert (report.imported, report.updated, report.revised, report.unchanged) == (0, 1, 1, 8)
    question = Question.objects.get(pk=original.pk)
    assert question.stem.startswith("A web shop expects a rush")
    assert question.revision == 2
    assert [c.pk for c in question.choices.all()] == choice_ids
    assert question.choices.get(position=2).text == "Durability of stored objects"
    assert Question.objects.filter(bank=bank).count() == 9


def test_a_metadata_change_updates_the_question_without_a_new_revision(bank: QuestionBank):
    import_questions(bank=bank, text=data("mixed.gift"), fmt="gift")
    edited = data("mixed.gift").replace(
        "[id:imp-cc-001] [difficulty:easy]", "[id:imp-cc-001] [difficulty:hard]"
    )
    edited = edited.replace("[tag:Scaling]", "[tag:Scaling] [tag:sale-day]")

    report = import_questions(bank=bank, text=edited, fmt="gift")

    assert (report.updated, report.revised) == (1, 0)
    question = Question.objects.get(bank=bank, name="imp-cc-001")
    assert (question.difficulty, question.revision) == ("hard", 1)
    assert sorted(t.name for t in question.tags.all()) == ["Scaling", "elasticity", "sale-day"]


def test_unstated_difficulty_and_status_keep_what_the_question_has(bank: QuestionBank):
    import_questions(bank=bank, text=data("mixed.gift"), fmt="gift")
    Question.objects.filter(bank=bank, name="imp-sec-001").update(difficulty="hard", status="retired")

    report = import_questions(bank=bank, text=data("mixed.gift"), fmt="gift")

    assert report.unchanged == 9
    assert Question.objects.filter(
        bank=bank, name="imp-sec-001", difficulty="hard", status="retired"
    ).exists()


def test_options_added_and_removed_in_the_file_are_added_and_removed(bank: QuestionBank):
    import_questions(bank=bank, text=data("mixed.gift"), fmt="gift")
    fewer = data("mixed.gift").replace(
        "~Data residency#Wrong: that concerns the country where data is kept.\n", ""
    )
    more = data("mixed.gift").replace("~Durability#", "~Latency#Wrong: not about capacity.\n~Durability#")

    import_questions(bank=bank, text=fewer, fmt="gift")
    shrunk = [c.text for c in Question.objects.get(bank=bank, name="imp-cc-001").choices.all()]
    import_questions(bank=bank, text=more, fmt="gift")
    grown = Question.objects.get(bank=bank, name="imp-cc-001")

    assert shrunk == ["Elasticity", "Durability"]
    assert [(c.position, c.text) for c in grown.choices.all()] == [
        (1, "Elasticity"),
        (2, "Latency"),
        (3, "Durability"),
        (4, "Data residency"),
    ]
    assert grown.revision == 3


def test_a_malformed_file_writes_nothing_not_even_its_valid_questions(bank: QuestionBank):
    with pytest.raises(ImportRejected) as raised:
        import_questions(bank=bank, text=data("broken.gift"), fmt="gift")

    report = raised.value.report
    assert [(r.name, r.line) for r in report.rejected] == [
        ("broken-open", 13),
        ("broken-two-right", 18),
        ("broken-stray", 26),
        ("billing-001", 34),
    ]
    assert "unknown domain 'Billing'" in report.rejected[3].reason
    assert "Cloud Concepts" in report.rejected[3].reason  # the reason lists the path's domains
    assert report.imported == 0
    assert "4 item(s) rejected, nothing was imported" in str(raised.value)
    assert "line 13: broken-open" in str(raised.value)
    assert not Question.objects.exists()
    assert not Tag.objects.exists()


def test_skip_invalid_imports_the_valid_questions_and_lists_the_rest(bank: QuestionBank):
    report = import_questions(bank=bank, text=data("broken.gift"), fmt="gift", skip_invalid=True)

    assert report.imported == 1
    assert len(report.rejected) == 4
    assert list(Question.objects.values_list("name", flat=True)) == ["ok-001"]


def test_an_unknown_category_is_rejected_unless_the_domain_map_maps_it(bank: QuestionBank):
    with pytest.raises(ImportRejected) as raised:
        import_questions(bank=bank, text=data("mixed.xml"), fmt="moodle-xml")
    mapping = load_domain_map(data("domain_map.yaml"), "domain_map.yaml")

    report = import_questions(bank=bank, text=data("mixed.xml"), fmt="moodle-xml", domain_map=mapping)

    assert [r.name for r in raised.value.report.rejected] == ["xml-net-001", "Match the layers"]
    assert report.imported == 6
    assert len(report.unsupported) == 6
    assert Question.objects.get(bank=bank, name="xml-net-001").domain.name == "Cloud Concepts"
    assert Question.objects.get(bank=bank, name="xml-sec-003").status == "retired"


def test_a_domain_map_may_name_a_category_by_its_full_path(bank: QuestionBank):
    mapping = load_domain_map(data("domain_map.yaml"), "map.yaml")

    report = import_questions(
        bank=bank, text=data("broken.gift"), fmt="gift", domain_map=mapping, skip_invalid=True
    )

    assert report.imported == 2
    assert Question.objects.get(name="billing-001").domain.name == "Security and Compliance"


def test_a_domain_map_naming_a_missing_domain_is_refused(bank: QuestionBank):
    with pytest.raises(DomainMapInvalid, match="'Networking and Delivery', not a domain of"):
        import_questions(
            bank=bank,
            text=data("mixed.xml"),
            fmt="moodle-xml",
            domain_map={"Networking": "Networking and Delivery"},
        )


def test_dry_run_reports_what_would_happen_and_writes_nothing(bank: QuestionBank):
    with CaptureQueriesContext(connection) as queries:
        report = import_questions(bank=bank, text=data("mixed.gift"), fmt="gift", dry_run=True)

    assert (report.imported, report.dry_run) == (9, True)
    assert writes(queries.captured_queries) == []
    assert not Question.objects.exists()
    assert not Tag.objects.exists()


def test_the_same_name_twice_in_one_file_is_rejected(bank: QuestionBank):
    text = generated_gift(2).replace("gen-1", "gen-0")

    with pytest.raises(ImportRejected) as raised:
        import_questions(bank=bank, text=text, fmt="gift")

    [rejection] = raised.value.report.rejected
    assert rejection.name == "gen-0"
    assert "used again (first on line 4)" in rejection.reason


def test_existing_tags_are_reused_whatever_their_case(bank: QuestionBank):
    existing = TagFactory.create(name="ELASTICITY")

    import_questions(bank=bank, text=data("mixed.gift"), fmt="gift")

    assert existing in Question.objects.get(bank=bank, name="imp-cc-001").tags.all()
    assert Tag.objects.filter(name__iexact="elasticity").count() == 1


def test_an_error_while_writing_rolls_the_whole_import_back(bank: QuestionBank, monkeypatch):
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Choice.objects, "bulk_create", fail)

    with pytest.raises(RuntimeError):
        import_questions(bank=bank, text=data("mixed.gift"), fmt="gift")

    assert not Question.objects.exists()


def test_the_number_of_queries_does_not_grow_with_the_number_of_questions_within_a_chunk():
    counts = []
    for size in (10, 200):  # 800 options: one statement of each kind (CHUNK rows)
        bank = bank_with_domains()
        with CaptureQueriesContext(connection) as created:  # new questions, new tags
            import_questions(bank=bank, text=generated_gift(size, topic=f"n{size}"), fmt="gift")
        with CaptureQueriesContext(connection) as updated:  # every question reworded and retagged
            text = generated_gift(size, stem="Reworded", topic=f"m{size}")
            report = import_questions(bank=bank, text=text, fmt="gift")
        assert report.updated == size
        counts.append((len(created.captured_queries), len(updated.captured_queries)))

    assert counts[0] == counts[1]
    assert max(counts[0]) <= 18  # with the renderings: the questions, their options, one update


def test_ten_thousand_questions_import_in_one_transaction_in_statements_of_a_chunk_each(
    bank: QuestionBank, django_assert_max_num_queries: Any
):
    progress: list[tuple[int, int]] = []
    # 10 look-ups, 10 question inserts, 40 option inserts, 10 tag-link inserts of CHUNK rows, the
    # renderings (30: the questions, their options, one update per CHUNK) and the few fixed
    # queries: no statement carries more than CHUNK rows, whatever the file's size.
    assert CHUNK == 1000

    with django_assert_max_num_queries(12 + 70 + 30):
        report = import_questions(
            bank=bank, text=generated_gift(10_000), fmt="gift", progress=lambda *step: progress.append(step)
        )

    assert report.imported == 10_000
    assert Question.objects.filter(bank=bank).count() == 10_000
    assert Choice.objects.filter(question__bank=bank).count() == 40_000
    assert Question.tags.through.objects.filter(question__bank=bank).count() == 10_000
    assert progress[-1] == (10_000, 10_000)
    assert len(progress) <= 101


def test_report_as_json_keeps_the_documented_keys(bank: QuestionBank):
    report = import_questions(bank=bank, text=data("mixed.gift"), fmt="gift", dry_run=True)

    result = report.as_dict()

    assert {"imported", "rejected", "dry_run", "updated", "unchanged", "skipped_unsupported"} <= set(result)
    assert result["skipped_unsupported"][0] == {
        "name": "imp-essay",
        "line": 58,
        "reason": report.unsupported[0].reason,
    }
    assert '"dry_run": true' in report.as_json()


@pytest.mark.parametrize(
    ("filename", "text", "expected"),
    [
        ("bank.xml", "", "moodle-xml"),
        ("bank.csv", "", "csv"),
        ("bank.gift", "", "gift"),
        ("upload", '<?xml version="1.0"?><quiz/>', "moodle-xml"),
        ("upload", "name,domain,type,stem,correct\n", "csv"),
        ("upload", "::q::Which?{=a ~b}", "gift"),
    ],
)
def test_detect_format_from_the_name_then_the_content(filename: str, text: str, expected: str):
    assert detect_format(filename, text) == expected


def test_domain_maps_read_json_and_yaml_and_refuse_anything_else():
    assert load_domain_map((DATA / "domain_map.json").read_text(), "map.json") == {
        "Networking": "Cloud Concepts",
        "Billing": "Security and Compliance",
    }
    assert load_domain_map("", "empty.yaml") == {}
    with pytest.raises(DomainMapInvalid):
        load_domain_map("- a\n- b\n", "list.yaml")
    with pytest.raises(DomainMapInvalid):
        load_domain_map("{not json", "map.json")
    with pytest.raises(DomainMapInvalid):
        load_domain_map("a: 1\n", "number.yaml")


def test_every_demo_content_file_imports_without_rejections():
    load_catalog(records=read_catalog())
    for code in (
        "1Z0-071",
        "CLF-C02",
        "DB-SPARK-DEV-ASSOC",
        "DP-900",
        "GOOGLE-DA-PC",
        "MLA-C01",
        "PCA",
        "PMLE",
        "SAA-C03",
    ):
        path = CertificationPath.objects.get(code=code)
        bank = QuestionBankFactory.create(path=path)
        text = (DATA.parents[2] / "content" / code.lower() / "questions.gift").read_text(encoding="utf-8")

        report = import_questions(bank=bank, text=text, fmt="gift")

        assert (report.rejected, report.unsupported) == ([], []), code
        assert report.imported == text.count("\n// [id:"), code  # a case study's block has no id


def test_an_import_renders_what_attempts_will_freeze():
    bank = bank_with_domains()

    import_questions(bank=bank, text=generated_gift(3, stem="First *wording*"), fmt="gift")

    for question in Question.objects.filter(bank=bank):
        assert question.rendered_revision == question.revision == 1
        assert "<em>wording</em>" in question.rendered["stem_html"]


def test_a_reworded_question_is_rendered_again_at_its_new_revision():
    bank = bank_with_domains()
    import_questions(bank=bank, text=generated_gift(3, stem="First wording"), fmt="gift")

    import_questions(bank=bank, text=generated_gift(3, stem="Second wording"), fmt="gift")

    for question in Question.objects.filter(bank=bank):
        assert question.rendered_revision == question.revision == 2
        assert "Second wording" in question.rendered["stem_html"]
