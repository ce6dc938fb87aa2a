"""xAPI 1.0.3 statements of a graded attempt (pure: plain values in, JSON-ready dicts out).

Per graded attempt: one `answered` statement per item (the question as a cmi.interaction, its
success and response), one `completed` (the exam as an assessment, with the score, success,
completion and duration) and one `passed` or `failed`. Ids are UUID 5 of the attempt and the
statement's role, so the same statement always has the same id and a learning record store
that receives it twice keeps one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

XAPI_VERSION = "1.0.3"
VERBS = {
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
}
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
# The cmi.interaction type of each of our item types that is not a choice.
INTERACTION_TYPES = {"ordering": "sequencing", "matching": "matching"}
_NAMESPACE = uuid.UUID("6f6b3c1e-6f0f-4d5e-9a51-2b7d3c0e8a11")  # ours: seeds every statement id


@dataclass(frozen=True)
class ItemRecord:
    position: int
    question_id: int
    stem_text: str
    selected: Sequence[str]
    score: float
    qtype: str = "single"
    placements: Sequence[tuple[str, str]] = ()  # (option id, target id) of ordering and matching


def response_of(item: ItemRecord) -> str:
    """The item's response in xAPI's syntax: a sequence of ids, source[.]target pairs, or choices."""
    if item.qtype == "ordering":
        return "[,]".join(option for option, _ in sorted(item.placements, key=lambda p: int(p[1])))
    if item.qtype == "matching":
        return "[,]".join(f"{option}[.]{target}" for option, target in item.placements)
    return "[,]".join(item.selected)


@dataclass(frozen=True)
class AttemptRecord:
    attempt_id: int
    student_id: int
    student_name: str
    exam_id: int
    exam_title: str
    started_at: dt.datetime
    finished_at: dt.datetime
    raw_score: float
    max_score: float
    passed: bool
    items: Sequence[ItemRecord]


def iso_duration(seconds: float) -> str:
    """Return a duration in ISO 8601 (PT1H2M3S; PT0S for none)."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return "PT" + parts + (f"{secs}S" if secs or not parts else "")


def statement_id(attempt_id: int, role: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"attempt:{attempt_id}:{role}"))


def _verb(name: str) -> dict[str, Any]:
    return {"id": VERBS[name], "display": {"en-US": name}}


def statements_for(record: AttemptRecord, *, base_url: str) -> list[dict[str, Any]]:
    """Return the attempt's statements: answered per item, then completed, then passed or failed."""
    actor = {
        "objectType": "Agent",
        "name": record.student_name,
        "account": {"homePage": base_url, "name": str(record.student_id)},
    }
    exam = {
        "objectType": "Activity",
        "id": f"{base_url}/exams/{record.exam_id}/",
        "definition": {"name": {"en-US": record.exam_title}, "type": ASSESSMENT},
    }
    registration = statement_id(record.attempt_id, "registration")
    timestamp = record.finished_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    base = {"actor": actor, "timestamp": timestamp, "version": XAPI_VERSION}
    statements = []
    for item in record.items:
        statements.append(
            {
                **base,
                "id": statement_id(record.attempt_id, f"item:{item.position}"),
                "verb": _verb("answered"),
                "object": {
                    "objectType": "Activity",
                    "id": f"{base_url}/questions/{item.question_id}",
                    "definition": {
                        "description": {"en-US": item.stem_text[:500]},
                        "type": INTERACTION,
                        "interactionType": INTERACTION_TYPES.get(item.qtype, "choice"),
                    },
                },
                "result": {
                    "success": item.score >= 1.0,
                    "response": response_of(item),
                    "score": {"scaled": round(item.score, 4), "raw": item.score, "min": 0, "max": 1},
                },
                "context": {
                    "registration": registration,
                    "contextActivities": {"parent": [{"objectType": "Activity", "id": exam["id"]}]},
                },
            }
        )
    result = {
        "score": {
            "scaled": round(record.raw_score / record.max_score, 4) if record.max_score else 0.0,
            "raw": record.raw_score,
            "min": 0,
            "max": record.max_score,
        },
        "success": record.passed,
        "completion": True,
        "duration": iso_duration((record.finished_at - record.started_at).total_seconds()),
    }
    context = {"registration": registration}
    outcome = "passed" if record.passed else "failed"
    for role in ("completed", outcome):
        statements.append(
            {
                **base,
                "id": statement_id(record.attempt_id, role),
                "verb": _verb(role),
                "object": exam,
                "result": result,
                "context": context,
            }
        )
    return statements
