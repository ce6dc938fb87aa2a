"""Seed a drill database: the catalog, a small bank, an untimed exam and N students mid-attempt.

Run by the drills in a subprocess, with the stack's environment and DB_NAME set to their scratch
database: `python -m bench.seed --students 20 --items 10`. Prints one JSON document: for each
student the session cookie, the attempt id and every item's position with its option ids.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def seed(*, students: int, items: int, path_code: str = "SAA-C03") -> dict[str, object]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from courses.catalog_file import read_catalog
    from courses.models import CertificationPath
    from courses.services import load_catalog
    from quizzes import services
    from quizzes.models import Choice, Exam, Question, QuestionBank, QuestionStatus, QuestionType

    load_catalog(records=read_catalog())
    path = CertificationPath.objects.get(code=path_code)
    bank = QuestionBank.objects.create(path=path, name="Drill bank", slug="drill-bank")
    for domain in path.domains.all():
        for n in range(items):  # enough for any blueprint share of `items`
            question = Question.objects.create(
                bank=bank,
                name=f"d{domain.pk}-q{n}",
                domain=domain,
                qtype=QuestionType.SINGLE,
                choose=1,
                status=QuestionStatus.ACTIVE,
                stem=f"Drill question {n} of domain {domain.position}: which option is right?",
                explanation="Option A is right.",
            )
            Choice.objects.bulk_create(
                Choice(question=question, position=i, text=f"Option {chr(65 + i)}", is_correct=i == 0)
                for i in range(4)
            )
    Question.objects.filter(bank=bank).render()  # as an import or the admin leaves them
    # Untimed: no deadline can close an attempt in the middle of a drill.
    exam = Exam.objects.create(path=path, title="Drill exam", item_count=items, minutes=None, pass_percent=70)
    # An exam nobody has started yet, for benchmarks that start attempts (bench/hot_path.py).
    fresh = Exam.objects.create(
        path=path, title="Fresh exam", item_count=items, minutes=None, pass_percent=70
    )
    user_model = get_user_model()
    out = []
    for n in range(students):
        user = user_model.objects.create_user(username=f"drill-student-{n}", password=None)
        attempt = services.start_attempt(exam=exam, student=user, now=timezone.now())
        client = Client()
        client.force_login(user)
        out.append(
            {
                "username": user.username,
                "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "attempt": attempt.pk,
                "items": {str(item.position): item.option_ids for item in attempt.items.all()},
            }
        )
    return {
        "exam": exam.pk,
        "fresh_exam": fresh.pk,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "students": out,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--items", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.local")
    import django

    django.setup()
    json.dump(seed(students=args.students, items=args.items), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
