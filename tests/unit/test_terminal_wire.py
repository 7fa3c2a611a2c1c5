"""What `soul chat` keeps and reads: addresses, the saved guest session, job events."""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

import pytest

from synthetic_soul.terminal.address import (
    BadAddress,
    local_url,
    normalize,
    session_file_name,
    state_dir,
)
from synthetic_soul.terminal.reply import ReplyText
from synthetic_soul.terminal.session import SavedSession, SessionFile
from synthetic_soul.terminal.sse import SseEvent, parse

SAVED = SavedSession(
    "http://127.0.0.1:8000", "guest_1", {"sid": "s", "rtoken": "r", "refresh_csrf": "c"}
)


# -- addresses ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("localhost:8000", "http://localhost:8000"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("https://soul.example.org/v1/", "https://soul.example.org"),
        ("https://example.org/soul/v1", "https://example.org/soul"),
        ("http://user:secret@example.org:81", "http://example.org:81"),
        ("http://[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_a_url_is_normalized_to_the_service_root(given: str, url: str) -> None:
    assert normalize(given) == url


@pytest.mark.parametrize("given", ["ftp://example.org", "http://:8000", "http://host:99999"])
def test_a_url_the_client_cannot_use_is_refused(given: str) -> None:
    with pytest.raises(BadAddress):
        normalize(given)


def test_a_service_on_every_interface_is_reached_on_loopback() -> None:
    assert local_url("0.0.0.0", 8000) == "http://127.0.0.1:8000"
    assert local_url("::", 9000) == "http://127.0.0.1:9000"
    assert local_url("::1", 8000) == "http://[::1]:8000"
    assert local_url("soul.lan", 80) == "http://soul.lan:80"


def test_the_state_directory_follows_xdg_and_ignores_a_relative_one() -> None:
    assert state_dir({"XDG_STATE_HOME": "/var/state"}) == Path("/var/state/synthetic-soul")
    home = Path.home() / ".local" / "state" / "synthetic-soul"
    assert state_dir({"XDG_STATE_HOME": "relative/dir"}) == home
    assert state_dir({}) == home


def test_one_session_file_per_service() -> None:
    assert session_file_name("http://127.0.0.1:8000") == "chat-127.0.0.1-8000.json"
    assert session_file_name("https://soul.example.org") == "chat-soul.example.org-443.json"
    assert session_file_name("http://example.org/a b") == "chat-example.org-80_a_b.json"


# -- the saved session ---------------------------------------------------------------------
def test_a_saved_session_is_private_and_read_back(tmp_path: Path) -> None:
    file = SessionFile(tmp_path / "state" / "synthetic-soul" / "chat-x.json")
    file.save(SAVED)
    assert stat.S_IMODE(file.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.path.parent.stat().st_mode) == 0o700
    assert file.load() == SAVED
    assert [p.name for p in file.path.parent.iterdir()] == ["chat-x.json"]


@pytest.mark.parametrize("content", ["{not json", "[]", '{"url": "u", "username": "g"}'])
def test_an_unusable_session_file_is_no_session(tmp_path: Path, content: str) -> None:
    path = tmp_path / "chat-x.json"
    path.write_text(content)
    assert SessionFile(path).load() is None
    assert SessionFile(tmp_path / "missing.json").load() is None


def test_ctrl_c_while_a_session_is_spent_waits_until_it_is_saved(tmp_path: Path) -> None:
    file = SessionFile(tmp_path / "chat-x.json")
    with pytest.raises(KeyboardInterrupt), file.locked():
        os.kill(os.getpid(), signal.SIGINT)
        file.save(SAVED)
    assert file.load() == SAVED
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# -- job events ----------------------------------------------------------------------------
def test_events_are_read_as_an_event_source_reads_them() -> None:
    lines = [
        ": keep-alive",
        "",
        "event: status",
        'data: {"status": "running"}',
        "",
        "event: token",
        'data: {"text":',
        'data: "Hello"}',
        "",
        "event: token",
        "data: not json",
        "",
        'data: {"plain": true}',
        "",
        "event: done",
        'data: {"status": "succeeded"}',
    ]
    assert list(parse(lines)) == [
        SseEvent("status", {"status": "running"}),
        SseEvent("token", {"text": "Hello"}),
        SseEvent("message", {"plain": True}),
    ]  # an event not ended by a blank line never arrived


def test_the_reply_text_appends_pieces_and_a_reset_starts_afresh() -> None:
    shown = ReplyText()
    assert shown.apply({"text": "That "}) == "That "
    assert shown.apply({"text": "makes"}) == "That makes"
    assert shown.apply({"text": "Well, that", "reset": True}) == "Well, that"
    assert shown.apply({"text": " is nice."}) == "Well, that is nice."
    assert shown.apply({}) == "Well, that is nice."
