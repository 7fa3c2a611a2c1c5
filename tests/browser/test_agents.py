"""Many agents in the dashboard: a card dropped on the page becomes an agent to talk to, each
agent keeps its own conversation and face, the choice outlives a reload, the card comes back
out as a file, and a card that is not one is refused in words."""

from __future__ import annotations

import base64
import json
import re
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, FilePayload, Locator, Page, Request, expect

from synthetic_soul.cards import png, read
from tests.browser.dashboard import PHONE, WAIT_MS, Dashboard, Watch
from tests.support.server import Server

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
KIND = "Thank you so much, you are wonderful, kind and amazing. I love you, friend."
TO_JASMINE = "Hello Jasmine, I grow tomatoes on my balcony."
TO_SAILOR = "Ahoy! " + KIND

# A file dragged in over the page (kept as `window.dragged` for the drag's end).
DRAG_OVER_AND_AWAY = """() => {
    window.dragged = new DataTransfer();
    window.dragged.items.add(new File(["x"], "card.png", { type: "image/png" }));
    const init = { bubbles: true, dataTransfer: window.dragged };
    document.body.dispatchEvent(new DragEvent("dragenter", init));
}"""


def v2_png_card(name: str) -> bytes:
    """A SillyTavern-style V2 card: a picture with the card's JSON, base64, in a `chara` chunk."""
    card = {
        "spec": "chara_card_v2",
        "spec_version": "2.0",
        "data": {
            "name": name,
            "description": "A grumpy old sailor who keeps a lighthouse on a rock.",
            "personality": "grumpy, loyal, stubborn, secretly kind",
            "scenario": "A stormy night at the lighthouse.",
            "first_mes": "Who goes there?",
            "mes_example": "<START>\n{{char}}: Hmph. Shut the door, the wind gets in.",
            "creator_notes": "",
            "system_prompt": "",
            "post_history_instructions": "",
            "alternate_greetings": [],
            "tags": ["sailor"],
            "creator": "the browser tests",
            "character_version": "1",
            "extensions": {},
        },
    }
    text = base64.b64encode(json.dumps(card).encode()).decode()
    return png.with_texts(png.solid(), [("chara", text)])


def shows_a_picture(img: Locator) -> None:
    """The image has loaded a face, not the icon shown for a missing one (a lazy image may
    still be on its way: wait for it)."""
    loaded = (
        "(img) => img.complete && img.naturalWidth > 0"
        " && new URL(img.currentSrc).pathname.startsWith('/static/expressions/')"
    )
    img.page.wait_for_function(loaded, arg=img.element_handle(), timeout=WAIT_MS)


def account(dash: Dashboard) -> str:
    username = f"keeper_{uuid.uuid4().hex[:8]}"
    dash.claim(username, f"{username}@example.com", PASSWORD)
    return username


def test_an_account_imports_a_card_talks_to_it_and_goes_back_to_jasmine(
    dash: Dashboard, page: Page, watch: Watch, server: Server, tmp_path: Path
) -> None:
    scoped: list[tuple[str, str | None]] = []

    def heard(request: Request) -> None:
        if "/v1/messages/" in request.url:
            scoped.append((request.url, request.headers.get("x-agent")))

    page.on("request", heard)
    title = (
        f"Old Sailor {uuid.uuid4().int % 10_000:04d}"  # digits: the title is made from the handle
    )
    handle = title.lower().replace(" ", "_")
    card = v2_png_card(title)

    dash.open()
    dash.wait_for_agent("jasmine")
    dash.send(TO_JASMINE)

    # A guest may not own an agent: the card is refused in words that say what to do.
    # A file dragged over the page shows that the whole window takes it.
    page.evaluate(DRAG_OVER_AND_AWAY)
    expect(page.locator("body")).to_have_attribute("data-dropping", "true")
    page.evaluate(
        "() => document.body.dispatchEvent(new DragEvent('dragleave', "
        "{bubbles: true, dataTransfer: window.dragged}))"
    )
    expect(page.locator("body")).not_to_have_attribute("data-dropping", "true")
    dash.drop_file(card, "sailor.png", "image/png")
    expect(dash.agents_dialog).to_be_visible()
    expect(page.locator("#import-error")).to_contain_text("Claim your account to import")
    expect(page.locator("body")).not_to_have_attribute("data-dropping", "true")
    dash.agents_dialog.get_by_role("button", name="Close").click()

    account(dash)
    dash.drop_file(card, "sailor.png", "image/png")
    # Imported, and picked: the new agent's empty conversation, its name, its face.
    expect(dash.agents_dialog).to_be_hidden()
    dash.wait_for_agent(handle)
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.locator("#notice")).to_contain_text(f"{title} came from the card")
    expect(dash.mine).to_have_count(0)
    expect(page.locator("#empty-chat")).to_contain_text(f"Say hello to {title}")
    expect(page.locator("#identity")).to_contain_text(f"I am {title}")
    expect(page.get_by_role("heading", name=f"How {title} sees you")).to_be_visible()
    expect(page.get_by_role("complementary", name=f"{title}'s inner state")).to_be_visible()

    reply = dash.send(TO_SAILOR)
    expect(reply).to_contain_text("That makes me really happy")
    face = reply.locator("img.msg-face")
    expect(face).to_have_attribute("src", f"/static/expressions/{handle}/joy_happy.png")
    expect(face).to_have_attribute("alt", f"{title} looks joy happy")
    shows_a_picture(face)
    header_face = page.locator("#agent-face")
    expect(header_face).to_have_attribute("src", re.compile(f"/static/expressions/{handle}/"))
    expect(header_face).to_have_attribute("alt", re.compile(f"^{title} looks "))
    expect(dash.mine).to_have_text([re.compile("Ahoy!")])
    sent = [agent for url, agent in scoped if url.endswith("/v1/messages/submit")]
    assert sent == [None, handle], sent  # the default agent is asked for by no header at all

    # The picker: both agents, each with a face that loads and a mood; the one on screen marked.
    choices = dash.open_agents()
    expect(choices).to_have_count(2)
    jasmine = choices.filter(has_text="Jasmine")
    sailor = choices.filter(has_text=title)
    expect(jasmine).to_contain_text("Default")
    expect(jasmine).to_contain_text(re.compile(r"Feeling \w+"))
    expect(sailor).to_contain_text("Yours")
    expect(sailor).to_have_attribute("aria-current", "true")
    expect(jasmine).to_have_attribute("aria-current", "false")
    expect(sailor).to_be_focused()
    for choice in (jasmine, sailor):
        shows_a_picture(choice.locator("img"))

    # Jasmine's own conversation: nothing said to the sailor shows up there.
    jasmine.click()
    expect(dash.agents_dialog).to_be_hidden()
    dash.wait_for_agent("jasmine")
    expect(page.get_by_role("heading", name="Jasmine", level=1)).to_be_visible()
    expect(dash.mine).to_have_text([re.compile(re.escape(TO_JASMINE))])
    expect(dash.replies).to_have_count(1)
    expect(page.locator("#identity")).not_to_contain_text(title)
    expect(page.get_by_role("heading", name="Who Jasmine is")).to_be_visible()
    dash.show("memories")
    expect(page.locator("#memories-status")).to_contain_text("Jasmine holds")

    # The choice is this browser's: a reload comes back to the agent picked last.
    dash.show("chat")
    dash.open_agents().filter(has_text=title).click()
    dash.wait_for_agent(handle)
    page.reload()
    dash.wait_ready()
    dash.wait_for_agent(handle)
    expect(dash.mine).to_have_text([re.compile("Ahoy!")])
    # The card's greeting opened the conversation; then the one reply.
    expect(dash.replies).to_have_text(
        [re.compile("Who goes there"), re.compile("That makes me really happy")]
    )

    # Its card comes back out: a PNG another tool reads, the same character.
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download {title}'s card (PNG)").click()
    saved = tmp_path / "card.png"
    download.value.save_as(saved)
    assert download.value.suggested_filename == f"{handle}.png"
    exported = read(saved.read_bytes())
    assert exported.card.name == title
    assert "lighthouse" in exported.card.description

    # The same card again: the name is taken.
    dash.drop_file(card, "sailor.png", "image/png")
    expect(page.locator("#import-error")).to_contain_text("already exists")
    # The refusals (403, 409) are the only errors the console shows.
    watch.assert_clean(server.url, allow=["/v1/agents/import"])


def test_a_file_that_is_no_card_is_refused_in_words(
    dash: Dashboard, page: Page, watch: Watch, server: Server
) -> None:
    dash.open()
    dash.wait_for_agent("jasmine")
    account(dash)
    listed = dash.open_agents().count()
    page.keyboard.press("Escape")
    expect(dash.agents_dialog).to_be_hidden()
    # The keyboard opens the picker; the card is chosen as a file.
    page.get_by_role("button", name="Agents", exact=True).focus()
    page.keyboard.press("Enter")
    expect(dash.agents_dialog).to_be_visible()
    picker = page.get_by_label("choose a file")
    picker.set_input_files(FilePayload(name="cat.png", mimeType="image/png", buffer=png.solid()))
    problem = page.locator("#import-error")
    expect(problem).to_contain_text("That file is not a character card this service can read")
    expect(problem).to_contain_text("no `ccv3` or `chara` text chunk")  # the envelope's words
    not_a_card = b'{"spec": "x"}'
    picker.set_input_files(
        FilePayload(name="notes.json", mimeType="application/json", buffer=not_a_card)
    )
    expect(problem).to_contain_text("unsupported card spec 'x'")
    expect(dash.agents_dialog.locator("#agent-list button")).to_have_count(listed)
    page.keyboard.press("Escape")
    expect(dash.agents_dialog).to_be_hidden()
    expect(page.get_by_role("heading", name="Jasmine", level=1)).to_be_visible()

    # An agent picked here once and gone since (deleted, made private): back to the default.
    page.evaluate("() => localStorage.setItem('synthetic-soul:agent', 'gone_since')")
    page.reload()
    dash.wait_for_agent("jasmine")
    expect(page.locator("#notice")).to_contain_text("Gone Since is not there for you any more")
    assert page.evaluate("() => localStorage.getItem('synthetic-soul:agent')") is None
    # The refused card and the gone agent's 404s are the only errors the console shows.
    agent_scoped = ["/v1/agents/active", "/v1/messages/conversation"]
    watch.assert_clean(server.url, allow=["/v1/agents/import", *agent_scoped])


def test_on_a_phone_the_picker_fits_the_width(browser: Browser, server: Server) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        watch = Watch()
        watch.attach(page)
        dash = Dashboard(page, server.url).open()
        dash.wait_for_agent("jasmine")
        opener = page.get_by_role("button", name="Agents", exact=True)
        box = opener.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        choices = dash.open_agents()
        expect(choices.first).to_be_visible()
        for part in (dash.agents_dialog, choices.first, page.locator(".dropzone")):
            box = part.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"
        watch.assert_clean(server.url)
    finally:
        context.close()


def test_a_private_agent_picked_before_a_reload_wears_its_own_face(
    dash: Dashboard, page: Page, watch: Watch, server: Server
) -> None:
    dash.open()
    dash.wait_for_agent("jasmine")
    username = account(dash)
    # A private card agent of this account, made elsewhere (another client of the API).
    neutral = png.solid(12, (20, 160, 90))  # 12 px wide: the default faces are larger
    card = {
        "spec": "chara_card_v3",
        "spec_version": "3.0",
        "data": {
            "name": "Quiet Keeper",
            "description": "A keeper who speaks to one person only.",
            "first_mes": "Oh, it is you.",
            "assets": [
                {
                    "type": "emotion",
                    "uri": "data:image/png;base64," + base64.b64encode(neutral).decode(),
                    "name": "neutral",
                    "ext": "png",
                }
            ],
        },
    }
    handle = f"keeper_{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=server.url) as api:
        login = api.post(
            "/v1/auth/login", json={"email": f"{username}@example.com", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        made = api.post(
            "/v1/agents/import",
            json=card,
            params={"name": handle, "visibility": "private"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert made.status_code == 201, made.text

    # Picked in this browser before (as the picker would have kept it), then a reload: the
    # picker is never opened, and still the face is the card's, asked for with the token.
    page.evaluate(f"() => localStorage.setItem('synthetic-soul:agent', '{handle}')")
    page.reload()
    dash.wait_ready()
    dash.wait_for_agent(handle)
    face = page.locator("#agent-face")
    expect(face).to_have_attribute(
        "src", re.compile(f"/static/expressions/{handle}/.*access_token=")
    )
    card_face = (
        "(img) => img.complete && img.naturalWidth === 12"
        f" && new URL(img.currentSrc).pathname.startsWith('/static/expressions/{handle}/')"
    )
    page.wait_for_function(card_face, arg=face.element_handle(), timeout=WAIT_MS)
    expect(dash.agents_dialog).to_be_hidden()
    watch.assert_clean(server.url)
