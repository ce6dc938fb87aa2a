"""PlainSerializer: the same output as DRF's generic path, for every kind of field and value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone
from rest_framework import serializers

from core.api.serializers import PlainSerializer
from quizzes.api.serializers.progress import CohortRowSerializer
from quizzes.readiness import DomainMastery, Readiness
from quizzes.selectors.progress import AttemptStats, CohortRow, CourseProgress

UTC_MOMENT = dt.datetime(2026, 12, 3, 17, 5, 9, 123456, tzinfo=dt.UTC)
PARIS_MOMENT = dt.datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))


def drf_data(serializer: serializers.BaseSerializer) -> Any:
    """The serializer's data as DRF's own Serializer.to_representation makes it, at every level."""
    with mock.patch.object(PlainSerializer, "to_representation", serializers.Serializer.to_representation):
        return serializer.data


def cohort_row(**changes: Any) -> CohortRow:
    values: dict[str, Any] = {
        "student_id": 7,
        "username": "+ada",
        "enrolled_at": UTC_MOMENT,
        "changed_at": PARIS_MOMENT,
        "lessons": CourseProgress("saa", "SAA course", 12, 3, 25.0, None),
        "attempts": AttemptStats(count=3, graded=2, best_score_percent=81, last_graded_at=UTC_MOMENT),
        "domains": [
            DomainMastery(5, "Design Secure Architectures", 1, 30.0, 19.0, 38, 50.0),
            DomainMastery(6, "Design Resilient Architectures", 2, None, 0, 0, None),
        ],
        "readiness": Readiness(None, False, None, 0, 5, 0.0),
    }
    return CohortRow(**{**values, **changes})


def test_cohort_rows_come_out_as_drf_makes_them():
    rows = [cohort_row(), cohort_row(student_id=8, domains=[], changed_at=UTC_MOMENT)]

    fast = CohortRowSerializer(rows, many=True).data

    assert fast == drf_data(CohortRowSerializer(rows, many=True))
    assert fast[0]["enrolled_at"] == "2026-12-03T17:05:09.123456Z"
    assert fast[0]["changed_at"] == "2026-07-01T07:30:00Z"  # in the current time zone (UTC)
    assert fast[0]["attempts"]["best_score_percent"] == 81.0
    assert isinstance(fast[0]["attempts"]["best_score_percent"], float)


def test_datetimes_follow_the_active_time_zone_as_drf_does():
    rows = [cohort_row()]

    with timezone.override(ZoneInfo("America/New_York")):
        fast = CohortRowSerializer(rows, many=True).data
        slow = drf_data(CohortRowSerializer(rows, many=True))

    assert fast == slow
    assert fast[0]["enrolled_at"] == "2026-12-03T12:05:09.123456-05:00"


@dataclass
class Thing:
    name: str
    size: Any
    done: Any
    when: Any
    owner: Any = None

    def label(self) -> str:
        return f"thing {self.name}"


class ThingSerializer(PlainSerializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    done = serializers.BooleanField()
    when = serializers.DateTimeField(allow_null=True)
    title = serializers.CharField(source="label")  # a method: called, as DRF calls simple callables
    owner_name = serializers.CharField(source="owner.name", allow_null=True)  # two steps: DRF's path
    missing = serializers.CharField(allow_null=True)  # not an attribute: DRF's rules answer
    fallback = serializers.IntegerField(default=5)
    shout = serializers.SerializerMethodField()
    day = serializers.DateTimeField(format="%Y-%m-%d")

    def get_shout(self, obj: Any) -> str:
        return (obj["name"] if isinstance(obj, dict) else obj.name).upper()


def test_every_kind_of_field_and_value_comes_out_as_drf_makes_it():
    things: list[Any] = [
        Thing("a", 3, True, UTC_MOMENT, owner=Thing("b", 1, False, None)),
        Thing("c", "4", "false", None),
        Thing("d", 2.0, 0, dt.datetime(2026, 1, 2, 3, 4, 5)),  # noqa: DTZ001  naive: DRF makes it aware
        {
            "name": "e",
            "size": 1,
            "done": None,
            "when": PARIS_MOMENT,
            "label": "e",
            "owner": None,
            "day": None,
        },
    ]
    for thing in things[:3]:
        thing.day = UTC_MOMENT

    fast = ThingSerializer(things[:3], many=True).data

    assert fast == drf_data(ThingSerializer(things[:3], many=True))
    assert fast[0]["title"] == "thing a"
    assert fast[0]["owner_name"] == "b"
    assert fast[0]["missing"] is None
    assert fast[0]["fallback"] == 5
    assert fast[0]["shout"] == "A"
    assert fast[0]["day"] == "2026-12-03"
    assert fast[1]["size"] == 4
    assert fast[1]["done"] is False
    assert fast[2]["when"] == "2026-01-02T03:04:05Z"
    mapping = ThingSerializer(things[3], context={}).data
    assert mapping == drf_data(ThingSerializer(things[3], context={}))


def test_a_serializer_of_plain_values_does_not_build_its_fields_again_for_each_response():
    first = CohortRowSerializer([cohort_row()], many=True).data  # the first response of the process

    again = CohortRowSerializer([cohort_row()], many=True)
    data = again.data

    assert data == first
    assert data[0]["student"] == {"id": 7, "username": "+ada"}
    assert "fields" not in again.child.__dict__  # DRF's copy of the declared fields, per instance


class GreetingSerializer(PlainSerializer):
    name = serializers.CharField()
    greeting = serializers.SerializerMethodField()

    def get_greeting(self, obj: Any) -> str:
        return f"{self.context['salutation']}, {obj['name']}"


def test_a_field_that_reads_the_context_reads_each_serializers_own():
    first = GreetingSerializer({"name": "Ada"}, context={"salutation": "Hello"}).data
    second = GreetingSerializer({"name": "Ada"}, context={"salutation": "Good evening"}).data

    assert (first["greeting"], second["greeting"]) == ("Hello, Ada", "Good evening, Ada")
