"""Sign-up, log-in and log-out pages, and the roles they give."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from core.roles import Role

pytestmark = pytest.mark.django_db


def test_sign_up_creates_a_signed_in_student(client: Client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": "an-unusual-pass-42",
            "password2": "an-unusual-pass-42",
        },
    )

    user = get_user_model().objects.get(username="ada")
    assert response.status_code == 302
    assert list(user.groups.values_list("name", flat=True)) == [Role.STUDENT.value]
    assert not user.is_staff
    assert "ada" in client.get("/").content.decode()


def test_sign_up_with_mismatched_passwords_shows_a_form_error_and_creates_nothing(client: Client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": "an-unusual-pass-42",
            "password2": "other-pass-42",
        },
    )

    assert response.status_code == 200
    assert "The two password fields didn\u2019t match." in response.content.decode()
    assert not get_user_model().objects.filter(username="ada").exists()


def test_log_in_and_log_out(client: Client, student):
    response = client.post(
        "/accounts/login/", {"username": student.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert f"Signed in as <strong>{student.username}</strong>" in client.get("/").content.decode()

    client.post("/accounts/logout/")

    assert "Log in" in client.get("/").content.decode()


def test_wrong_password_shows_an_error(client: Client, student):
    response = client.post("/accounts/login/", {"username": student.username, "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
