"""Import questions into a bank from GIFT, Moodle XML or our CSV: one transaction, bulk writes.

A question is identified by its name within the bank (Moodle's idnumber, else its name). Importing
a file again changes nothing; an edited question is updated in place, and its `revision` grows
when what a student sees changed (stem, explanation, type, choose, options, key, rationales).
Questions of the bank that are not in the file are left alone.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from courses.models import ExamDomain

from .exceptions import DomainMapInvalid, ImportRejected, UnknownDomain
from .importers import (
    NAME_MAX,
    ParsedCaseStudy,
    ParsedOption,
    ParsedQuestion,
    ParseResult,
    Rejection,
    category_leaf,
    is_root_category,
    split_category_path,
)
from .importers.report import FORMATS, PARSERS, ImportReport, Note
from .models import (
    CaseStudy,
    Choice,
    Difficulty,
    ImportStatus,
    Question,
    QuestionBank,
    QuestionImport,
    QuestionStatus,
    QuestionType,
    Tag,
)
from .models.banks import makes_new_revision, revise_case_study_questions

Progress = Callable[[int, int], None]
DEFAULT_STATUS = QuestionStatus.ACTIVE  # as in Moodle, where an imported question is "ready"
DEFAULT_DIFFICULTY = Difficulty.MEDIUM
META_FIELDS = ("domain_id", "difficulty", "status", "source_url")
_CHOICE_FIELDS = ("position", "text", "is_correct", "rationale", "match")
CHUNK = 1000  # rows per statement: a file of any size reads and writes in bounded statements


def load_domain_map(text: str, filename: str = "") -> dict[str, str]:
    """Read a domain map (JSON or YAML: category name or path -> domain name).

    Raises DomainMapInvalid when the text is not such a mapping.
    """
    try:
        data = json.loads(text) if filename.lower().endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise DomainMapInvalid(f"the domain map is neither JSON nor YAML: {error}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DomainMapInvalid("the domain map must map category names to domain names")
    bad = [key for key, value in data.items() if not isinstance(key, str) or not isinstance(value, str)]
    if bad:
        raise DomainMapInvalid(f"the domain map entry {bad[0]!r} must map a name to a domain name")
    return dict(data)


def parse_questions(*, text: str, fmt: str) -> ParseResult:
    """Parse text in fmt (gift, moodle-xml or csv) without touching the database."""
    try:
        parser = PARSERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}") from None
    return parser(text)


def import_questions(
    *,
    bank: QuestionBank,
    text: str,
    fmt: str,
    domain_map: dict[str, str] | None = None,
    default_domain: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the questions of text (in fmt) into bank, all or nothing.

    A question's domain is the exam domain of the bank's path named by the last segment of its
    category (ignoring case), or the one domain_map gives for the category's path or last segment;
    a question with no category (or only Moodle's `$course$/top`) goes to default_domain if given.
    A question name that Moodle lets repeat (a name or title, not an idnumber or `[id:]`) is told
    apart by a suffix, " (2)", " (3)"..., with a note in the report. Unsupported question types
    are skipped and listed. Takes the bank's row lock for the writes, so two imports into one bank
    run one after the other; a handful of queries per thousand questions.

    Raises ImportRejected (and writes nothing) when an item is rejected, unless skip_invalid;
    DomainMapInvalid when domain_map names a domain the bank's path does not have; UnknownDomain
    when default_domain is not one of them.
    """
    parsed = parse_questions(text=text, fmt=fmt)
    report = ImportReport(fmt=fmt, dry_run=dry_run, unsupported=list(parsed.unsupported))
    domains = _Domains(bank, domain_map, default_domain)
    questions, renamed = _tell_repeated_names_apart(parsed.questions)
    items, rejected = domains.assign(questions)
    cases = _CaseStudies(bank, parsed.case_studies)
    items, unknown_cases = cases.check(items)
    report.rejected = sorted([*parsed.rejected, *rejected, *unknown_cases], key=lambda item: item.line)
    if report.rejected and not skip_invalid:
        raise ImportRejected(report, _rejection_message(report.rejected))
    report.notes = sorted(
        [*renamed, *(Note(pq.name, pq.line, note) for pq, _ in items for note in pq.notes)],
        key=lambda note: note.line,
    )
    with transaction.atomic():
        if not dry_run or parsed.case_studies:
            QuestionBank.objects.select_for_update().filter(pk=bank.pk).values_list("pk").get()
        # Written first, even in a dry run (rolled back below): their questions need their ids, and
        # a revised scenario gives its questions a new revision before they are compared.
        report.notes += cases.write()
        plan = _plan(bank, items, progress, create_tags=not dry_run, case_ids=cases.ids)
        report.imported, report.updated = len(plan.new), len(plan.changed)
        report.unchanged, report.revised = plan.unchanged, plan.revised
        if not dry_run:
            _write(plan)
        elif parsed.case_studies:
            transaction.set_rollback(True)
    report.notes.sort(key=lambda note: note.line)
    return report


def _rejection_message(rejected: Sequence[Rejection], limit: int = 20) -> str:
    lines = [f"  line {item.line}: {item.name}: {item.reason}" for item in rejected[:limit]]
    if len(rejected) > limit:
        lines.append(f"  ... and {len(rejected) - limit} more")
    return f"{len(rejected)} item(s) rejected, nothing was imported:\n" + "\n".join(lines)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _tell_repeated_names_apart(
    questions: Sequence[ParsedQuestion],
) -> tuple[list[ParsedQuestion], list[Note]]:
    """Give the second, third... question of a repeated Moodle name a " (2)", " (3)"... suffix.

    Identifiers (idnumber, `[id:]`, CSV names) keep their names: repeating one is an error that
    `_Domains.assign` reports. The suffix depends only on the file, so importing it again updates
    the same questions.
    """
    taken = {pq.name for pq in questions}
    first_line: dict[str, int] = {}
    result: list[ParsedQuestion] = []
    notes: list[Note] = []
    for pq in questions:
        if pq.name_is_id or pq.name not in first_line:
            first_line.setdefault(pq.name, pq.line)
            result.append(pq)
            continue
        number = 2
        while (new := _suffixed(pq.name, number)) in taken:
            number += 1
        taken.add(new)
        first = first_line[pq.name]
        notes.append(
            Note(
                new,
                pq.line,
                f"the name {pq.name!r} is used again (first on line {first}): imported as {new!r}",
            )
        )
        result.append(replace(pq, name=new))
    return result, notes


def _suffixed(name: str, number: int) -> str:
    suffix = f" ({number})"
    return name[: NAME_MAX - len(suffix)] + suffix


class _Domains:
    """The exam domains of the bank's path, found by category the way the map and names say."""

    def __init__(
        self, bank: QuestionBank, domain_map: dict[str, str] | None, default: str | None = None
    ) -> None:
        self.domains = list(ExamDomain.objects.filter(path_id=bank.path_id).select_related("path"))
        self.code = self.domains[0].path.code if self.domains else bank.path.code
        self.by_name = {_key(domain.name): domain for domain in self.domains}
        self.map = {_key(key): value for key, value in (domain_map or {}).items()}
        unknown = sorted({value for value in self.map.values() if _key(value) not in self.by_name})
        if unknown:
            raise DomainMapInvalid(
                f"the domain map names {', '.join(map(repr, unknown))}, not a domain of {self.code} "
                f"(its domains: {self.names()})"
            )
        self.default: ExamDomain | None = None
        if default is not None and default.strip():
            self.default = self.by_name.get(_key(default))
            if self.default is None:
                raise UnknownDomain(
                    f"the default domain {default.strip()!r} is not a domain of {self.code} "
                    f"(its domains: {self.names()})"
                )

    def names(self) -> str:
        return "; ".join(domain.name for domain in self.domains) or "none"

    def find(self, category: str) -> ExamDomain | None:
        leaf = category_leaf(category)
        for key in (category, "/".join(split_category_path(category)), leaf):
            if _key(key) in self.map:
                return self.by_name[_key(self.map[_key(key)])]
        return self.by_name.get(_key(leaf))

    def assign(
        self, questions: Iterable[ParsedQuestion]
    ) -> tuple[list[tuple[ParsedQuestion, ExamDomain]], list[Rejection]]:
        """Pair each question with its domain; reject unknown domains and repeated names."""
        items: list[tuple[ParsedQuestion, ExamDomain]] = []
        rejected: list[Rejection] = []
        seen: dict[str, int] = {}
        for pq in questions:
            uncategorised = is_root_category(pq.category)
            domain = self.default if uncategorised else self.find(pq.category)
            if pq.name in seen:
                reason = f"the name is used again (first on line {seen[pq.name]}); names identify questions"
                rejected.append(Rejection(pq.name, pq.line, reason))
            elif uncategorised and domain is None:
                reason = (
                    "no category: put a $CATEGORY (or a domain column) naming the exam domain before it, "
                    "or give a default domain"
                )
                rejected.append(Rejection(pq.name, pq.line, reason))
            elif domain is None:
                reason = (
                    f"unknown domain {category_leaf(pq.category)!r} (category {pq.category!r}): {self.code} "
                    f"has {self.names()}; name one, or map the category with a domain map"
                )
                rejected.append(Rejection(pq.name, pq.line, reason))
            else:
                items.append((pq, domain))
            seen.setdefault(pq.name, pq.line)
        return items, rejected


class _CaseStudies:
    """The file's case studies and those of the bank its questions name."""

    def __init__(self, bank: QuestionBank, parsed: Sequence[ParsedCaseStudy]) -> None:
        self.bank = bank
        self.parsed = {case.name: case for case in parsed}
        self.existing: dict[str, CaseStudy] = {}
        self.ids: dict[str, int] = {}

    def check(
        self, items: Sequence[tuple[ParsedQuestion, ExamDomain]]
    ) -> tuple[list[tuple[ParsedQuestion, ExamDomain]], list[Rejection]]:
        """Reject the questions naming a case study neither the file nor the bank has."""
        named = {pq.case for pq, _ in items if pq.case} | set(self.parsed)
        if named:
            self.existing = {
                case.name: case for case in CaseStudy.objects.filter(bank=self.bank, name__in=named)
            }
        known = set(self.parsed) | set(self.existing)
        kept: list[tuple[ParsedQuestion, ExamDomain]] = []
        rejected: list[Rejection] = []
        for pq, domain in items:
            if pq.case and pq.case not in known:
                reason = (
                    f"unknown case study {pq.case!r}: define it in the file (a description with "
                    f"[case:{pq.case}] in its comment) or in the bank first"
                )
                rejected.append(Rejection(pq.name, pq.line, reason))
            else:
                kept.append((pq, domain))
        return kept, rejected

    def write(self) -> list[Note]:
        """Create and update the file's case studies; revise the questions of changed scenarios."""
        notes: list[Note] = []
        new = [
            CaseStudy(bank=self.bank, name=case.name, title=case.title, scenario=case.scenario)
            for case in self.parsed.values()
            if case.name not in self.existing
        ]
        changed = []
        for case in self.parsed.values():
            current = self.existing.get(case.name)
            if current is not None and (current.title, current.scenario) != (case.title, case.scenario):
                current.title, current.scenario = case.title, case.scenario
                current.updated_at = timezone.now()
                changed.append(current)
        CaseStudy.objects.bulk_create(new)
        if changed:
            CaseStudy.objects.bulk_update(changed, [*CaseStudy.REVISION_FIELDS, "updated_at"])
            revise_case_study_questions(case.pk for case in changed)
            notes += [
                Note(
                    case.name,
                    self.parsed[case.name].line,
                    "case study changed: its questions get a new revision",
                )
                for case in changed
            ]
        notes += [Note(case.name, self.parsed[case.name].line, "new case study") for case in new]
        self.ids = {name: case.pk for name, case in self.existing.items()} | {
            case.name: case.pk for case in new
        }
        return notes


@dataclass
class _Plan:
    new: list[tuple[Question, ParsedQuestion]] = field(default_factory=list)
    changed: list[Question] = field(default_factory=list)
    unchanged: int = 0
    revised: int = 0
    choices_new: list[Choice] = field(default_factory=list)
    choices_changed: list[Choice] = field(default_factory=list)
    choices_gone: list[int] = field(default_factory=list)
    tags_new: list[tuple[Question, list[Tag]]] = field(default_factory=list)
    tags_changed: list[tuple[Question, list[Tag]]] = field(default_factory=list)


def _plan(
    bank: QuestionBank,
    items: Sequence[tuple[ParsedQuestion, ExamDomain]],
    progress: Progress | None,
    *,
    create_tags: bool,
    case_ids: dict[str, int] | None = None,
) -> _Plan:
    """Compare the file with the bank: what to create, update and leave alone (reads only, bar tags)."""
    names = [pq.name for pq, _ in items]
    existing = {
        question.name: question
        for start in range(0, len(names), CHUNK)
        for question in Question.objects.filter(bank=bank, name__in=names[start : start + CHUNK])
        .prefetch_related("choices", "tags")
        .order_by()
    }
    tags = _tags([tag for pq, _ in items for tag in pq.tags or ()], create=create_tags)
    plan = _Plan()
    now, total, step = timezone.now(), len(items), max(1, len(items) // 100)
    for done, (pq, domain) in enumerate(items, start=1):
        wanted_tags = None if pq.tags is None else [tags[tag.lower()] for tag in pq.tags]
        question = existing.get(pq.name)
        if question is None:
            question = Question(bank=bank, name=pq.name, **_values(pq, domain, new=True, case_ids=case_ids))
            plan.new.append((question, pq))
            plan.tags_new.append((question, wanted_tags or []))
        else:
            _compare(plan, question, pq, domain, wanted_tags, now, case_ids)
        if progress and (done % step == 0 or done == total):
            progress(done, total)
    return plan


def _values(
    pq: ParsedQuestion, domain: ExamDomain, *, new: bool, case_ids: dict[str, int] | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "domain_id": domain.pk,
        "qtype": pq.qtype,
        "choose": pq.choose,
        "stem": pq.stem,
        "explanation": pq.explanation,
    }
    if pq.case is not None:  # None: the file does not say (a CSV without the column)
        values["case_study_id"] = (case_ids or {})[pq.case] if pq.case else None
    stated = {"difficulty": pq.difficulty, "status": pq.status, "source_url": pq.source_url}
    defaults = {"difficulty": DEFAULT_DIFFICULTY, "status": DEFAULT_STATUS, "source_url": ""}
    for name, value in stated.items():
        if value is not None:
            values[name] = value
        elif new:
            values[name] = defaults[name]
    return values


def _compare(
    plan: _Plan,
    question: Question,
    pq: ParsedQuestion,
    domain: ExamDomain,
    wanted_tags: list[Tag] | None,
    now: Any,
    case_ids: dict[str, int] | None = None,
) -> None:
    values = _values(pq, domain, new=False, case_ids=case_ids)
    changed = [name for name, value in values.items() if getattr(question, name) != value]
    choice_fields, added_or_removed = _sync_choices(plan, question, list(question.choices.all()), pq)
    content = makes_new_revision(
        question_fields=[name.removesuffix("_id") for name in changed],
        choice_fields=choice_fields,
        choices_added_or_removed=added_or_removed,
        order_matters=pq.qtype == QuestionType.ORDERING,
    )
    meta = bool(set(changed) & set(META_FIELDS)) or bool(choice_fields) or added_or_removed
    if wanted_tags is not None:
        current = {tag.name.lower() for tag in question.tags.all()}
        if current != {tag.name.lower() for tag in wanted_tags}:
            meta = True
            plan.tags_changed.append((question, wanted_tags))
    if not (content or meta):
        plan.unchanged += 1
        return
    for name, value in values.items():
        setattr(question, name, value)
    if content:
        question.revision += 1
        plan.revised += 1
    question.updated_at = now
    plan.changed.append(question)


def _sync_choices(
    plan: _Plan, question: Question, old: list[Choice], pq: ParsedQuestion
) -> tuple[list[list[str]], bool]:
    """Plan the choice writes that make old equal the file's options.

    Return the changed fields of each changed choice, and whether choices were added or removed.
    An option keeps the choice with its text (moved options keep their ids); the others reuse the
    remaining choices in order, edited in place, so ids kept in attempt snapshots survive a
    reworded option.
    """
    # A matching distractor has no text: its answer tells it apart.
    by_text = {choice.text or "\0" + choice.match: choice for choice in old}
    kept = {
        option.text or "\0" + option.match: by_text[option.text or "\0" + option.match]
        for option in pq.options
        if (option.text or "\0" + option.match) in by_text
    }
    spare = [choice for choice in old if choice not in kept.values()]
    changed: list[list[str]] = []
    added = False
    for position, option in enumerate(pq.options, start=1):
        choice = kept.get(option.text or "\0" + option.match) or (spare.pop(0) if spare else None)
        if choice is None:
            plan.choices_new.append(_choice(question, position, option))
            added = True
            continue
        values = (position, option.text, option.is_correct, option.rationale, option.match)
        wanted = dict(zip(_CHOICE_FIELDS, values, strict=True))
        fields = [name for name, value in wanted.items() if getattr(choice, name) != value]
        if fields:
            for name in fields:
                setattr(choice, name, wanted[name])
            plan.choices_changed.append(choice)
            changed.append(fields)
    plan.choices_gone.extend(choice.pk for choice in spare)
    return changed, added or bool(spare)


def _choice(question: Question, position: int, option: ParsedOption) -> Choice:
    return Choice(
        question=question,
        position=position,
        text=option.text,
        is_correct=option.is_correct,
        rationale=option.rationale,
        match=option.match,
    )


def _tags(names: Sequence[str], *, create: bool) -> dict[str, Tag]:
    """Return the tags named (ignoring case) by lower-case name, creating missing ones if create."""
    wanted = {name.lower(): name for name in reversed(names)}
    if not wanted:
        return {}
    matching = Tag.objects.alias(key=Lower("name")).filter(key__in=wanted)
    found: dict[str, Tag] = {tag.name.lower(): tag for tag in matching}
    missing = [Tag(name=name) for key, name in wanted.items() if key not in found]
    if missing and create:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        created = Tag.objects.filter(name__in=[tag.name for tag in missing])
        found.update({tag.name.lower(): tag for tag in created})
    else:
        found.update({tag.name.lower(): tag for tag in missing})
    return found


def _write(plan: _Plan) -> None:
    """Write the plan with bulk statements of at most CHUNK rows each."""
    Question.objects.bulk_create([question for question, _ in plan.new], batch_size=CHUNK)
    for question, pq in plan.new:
        plan.choices_new.extend(_choice(question, n, option) for n, option in enumerate(pq.options, start=1))
    if plan.changed:
        fields = [*Question.REVISION_FIELDS, *META_FIELDS, "revision", "updated_at"]
        Question.objects.bulk_update(plan.changed, fields, batch_size=CHUNK)
    for start in range(0, len(plan.choices_gone), CHUNK):
        Choice.objects.filter(pk__in=plan.choices_gone[start : start + CHUNK]).delete()
    if plan.choices_changed:
        Choice.objects.bulk_update(plan.choices_changed, list(_CHOICE_FIELDS), batch_size=CHUNK)
    if plan.choices_new:
        Choice.objects.bulk_create(plan.choices_new, batch_size=CHUNK)
    links = Question.tags.through
    retagged = [question.pk for question, _ in plan.tags_changed]
    for start in range(0, len(retagged), CHUNK):
        links.objects.filter(question_id__in=retagged[start : start + CHUNK]).delete()
    rows = [
        links(question_id=question.pk, tag_id=tag.pk)
        for question, tags in [*plan.tags_new, *plan.tags_changed]
        for tag in tags
    ]
    if rows:
        links.objects.bulk_create(rows, batch_size=CHUNK)
    # What attempts will freeze, rendered once per revision, now rather than at a draw.
    revised = [q.pk for q in [*(q for q, _ in plan.new), *plan.changed] if q.rendered_revision != q.revision]
    for start in range(0, len(revised), CHUNK):
        Question.objects.filter(pk__in=revised[start : start + CHUNK]).render()


# --- Imports in the background: QuestionImport, run by the quizzes.run_question_import task ----------

REPORT_LISTED = 100  # items of each kind a stored report keeps; it counts all of them
PROGRESS_TTL = 3600


def runs_in_background(*, size: int, text: str, fmt: str) -> bool:
    """Return whether an upload of size bytes is imported by a task instead of in the request.

    Above IMPORT_INLINE_MAX_BYTES it is, unread; below, when it holds more than
    IMPORT_INLINE_MAX_ITEMS items (parsing a file of that size takes well under a second).
    """
    if size > settings.IMPORT_INLINE_MAX_BYTES:
        return True
    parsed = parse_questions(text=text, fmt=fmt)
    items = len(parsed.questions) + len(parsed.rejected) + len(parsed.unsupported)
    return items > settings.IMPORT_INLINE_MAX_ITEMS


def check_domain_map(
    *, bank: QuestionBank, domain_map: dict[str, str] | None, default_domain: str | None = None
) -> None:
    """Raise DomainMapInvalid (or UnknownDomain) now if the map (or the default) names a domain the
    bank's path does not have."""
    _Domains(bank, domain_map, default_domain)


def create_import_job(
    *,
    bank: QuestionBank,
    requested_by: Any,
    filename: str,
    text: str,
    fmt: str,
    domain_map: dict[str, str] | None = None,
    default_domain: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> QuestionImport:
    """Store an upload as a queued import (the caller queues tasks.run_question_import after commit)."""
    return QuestionImport.objects.create(
        bank=bank,
        requested_by=requested_by,
        filename=filename[:255],
        fmt=fmt,
        size=len(text.encode()),
        text=text,
        domain_map=domain_map,
        default_domain=default_domain or "",
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )


def _progress_key(job_id: int) -> str:
    return f"quizzes:question-import:{job_id}:progress"


def job_progress(job: QuestionImport) -> tuple[int, int]:
    """Return (checked, total) questions of a job.

    A running import reports into the shared cache, because its own writes stay invisible until
    its one transaction commits; a finished job keeps its figures in its row.
    """
    if job.is_finished:
        return job.done, job.total
    done, total = cache.get(_progress_key(job.pk)) or (0, 0)
    return done, total


def run_import_job(*, job_id: int) -> QuestionImport | None:
    """Import a stored upload and record the outcome; return the job, or None if it had ended.

    Safe to run twice: a finished job is left alone, and a job whose worker died mid-way is
    imported again from the start (the import is one transaction, so nothing half-done remains).
    """
    started = timezone.now()
    unfinished = [ImportStatus.QUEUED, ImportStatus.RUNNING]
    claimed = QuestionImport.objects.filter(pk=job_id, status__in=unfinished).update(
        status=ImportStatus.RUNNING, started_at=started
    )
    if not claimed:
        return None
    job = QuestionImport.objects.select_related("bank__path").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        cache.set(_progress_key(job_id), (done, total), PROGRESS_TTL)

    report: ImportReport | None = None
    try:
        report = import_questions(
            bank=job.bank,
            text=job.text,
            fmt=job.fmt,
            domain_map=job.domain_map,
            default_domain=job.default_domain or None,
            dry_run=job.dry_run,
            skip_invalid=job.skip_invalid,
            progress=progress,
        )
    except ImportRejected as error:
        report, job.status, job.message = error.report, ImportStatus.REJECTED, str(error)
    except (DomainMapInvalid, UnknownDomain) as error:
        job.status, job.message = ImportStatus.FAILED, str(error)
    else:
        job.status, job.message = ImportStatus.DONE, str(report)
    if report is not None:
        job.total = job.done = (
            report.imported
            + report.updated
            + report.unchanged
            + len(report.rejected)
            + len(report.unsupported)
        )
    job.report = summarize(report) if report else {}
    job.text, job.finished_at = "", timezone.now()
    job.save(update_fields=["status", "message", "total", "done", "report", "text", "finished_at"])
    cache.delete(_progress_key(job_id))
    return job


def mark_import_failed(*, job_id: int, error: str) -> None:
    """Record that a job could not run (out of retries, or never queued); drop its upload."""
    QuestionImport.objects.filter(pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]).update(
        status=ImportStatus.FAILED, message=error[:2000], text="", finished_at=timezone.now()
    )


def summarize(report: ImportReport, *, listed: int = REPORT_LISTED) -> dict[str, Any]:
    """Return the report as stored: the first `listed` items of each kind, their totals, and the
    rejections counted by reason (the reason with its names and numbers left out)."""
    data = report.as_dict()
    for key, items in (
        ("rejected", report.rejected),
        ("skipped_unsupported", report.unsupported),
        ("notes", report.notes),
    ):
        data[key] = data[key][:listed]
        data[f"{key}_total"] = len(items)
    counts = Counter(reason_kind(item.reason) for item in report.rejected)
    data["rejected_by_reason"] = [{"reason": reason, "count": n} for reason, n in counts.most_common()]
    return data


def reason_kind(reason: str) -> str:
    """Return the kind of a rejection reason: its first clause, with quoted names and numbers elided."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", reason)
    text = re.sub(r"\d+", "N", text)
    return re.split(r": |; ", text, maxsplit=1)[0]
