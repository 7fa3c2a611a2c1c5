"""The memories view: what reflection kept about the user, and forgetting one of them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.dashboard import Dashboard, Watch
from tests.support.server import Server

pytestmark = pytest.mark.e2e

# The scripted model's reflection keeps a memory of whatever the lexicon finds moving.
KIND = "Thank you so much, you are wonderful, kind and amazing. I love you, friend."


def test_a_memory_formed_in_conversation_can_be_forgotten(
    dash: Dashboard, page: Page, watch: Watch, server: Server
) -> None:
    dash.open()
    dash.send(KIND)
    dash.wait_for_memories(at_least=1)
    card = dash.memories.first
    expect(card.locator(".memory-event")).to_contain_text("told me: Thank you so much")
    expect(card).to_contain_text("#kindness")
    expect(card).to_contain_text(re.compile(r"Importance \d+/10"))
    event = card.locator(".memory-event").inner_text()
    count = dash.memories.count()

    # Asking first, and "Keep" changes nothing.
    card.get_by_role("button", name=re.compile("^Forget the memory")).click()
    expect(card.get_by_role("button", name="Yes, forget it")).to_be_focused()
    card.get_by_role("button", name="Keep").click()
    expect(dash.memories).to_have_count(count)

    card.get_by_role("button", name=re.compile("^Forget the memory")).click()
    card.get_by_role("button", name="Yes, forget it").click()
    expect(dash.memories).to_have_count(count - 1)
    expect(page.locator("#memories-status")).to_contain_text("Forgotten.")

    # Gone on the server too: a reload lists what is left.
    page.reload()
    dash.wait_ready()
    expect(page.locator("#memories-status")).to_contain_text("holds")
    expect(page.locator("#memory-list")).not_to_contain_text(event)
    watch.assert_clean(server.url)
