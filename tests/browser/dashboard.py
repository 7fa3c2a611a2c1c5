"""Driving the dashboard as a person would, in Debian's Chromium (never a downloaded browser).

Shared by the browser tests and scripts/screenshots.py. Waits are on what the page shows, with
generous timeouts: the machine running them may be busy.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    ViewportSize,
    expect,
)

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
WAIT_MS = 30_000
REPLY_MS = 90_000
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True)


@dataclass
class Watch:
    """What a page said on its console and which URLs it asked for."""

    errors: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    _contexts: list[BrowserContext] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        if page.context not in self._contexts:  # a context's requests are heard once
            self._contexts.append(page.context)
            page.context.on("request", lambda request: self.urls.append(request.url))

    def assert_clean(self, origin: str, allow: Sequence[str] = ()) -> None:
        """No console errors (but those naming an `allow` substring), no request elsewhere."""
        errors = [e for e in self.errors if not any(part in e for part in allow)]
        assert errors == [], errors
        foreign = [url for url in self.urls if url != origin and not url.startswith(origin + "/")]
        assert foreign == [], foreign
        assert self.urls, "the page asked for nothing at all"

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} at {message.location.get('url', '')}")


class Dashboard:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    # -- places --------------------------------------------------------------------------
    def open(self, view: str = "chat") -> Dashboard:
        self.page.goto(self.base_url + ("/" if view == "chat" else f"/#{view}"))
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        expect(self.page.locator("body[data-ready=true]")).to_be_attached(timeout=WAIT_MS)

    def show(self, view: str) -> None:
        self.page.get_by_role("tab", name=view.capitalize()).click()
        expect(self.page.get_by_role("tabpanel", name=view.capitalize())).to_be_visible()

    # -- chat ----------------------------------------------------------------------------
    @property
    def input(self) -> Locator:
        return self.page.get_by_label("Your message")

    @property
    def replies(self) -> Locator:
        return self.page.locator("#messages .msg-agent")

    @property
    def mine(self) -> Locator:
        return self.page.locator("#messages .msg-user")

    def send(self, text: str) -> Locator:
        """Type and send a message (Enter), wait for her reply; the reply's row."""
        before = self.replies.count()
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.replies).to_have_count(before + 1, timeout=REPLY_MS)
        return self.replies.nth(before)

    def wait_for_agent(self, name: str) -> None:
        """The state of agent `name` (its handle, e.g. `jasmine`) is on screen."""
        expect(self.page.locator(f'body[data-agent="{name}"]')).to_be_attached(timeout=WAIT_MS)

    # -- account -------------------------------------------------------------------------
    def claim(self, username: str, email: str, password: str) -> None:
        """The guest becomes an account, through the account dialog."""
        self.page.get_by_role("button", name="Save or sign in").click()
        form = self.page.locator("#claim-form")
        form.get_by_label("Username").fill(username)
        form.get_by_label("Email").fill(email)
        form.get_by_label("Password").fill(password)
        form.get_by_role("button", name="Create account").click()
        expect(self.page.get_by_role("dialog")).to_be_hidden()
        expect(self.page.locator("#account-name")).to_have_text(username)

    # -- agents --------------------------------------------------------------------------
    @property
    def agents_dialog(self) -> Locator:
        return self.page.get_by_role("dialog", name="Agents")

    def open_agents(self) -> Locator:
        """The agents dialog, its list loaded; the list's buttons."""
        self.page.get_by_role("button", name="Agents", exact=True).click()
        expect(self.agents_dialog).to_be_visible()
        expect(self.page.locator("#agents-status")).to_contain_text("to talk to")
        return self.agents_dialog.locator("#agent-list button")

    def drop_file(self, data: bytes, filename: str, mime: str) -> None:
        """Drag a file over the page and drop it, as a person does from their file manager."""
        self.page.evaluate(
            """([b64, name, type]) => {
                const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                const transfer = new DataTransfer();
                transfer.items.add(new File([bytes], name, { type }));
                const target = document.getElementById("views");
                for (const kind of ["dragenter", "dragover", "drop"]) {
                  const init = { bubbles: true, cancelable: true, dataTransfer: transfer };
                  target.dispatchEvent(new DragEvent(kind, init));
                }
            }""",
            [base64.b64encode(data).decode(), filename, mime],
        )

    def meter(self, name: str) -> Locator:
        return self.page.get_by_role("meter", name=name, exact=True)

    # -- memories ------------------------------------------------------------------------
    @property
    def memories(self) -> Locator:
        return self.page.locator("#memory-list > li")

    def wait_for_memories(self, at_least: int = 1, timeout_ms: int = REPLY_MS) -> None:
        """Reflection writes memories after the reply: ask again until they are listed."""
        self.show("memories")
        refresh = self.page.get_by_role("button", name="Refresh")
        for _ in range(max(1, timeout_ms // 3000)):
            if self.memories.count() >= at_least:
                return
            refresh.click()
            try:
                expect(self.memories.nth(at_least - 1)).to_be_attached(timeout=3000)
                return
            except AssertionError:
                continue
        expect(self.memories.nth(at_least - 1)).to_be_attached(timeout=1)
