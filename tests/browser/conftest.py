"""Fixtures for the browser suite: the real service in a subprocess, Debian's Chromium, and a
fresh browser context (so a fresh guest) per test whose console and requests are watched.

A module may set `SERVER_ENV = {...}` to start its server with extra environment variables.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.dashboard import CHROMIUM, DESKTOP, WAIT_MS, Dashboard, Watch, launch
from tests.support.server import Server, for_module

expect.set_options(timeout=WAIT_MS)


# Per module, not per session: sync Playwright runs an event loop in this thread while it is
# open, and the async tests that run after the browser suite need the thread's loop free.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: `make setup` installs Debian's package"
            " (or: sudo apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        running = launch(playwright)
        try:
            yield running
        finally:
            running.close()


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    yield from for_module(request, tmp_path_factory)


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Browser, watch: Watch) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    opened = context.new_page()
    watch.attach(opened)
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def dash(page: Page, server: Server) -> Dashboard:
    return Dashboard(page, server.url)
