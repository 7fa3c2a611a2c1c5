"""Accounts in the dashboard: a guest claims itself, signs out, signs back in."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.dashboard import Dashboard, Watch
from tests.support.server import Server

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def account_dialog(page: Page) -> None:
    page.get_by_role("button", name="Save or sign in").click()
    expect(page.get_by_role("dialog", name="Your account")).to_be_visible()


def test_a_guest_claims_an_account_signs_out_and_signs_back_in(
    dash: Dashboard, page: Page, watch: Watch, server: Server
) -> None:
    username = f"painter_{uuid.uuid4().hex[:8]}"
    email = f"{username}@example.com"
    dash.open()
    expect(page.locator("#account-name")).to_have_text("Guest")
    dash.send("Hi! I am learning to paint with watercolours.")

    # A password too short is caught before anything is sent.
    account_dialog(page)
    claim = page.locator("#claim-form")
    claim.get_by_label("Username").fill(username)
    claim.get_by_label("Email").fill(email)
    claim.get_by_label("Password").fill("short")
    claim.get_by_role("button", name="Create account").click()
    expect(claim.get_by_role("alert")).to_contain_text("Password")
    expect(claim.get_by_label("Password")).to_be_focused()
    assert not any(url.endswith("/v1/auth/claim") for url in watch.urls)

    claim.get_by_label("Password").fill(PASSWORD)
    claim.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.locator("#account-name")).to_have_text(username)
    expect(page.locator("#notice")).to_contain_text(f"You are {username} now")
    expect(dash.mine).to_have_count(1)  # the same user: the conversation stays

    # The claimed account is what a reload resumes.
    page.reload()
    dash.wait_ready()
    expect(page.locator("#account-name")).to_have_text(username)
    expect(dash.mine).to_have_text([re.compile("learning to paint")])

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#account-name")).to_have_text("Guest")
    expect(page.locator("#notice")).to_contain_text("Signed out")
    expect(dash.mine).to_have_count(0)
    expect(page.locator("#empty-chat")).to_be_visible()

    account_dialog(page)
    login = page.locator("#login-form")
    login.get_by_label("Email").fill(email)
    login.get_by_label("Password").fill("not the password")
    login.get_by_role("button", name="Sign in").click()
    expect(login.get_by_role("alert")).to_have_text(
        "That email and password do not match an account."
    )
    login.get_by_label("Password").fill(PASSWORD)
    login.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.locator("#account-name")).to_have_text(username)
    expect(dash.mine).to_have_text([re.compile("learning to paint")])
    expect(dash.replies).to_have_count(1)
    # The wrong password's 401 is the only error the console may show.
    watch.assert_clean(server.url, allow=["/v1/auth/login"])
    assert sum("/v1/auth/login" in error for error in watch.errors) == 1
