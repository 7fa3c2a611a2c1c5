"""The dashboard in Chromium: chatting as a guest, the state following, streaming, fallback."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.dashboard import PHONE, REPLY_MS, Dashboard, Watch
from tests.support.server import Server

pytestmark = pytest.mark.e2e

# The scripted model spreads each reply over 1.5 s of `token` events, as a real model would.
SERVER_ENV = {"SCRIPTED_DELAY_MS": "1500"}
KIND = "Thank you so much, you are wonderful, kind and amazing. I love you, friend."
OCTANTS = "neutral|exuberant|bored|dependent|disdainful|relaxed|anxious|docile|hostile"
EMOTIONS = ("Joy", "Sadness", "Anger", "Fear", "Surprise", "Love", "Disgust")


def value_of(dash: Dashboard, meter: str) -> int:
    return int(dash.meter(meter).get_attribute("aria-valuenow") or "-1")


def test_a_guest_chats_and_the_state_panels_follow(
    dash: Dashboard, page: Page, watch: Watch, server: Server
) -> None:
    dash.open()
    expect(page.locator("#empty-chat")).to_contain_text("Say hello to Jasmine")
    # New messages are announced (the past, loaded first, was not).
    expect(page.get_by_role("log", name="Conversation")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("heading", name="Jasmine", level=1)).to_be_visible()
    for name in EMOTIONS:
        expect(dash.meter(name)).to_have_attribute("aria-valuenow", re.compile(r"^\d+$"))
    joy_before = value_of(dash, "Joy")
    # A mood near its default reads "calm"; one moved away, the octant it moved toward.
    mood_name = re.compile(rf"^(calm|(\w+ )?({OCTANTS}))$", re.I)
    expect(page.locator("#mood-label")).to_have_text(mood_name)
    expect(page.locator("#identity")).to_contain_text("Jasmine")
    expect(page.locator("#trait-bars [role=meter]")).to_have_count(10)
    expect(page.locator("#relationship-label")).to_contain_text("Stranger")

    reply = dash.send(KIND)
    expect(reply).to_contain_text("That makes me really happy")
    expect(dash.mine).to_have_text([re.compile(re.escape(KIND))])
    face = reply.locator("img.msg-face")
    expect(face).to_have_attribute("src", "/static/expressions/jasmine/joy_happy.png")
    expect(face).to_have_attribute("alt", "Jasmine looks joy happy")
    assert face.evaluate("(img) => img.complete && img.naturalWidth > 0")

    # The panels are asked again after the reply: joy rose, she had a thought about it.
    expect(dash.meter("Joy")).not_to_have_attribute("aria-valuenow", str(joy_before))
    assert value_of(dash, "Joy") > joy_before
    expect(page.locator("#thought")).not_to_contain_text("No thoughts yet", timeout=REPLY_MS)
    # Reflection follows the reply: her summary of the user names what was said.
    expect(page.locator("#relationship-summary")).to_contain_text("told me", timeout=REPLY_MS)
    expect(page.locator("#sentiment-bars [role=meter]").first).to_be_visible()
    expect(page.locator("#agent-face")).to_have_attribute("alt", re.compile(r"^Jasmine looks "))
    watch.assert_clean(server.url)


def test_the_reply_streams_in_before_the_job_is_done(
    dash: Dashboard, page: Page, watch: Watch, server: Server
) -> None:
    dash.open()
    dash.input.fill("Tell me something about your day")
    page.get_by_role("button", name="Send").click()
    # The draft exists only until `done`: text in it arrived by `token` events before that.
    expect(page.locator("#drafts .draft-text")).to_contain_text("I hear you", timeout=REPLY_MS)
    expect(dash.replies).to_have_count(1, timeout=REPLY_MS)
    expect(dash.replies.first).to_contain_text("I hear you: Tell me something about your day")
    expect(page.locator("#drafts > *")).to_have_count(0)
    expect(page.locator("#composer-status")).to_have_text("")
    assert any("/events?access_token=" in url for url in watch.urls)
    watch.assert_clean(server.url)


def test_a_reload_resumes_the_guest_and_the_conversation(
    dash: Dashboard, page: Page, watch: Watch, server: Server
) -> None:
    dash.open()
    dash.send(KIND)
    guest = page.locator("#account-name").get_attribute("title")
    assert guest and guest.startswith("guest_")

    page.reload()
    dash.wait_ready()
    expect(dash.mine).to_have_count(1)
    expect(dash.mine.first).to_contain_text(KIND)
    expect(dash.replies).to_have_count(1)
    expect(dash.replies.first).to_contain_text("That makes me really happy")
    # The face of a reply outlives the page: the job told it, the page kept it.
    expect(dash.replies.first.locator("img")).to_have_attribute("src", re.compile("joy_happy"))
    expect(page.locator("#account-name")).to_have_attribute("title", guest)
    # One guest, resumed through the refresh cookie (POST /v1/auth/refresh, CSRF header).
    assert sum(url.endswith("/v1/auth/guest") for url in watch.urls) == 1
    assert sum(url.endswith("/v1/auth/refresh") for url in watch.urls) == 1
    watch.assert_clean(server.url)


def test_two_tabs_share_one_session_without_tripping_replay_detection(
    dash: Dashboard, page: Page, watch: Watch, server: Server
) -> None:
    """Each refresh rotates the session; a rotated one presented again revokes them all.

    A second tab resumes the guest through a refresh, so the first tab's token dies with the
    old session; the tabs take turns (Web Lock) and pass the new token on (BroadcastChannel).
    """
    dash.open()
    dash.send(KIND)
    second = page.context.new_page()
    watch.attach(second)
    other = Dashboard(second, server.url).open()
    expect(other.mine).to_have_count(1)

    # The first tab took the token the second one got: its next calls are accepted at once.
    dash.send("And one more thing")
    expect(dash.replies).to_have_count(2)
    for tab in (other, dash):
        tab.page.reload()
        tab.wait_ready()
        expect(tab.mine).to_have_count(2)
    assert sum(url.endswith("/v1/auth/guest") for url in watch.urls) == 1
    watch.assert_clean(server.url)  # not one 401 on the way


def test_polling_takes_over_when_the_event_stream_fails(
    dash: Dashboard, page: Page, watch: Watch, server: Server
) -> None:
    refused: list[str] = []

    def refuse(route: Route) -> None:
        refused.append(route.request.url)
        route.abort()

    page.route(re.compile(r"/v1/jobs/[^/]+/events"), refuse)
    dash.open()
    reply = dash.send(KIND)
    expect(reply).to_contain_text("That makes me really happy")
    expect(reply.locator("img")).to_have_attribute("src", re.compile("joy_happy"))
    assert refused, "the page never tried the event stream"
    assert any(re.search(r"/v1/jobs/[0-9a-f]+$", url) for url in watch.urls), "no polling"
    watch.assert_clean(server.url, allow=["/events"])


def test_history_draws_feelings_with_the_conversation_marked(
    dash: Dashboard, page: Page, watch: Watch, server: Server
) -> None:
    dash.open()
    dash.send(KIND)
    dash.show("history")
    chart = page.locator("#emotion-chart")
    expect(chart.locator("svg[role=img]")).to_have_attribute(
        "aria-label", re.compile(r"^Emotions over time, \d+ points\.")
    )
    expect(chart.locator("path.line")).to_have_count(7)
    expect(page.locator("#mood-chart path.line")).to_have_count(3)
    expect(chart.locator(".mark-message")).to_have_count(1)
    expect(chart.locator(".mark-reply")).to_have_count(1)
    expect(chart.locator(".mark-thought").first).to_be_attached()
    expect(chart.locator(".mark-message title")).to_contain_text("Thank you so much")

    # The legend hides and shows a line.
    joy = page.get_by_role("button", name="Joy", exact=True)
    joy.click()
    expect(joy).to_have_attribute("aria-pressed", "false")
    expect(chart.locator("path.line")).to_have_count(6)
    joy.click()
    expect(chart.locator("path.line")).to_have_count(7)

    # A keyboard reads the values out: focus the chart, End goes to the latest reading.
    chart.focus()
    page.keyboard.press("End")
    expect(chart.locator(".chart-tip")).to_be_visible()
    expect(chart.locator(".chart-tip")).to_contain_text("Joy")
    expect(page.locator("#chart-readout")).to_contain_text("Love")
    watch.assert_clean(server.url)


def test_the_views_are_tabs_a_keyboard_can_use(
    dash: Dashboard, page: Page, watch: Watch, server: Server
) -> None:
    dash.open()
    tab = page.get_by_role("tab", name="Chat")
    expect(tab).to_have_attribute("aria-selected", "true")
    tab.focus()
    page.keyboard.press("ArrowRight")
    history = page.get_by_role("tab", name="History")
    expect(history).to_be_focused()
    expect(history).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="History")).to_be_visible()
    expect(page.get_by_role("tabpanel", name="Chat")).to_be_hidden()
    expect(page).to_have_url(re.compile("#history$"))
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Memories")).to_be_focused()
    expect(page.locator("#memories-status")).to_contain_text("no memories about you yet")

    page.reload()
    dash.wait_ready()
    expect(page.get_by_role("tabpanel", name="Memories")).to_be_visible()
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    # Every control has a name; every image says what it shows or is marked decorative.
    for button in page.get_by_role("button").all():
        name = button.get_attribute("aria-label") or button.inner_text()
        assert name.strip(), button.evaluate("(b) => b.outerHTML")
    for image in page.locator("img").all():
        assert image.get_attribute("alt") is not None
    watch.assert_clean(server.url)


def test_on_a_phone_everything_fits_the_width(browser: Browser, server: Server) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        watch = Watch()
        watch.attach(page)
        dash = Dashboard(page, server.url).open()
        dash.input.fill(KIND)
        page.get_by_role("button", name="Send").tap()
        expect(dash.replies).to_have_count(1, timeout=REPLY_MS)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"
        for name in ("Chat", "History", "Memories"):
            box = page.get_by_role("tab", name=name).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        chat = page.locator("#view-chat").bounding_box()
        state = page.locator("aside.state").bounding_box()
        assert chat and state and state["y"] >= chat["y"] + chat["height"], "state under chat"
        dash.show("history")
        svg_box = page.locator("#emotion-chart svg").bounding_box()
        assert svg_box and svg_box["x"] + svg_box["width"] <= PHONE["width"]
        watch.assert_clean(server.url)
    finally:
        context.close()


def test_the_dashboard_is_served_beside_the_api_and_kept_out_of_its_schema(
    server: Server,
) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        page = http.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-api-version"] == "1.1.0"
        assert http.head("/").status_code == 200
        for asset in re.findall(r'(?:src|href)="(/ui/[^"]+)"', page.text):
            assert http.get(asset).status_code == 200, asset
        script = http.get("/ui/js/main.js")
        assert script.headers["content-type"].startswith(
            ("text/javascript", "application/javascript")
        )
        missing = http.get("/ui/js/nothing.js")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
        assert http.get("/nothing-here").json()["error"]["code"] == "not_found"
        paths = http.get("/openapi.json").json()["paths"]
        assert all(path.startswith(("/v1/", "/static/expressions/")) for path in paths), paths
