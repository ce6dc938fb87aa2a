"""The admin as an instructor and as a student meet it."""

from __future__ import annotations

import pytest
from django.test import Client

from courses.catalog_file import read_catalog
from courses.services import load_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog() -> None:
    load_catalog(records=read_catalog())


def test_instructor_can_open_the_admin_and_read_the_catalog(client: Client, instructor, catalog: None):
    client.force_login(instructor)

    index = client.get("/admin/")
    listing = client.get("/admin/courses/certificationpath/")

    assert index.status_code == 200
    assert "Certification paths" in index.content.decode()
    assert listing.status_code == 200
    assert "CLF-C02" in listing.content.decode()


def test_instructor_cannot_change_the_catalog(client: Client, instructor, catalog: None):
    client.force_login(instructor)

    assert client.get("/admin/courses/certificationpath/add/").status_code == 403


def test_staff_can_edit_the_catalog(client: Client, staff, catalog: None):
    client.force_login(staff)

    assert client.get("/admin/courses/certificationpath/add/").status_code == 200


def test_student_is_sent_to_the_admin_log_in(client: Client, student):
    client.force_login(student)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
