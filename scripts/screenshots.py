"""Redraw the dashboard's screenshots in docs/ from a real service and a short conversation.

Starts `soul serve` with the scripted model (no weights needed) on a temporary data directory,
talks to the agent through the dashboard in Debian's Chromium, and saves:

    docs/dashboard-chat.png      the conversation beside the live state (desktop)
    docs/dashboard-history.png   emotions and mood over time (desktop)
    docs/dashboard-memories.png  what she remembers about you (desktop)
    docs/dashboard-phone.png     the conversation on a phone
    docs/dashboard-phone-state.png  the state panels on a phone

Usage: .venv/bin/python scripts/screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from tests.browser.dashboard import DESKTOP, PHONE, Dashboard, launch  # noqa: E402
from tests.support.server import start, stop  # noqa: E402

CONVERSATION = (
    "Hi Jasmine! I just got the job I wanted, I am so happy!",
    "My grandmother passed away last week and I miss her so much.",
    "What should I cook tonight?",
    "Thank you so much, you are wonderful, kind and amazing. I love you, friend.",
)
SERVER_ENV = {"SOUL_SEED": "7", "SCRIPTED_DELAY_MS": "400"}
# Time between messages, so the history chart shows feelings rising and fading between them.
PAUSE_MS = 8000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="soul-screens-") as data:
        server = start(Path(data), SERVER_ENV)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                context = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
                page = context.new_page()
                dash = Dashboard(page, server.url).open()
                for text in CONVERSATION:
                    dash.send(text)
                    page.wait_for_timeout(PAUSE_MS)
                dash.wait_for_memories(at_least=2)
                dash.show("chat")
                dash.wait_ready()
                page.mouse.move(0, 0)
                page.locator("#composer textarea").blur()
                shoot(page, out / "dashboard-chat.png")

                dash.show("history")
                chart = page.locator("#emotion-chart svg")
                chart.wait_for()
                box = chart.bounding_box()
                if box:  # a reading under the pointer, as someone exploring the chart sees it
                    page.mouse.move(box["x"] + box["width"] * 0.72, box["y"] + box["height"] * 0.4)
                shoot(page, out / "dashboard-history.png")

                dash.show("memories")
                page.mouse.move(0, 0)
                shoot(page, out / "dashboard-memories.png")

                page.set_viewport_size(PHONE)
                dash.show("chat")
                shoot(page, out / "dashboard-phone.png")
                page.locator("aside.state").evaluate("(node) => node.scrollIntoView()")
                shoot(page, out / "dashboard-phone-state.png")
                browser.close()
        finally:
            stop(server)


def shoot(page: Page, path: Path) -> None:
    page.screenshot(path=str(path), animations="disabled")
    print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
