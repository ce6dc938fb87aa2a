"""Realistic volumes for benchmarks: students, a bank, and many submitted attempts, in bulk.

Everything is inserted set-wise on PostgreSQL (one INSERT ... SELECT per chunk of attempts makes
the attempts, their frozen items and their answers), then graded by the real grader
(grading.grade_attempts) in batches: with jobs > 1, by a second thread on its own connection while
the next chunks are inserted, as a Celery worker grades submits as they arrive. Answers follow a
two-parameter logistic model: each student has an ability, each question a difficulty and a
discrimination, and a few questions are written to discriminate the wrong way round, so item
analysis has something to find.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from courses.models import CertificationPath, Enrollment

from .. import grading, selectors
from ..models import (
    Answer,
    Attempt,
    AttemptState,
    Choice,
    Exam,
    ExamKind,
    Question,
    QuestionBank,
    QuestionStatus,
    QuestionType,
)

Progress = Callable[[str, int, int], None]  # (phase, done, total)

# A "dubious" question in every this many: students who know less pick its key more often.
REVERSED_EVERY = 40


@dataclass(frozen=True)
class LoadData:
    exam_id: int
    bank_id: int
    students: int
    attempts: int
    graded: int


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


def _bank(
    path: CertificationPath, *, questions: int, plan: dict[int, int], rng: random.Random
) -> QuestionBank:
    """Create (or reuse) the load bank: per domain at least twice what one exam draws from it."""
    bank, created = QuestionBank.objects.get_or_create(
        slug=f"load-{path.code.lower()}", defaults={"path": path, "name": f"{path.code} load-test bank"}
    )
    if not created:
        return bank
    drawn = sum(plan.values())
    made: list[Question] = []
    for domain in path.domains.filter(pk__in=plan):
        per_domain = max(2 * plan[domain.pk], math.ceil(questions * plan[domain.pk] / drawn))
        for n in range(per_domain):
            multiple = n % 6 == 5
            made.append(
                Question(
                    bank=bank,
                    name=f"load-d{domain.position}-{n:04d}",
                    domain=domain,
                    qtype=QuestionType.MULTIPLE if multiple else QuestionType.SINGLE,
                    choose=2 if multiple else 1,
                    difficulty=rng.choice(["easy", "medium", "hard"]),
                    status=QuestionStatus.ACTIVE,
                    stem=f"Load question {n} of domain {domain.position}: which option fits best?",
                    explanation="The keyed option is the one the scenario calls for.",
                )
            )
    Question.objects.bulk_create(made, batch_size=1000)
    choices: list[Choice] = []
    for question in made:
        options = 5 if question.choose == 2 else 4
        choices.extend(
            Choice(
                question=question,
                position=i,
                text=f"Option {chr(65 + i)}",
                is_correct=i < question.choose,
                rationale=f"Option {chr(65 + i)} {'fits' if i < question.choose else 'does not fit'}.",
            )
            for i in range(options)
        )
    Choice.objects.bulk_create(choices, batch_size=2000)
    Question.objects.filter(pk__in=[q.pk for q in made]).render()
    return bank


def _students(count: int) -> list[int]:
    """Create (or reuse) students load-000000 ... and return their ids in that order."""
    user_model = get_user_model()
    names = [f"load-{n:06d}" for n in range(count)]
    unusable = make_password(None)
    user_model.objects.bulk_create(
        [user_model(username=name, password=unusable) for name in names],
        batch_size=2000,
        ignore_conflicts=True,
    )
    ids = dict(user_model.objects.filter(username__in=names).values_list("username", "id"))
    return [ids[name] for name in names]


# Each question frozen in a few option orders, with placeholder ids ("@@" and the option's index):
# an item's snapshot is one of them with "@@" replaced by its attempt's prefix, so every item costs
# one replace() and one jsonb parse, not a shuffle.
VARIANTS = 8

# Filled once per run (not per chunk), dropped at its end.
_VARIANTS_TABLE_SQL = """
CREATE TEMPORARY TABLE load_variant (
    question_id bigint, variant int, domain_id bigint, revision int, snapshot text, key_ids text,
    wrong_ids text[], difficulty float8, slope float8, PRIMARY KEY (question_id, variant)
)
"""

_FILL_VARIANTS_SQL = """
INSERT INTO load_variant
SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(
    question_id bigint, variant int, domain_id bigint, revision int, snapshot text, key_ids text,
    wrong_ids text[], difficulty float8, slope float8)
"""

# One statement per chunk: the attempts (submitted, spread over the last 90 days), a blueprint-true
# draw for each (random questions per domain, random order), each item's snapshot, and the answers
# (a few items left unanswered), each with a time on item.
_CHUNK_SQL = """
WITH new_attempts AS (
    INSERT INTO quizzes_attempt (exam_id, student_id, seed, state, started_at, deadline, item_count,
                                 submitted_at, finished_at, submitted_by, grading_tries, grading_error)
    SELECT %(exam)s, s.student_id, s.seed, 'submitted', s.started,
           s.started + %(minutes)s * interval '1 minute', %(items)s,
           s.started + s.took, s.started + s.took, 'student', 0, ''
    FROM (
        SELECT student_id, (random() * 4e18)::bigint AS seed,
               now() - random() * interval '90 days' AS started,
               (0.3 + 0.7 * random()) * %(minutes)s * interval '1 minute' AS took
        FROM unnest(%(students)s::bigint[]) AS student_id
    ) AS s
    RETURNING id, seed, started_at, finished_at,
              lpad(to_hex(seed %% 17592186044416), 11, '0') AS prefix,
              (('x' || substr(md5(student_id::text), 1, 7))::bit(28)::int %% 4001) / 1000.0 - 2.0 AS theta
), drawn AS (
    SELECT a.id AS attempt_id, q.question_id, q.domain_id,
           row_number() OVER (PARTITION BY a.id, q.domain_id ORDER BY random()) AS n
    FROM new_attempts AS a CROSS JOIN load_variant AS q
    WHERE q.variant = 0
), chosen AS (
    SELECT d.attempt_id, d.question_id, d.domain_id,
           row_number() OVER (PARTITION BY d.attempt_id ORDER BY random()) AS position
    FROM drawn AS d JOIN jsonb_each_text(%(plan)s::jsonb) AS p ON p.key::bigint = d.domain_id
    WHERE d.n <= p.value::int
), new_items AS (
    INSERT INTO quizzes_attemptitem (attempt_id, position, question_id, question_revision, domain_id,
                                     snapshot, flagged, checked)
    SELECT c.attempt_id, c.position, c.question_id, v.revision, c.domain_id,
           replace(v.snapshot, '@@', a.prefix)::jsonb, false, false
    FROM chosen AS c
    JOIN new_attempts AS a ON a.id = c.attempt_id
    JOIN load_variant AS v ON v.question_id = c.question_id AND v.variant = a.seed %% %(variants)s
    RETURNING id, attempt_id, position, question_id, random() AS r, random() AS r2, random() AS skip
)
INSERT INTO quizzes_answer (item_id, selected, client_seq, saved_at, time_ms)
SELECT i.id,
       CASE
           WHEN i.r < 1 / (1 + exp(-v.slope * (a.theta - v.difficulty)))
               THEN replace(v.key_ids, '@@', a.prefix)::jsonb
           WHEN v.key_ids LIKE '%%,%%' THEN jsonb_build_array(
               replace((v.key_ids::jsonb) ->> 0, '@@', a.prefix), replace(v.wrong_ids[1], '@@', a.prefix))
           ELSE jsonb_build_array(replace(
               v.wrong_ids[1 + floor(i.r2 * array_length(v.wrong_ids, 1))::int], '@@', a.prefix))
       END,
       1,
       a.started_at + (a.finished_at - a.started_at) * i.position / %(items)s,
       -- log-normal time on item, about 40 s at the median: longer for harder questions and for
       -- students who know less (a standard normal draw by Box-Muller), at most a save's bound
       LEAST(%(save_time_max)s, round(exp(10.6 + 0.3 * v.difficulty - 0.15 * a.theta
             + 0.45 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))))::int
FROM new_items AS i
JOIN new_attempts AS a ON a.id = i.attempt_id
JOIN load_variant AS v ON v.question_id = i.question_id AND v.variant = a.seed %% %(variants)s
WHERE i.skip > %(unanswered)s
"""


def _variants(bank: QuestionBank, rng: random.Random) -> list[dict[str, object]]:
    """Return VARIANTS shuffles of each of the bank's questions, with the answer model's parameters."""
    rows: list[dict[str, object]] = []
    questions = Question.objects.filter(bank=bank, status=QuestionStatus.ACTIVE).order_by("pk")
    for n, (pk, domain_id, revision, rendered) in enumerate(
        questions.values_list("pk", "domain_id", "revision", "rendered")
    ):
        difficulty = rng.uniform(-2.0, 1.5)
        slope = -1.2 if n % REVERSED_EVERY == REVERSED_EVERY - 1 else rng.uniform(0.8, 2.0)
        for variant in range(VARIANTS):
            options = [{**o, "id": f"@@{i:05x}"} for i, o in enumerate(rendered["options"])]
            if rendered["qtype"] != QuestionType.TRUE_FALSE:
                rng.shuffle(options)
            rows.append(
                {
                    "question_id": pk,
                    "variant": variant,
                    "domain_id": domain_id,
                    "revision": revision,
                    "snapshot": json.dumps({**rendered, "options": options}),
                    "key_ids": json.dumps([o["id"] for o in options if o["is_correct"]]),
                    "wrong_ids": [o["id"] for o in options if not o["is_correct"]],
                    "difficulty": difficulty,
                    "slope": slope,
                }
            )
    return rows


class _Grader(threading.Thread):
    """Grade submitted attempts in batches on this thread's own connection until told to stop.

    Stops once `inserted` is set and a batch started after that found nothing left to grade.
    """

    def __init__(self, *, batch: int, inserted: threading.Event, graded: Callable[[int], None]) -> None:
        super().__init__(name="load-data-grader", daemon=True)
        self.batch, self.inserted, self.graded = batch, inserted, graded
        self.error: BaseException | None = None
        self.abandon = threading.Event()  # inserting failed: stop after the batch in hand

    def run(self) -> None:
        try:
            while not self.abandon.is_set():
                last = self.inserted.is_set()
                done = grading.grade_attempts(also_waiting=self.batch)
                if done:
                    grading.queue_waiting_reviews(limit=len(done))  # as the worker's next task does
                    self.graded(len(done))
                elif last:
                    return
                else:
                    time.sleep(0.2)
        except BaseException as error:  # handed to the caller, which raises it
            self.error = error
        finally:
            connection.close()


def generate_load_data(
    *,
    path: CertificationPath,
    students: int,
    attempts: int,
    items: int = 65,
    questions: int = 400,
    chunk: int = 500,
    grade: bool = True,
    grade_batch: int = 500,
    jobs: int = 1,
    unanswered: float = 0.02,
    seed: int = 2026,
    progress: Progress = _no_progress,
) -> LoadData:
    """Create students, a bank and an exam on path, then attempts: submitted, and graded if grade.

    PostgreSQL only. Re-running adds attempts; students, bank and exam are reused by name. With
    jobs > 1 the attempts are graded while the next chunks are inserted, on a second connection;
    inside a caller's transaction (which that connection could not see) they are graded after.
    """
    if connection.vendor != "postgresql":
        raise ValueError("generating load data needs PostgreSQL (set DB_HOSTS)")
    if students < 1 or attempts < 0 or items < 1 or jobs < 1:
        raise ValueError("students, items and jobs must be at least 1, attempts at least 0")
    rng = random.Random(seed)  # noqa: S311 (test data, not a secret)
    exam, _ = Exam.objects.get_or_create(
        path=path,
        title=f"Load-test exam ({items} items)",
        defaults={
            "kind": ExamKind.FULL,
            "item_count": items,
            "minutes": path.minutes or 130,
            "pass_percent": 72,
        },
    )
    plan = selectors.blueprint_for(exam)
    bank = _bank(path, questions=questions, plan=plan, rng=rng)
    student_ids = _students(students)
    Enrollment.objects.bulk_create(
        [Enrollment(student_id=pk, path=path) for pk in student_ids], batch_size=2000, ignore_conflicts=True
    )
    progress("students", students, students)
    lock = threading.Lock()
    graded = 0
    # What grading will take: these attempts, and any left submitted by an earlier run.
    to_grade = attempts + (Attempt.objects.filter(state=AttemptState.SUBMITTED).count() if grade else 0)

    def count_graded(n: int) -> None:
        nonlocal graded
        with lock:
            graded += n
            progress("graded", graded, max(to_grade, graded))

    inserted = threading.Event()
    grader = None
    if grade and jobs > 1 and not connection.in_atomic_block:
        grader = _Grader(batch=grade_batch, inserted=inserted, graded=count_graded)
        grader.start()
    try:
        made = _insert_attempts(
            exam=exam,
            plan=plan,
            takers=student_ids,
            attempts=attempts,
            items=items,
            chunk=chunk,
            unanswered=unanswered,
            variants=_variants(bank, rng),
            progress=lambda done: _locked(lock, progress, "attempts", done, attempts),
        )
    except BaseException:
        if grader is not None:
            grader.abandon.set()
        raise
    finally:
        inserted.set()
        if grader is not None:
            grader.join()
    if grader is not None and grader.error is not None:
        raise grader.error
    if grade and grader is None:
        while batch := grading.grade_attempts(also_waiting=grade_batch):
            grading.queue_waiting_reviews(limit=len(batch))
            count_graded(len(batch))
    with connection.cursor() as cursor:
        for table in ("quizzes_attempt", "quizzes_attemptitem", "quizzes_answer", "quizzes_domainresult"):
            cursor.execute(f"ANALYZE {table}")
    return LoadData(exam_id=exam.pk, bank_id=bank.pk, students=students, attempts=made, graded=graded)


def _locked(lock: threading.Lock, progress: Progress, phase: str, done: int, total: int) -> None:
    with lock:
        progress(phase, done, total)


def _insert_attempts(
    *,
    exam: Exam,
    plan: dict[int, int],
    takers: list[int],
    attempts: int,
    items: int,
    chunk: int,
    unanswered: float,
    variants: list[dict[str, object]],
    progress: Callable[[int], None],
) -> int:
    """Insert `attempts` submitted attempts of exam, one statement per chunk; return how many."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.load_variant")  # a run stopped half-way
        cursor.execute(_VARIANTS_TABLE_SQL)
        cursor.execute(_FILL_VARIANTS_SQL, {"rows": json.dumps(variants)})
        cursor.execute("ANALYZE pg_temp.load_variant")
    made = 0
    try:
        while made < attempts:
            size = min(chunk, attempts - made)
            with transaction.atomic(), connection.cursor() as cursor:
                # The draw sorts some 400 rows per attempt: in memory, not in temporary files.
                cursor.execute("SET LOCAL work_mem = '64MB'")
                cursor.execute(
                    _CHUNK_SQL,
                    {
                        "exam": exam.pk,
                        "minutes": exam.minutes or 130,
                        "items": items,
                        "students": [takers[(made + k) % len(takers)] for k in range(size)],
                        "plan": json.dumps({str(k): v for k, v in plan.items()}),
                        "variants": VARIANTS,
                        "unanswered": unanswered,
                        "save_time_max": Answer.SAVE_TIME_MAX_MS,
                    },
                )
            made += size
            progress(made)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS pg_temp.load_variant")
    return made
