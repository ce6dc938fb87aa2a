"""The broker-worker-database round trip that grading builds on."""

from __future__ import annotations

import pytest
from django_celery_results.models import TaskResult

from lms.celery import ping


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_runs_on_the_real_worker_and_its_result_is_stored_in_the_database(celery_worker):
    result = ping.delay()

    assert result.get(timeout=30) == "pong"
    stored = TaskResult.objects.get(task_id=result.id)
    assert stored.status == "SUCCESS"
    assert stored.task_name == "lms.ping"
