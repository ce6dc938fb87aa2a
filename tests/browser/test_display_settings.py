"""Dark mode and text size: chosen in the header, kept on this device, the system's theme by default."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dark_mode_is_kept_from_page_to_page(page: Page, live_server):
    page.goto(live_server.url + "/")

    page.get_by_role("button", name="Dark mode").click()
    page.goto(live_server.url + "/accounts/login/")

    expect(page.get_by_role("button", name="Dark mode")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("body")).to_have_css("background-color", "rgb(17, 21, 28)")


def test_dark_mode_follows_the_system_until_the_student_chooses(page: Page, live_server):
    page.emulate_media(color_scheme="dark")

    page.goto(live_server.url + "/")

    expect(page.get_by_role("button", name="Dark mode")).to_have_attribute("aria-pressed", "true")


def test_the_text_size_is_kept_after_a_reload(page: Page, live_server):
    page.goto(live_server.url + "/")

    page.get_by_label("Text size").select_option("125%")
    page.reload()

    expect(page.get_by_label("Text size")).to_have_value("125")
    expect(page.locator("body")).to_have_css("font-size", "20px")
