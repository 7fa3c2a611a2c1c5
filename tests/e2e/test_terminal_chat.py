"""`soul chat` and `soul status` as a person uses them: typed into a pseudo-terminal, talking to
the real service in a subprocess.

What the terminal shows is read back with its escape sequences stripped; a frame that the
chat redraws in place (the reply as it is written) stays in the text, ended by a `\\r`.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import stat
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.helpers import (
    KIND_MESSAGE,
    LITE_EMOTIONS,
    bearer,
    client,
    login_from,
    refresh,
    submit,
    wait_job,
)
from tests.support.server import SERVICE_ENV, Server, free_port

pytestmark = pytest.mark.e2e

# The scripted model spreads this over the pieces of its reply: the chat has pieces to show.
SERVER_ENV = {"SCRIPTED_DELAY_MS": "1500"}
REPLY = "That makes me really happy. Thank you!"  # the scripted model's answer to kind words
PROMPT = "you › "
WAIT_S = 90.0  # generous: two cores, other suites running
EVENTS_PER_MINUTE = 120  # the contract's limit on a user's job event streams
ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def shown(raw: bytes) -> str:
    return ESCAPES.sub("", raw.decode("utf-8", errors="replace"))


def _controlling_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """A program on a pseudo-terminal of 100x40: type into it, wait for text on it."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        self.process = subprocess.Popen(
            args,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_controlling_terminal,  # so that Ctrl-C is a SIGINT, as in a terminal
        )
        os.close(slave)
        self.raw = b""
        self.cursor = 0  # where the next expectation starts looking
        self.closed = False

    @property
    def text(self) -> str:
        return shown(self.raw)

    def _read(self, until: float) -> bool:
        """Read what is there (waiting until `until` at most); False at the end of output."""
        ready, _, _ = select.select([self.master], [], [], max(0.0, until - time.monotonic()))
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the program closed the terminal
            chunk = b""
        self.raw += chunk
        return bool(chunk)

    def expect(self, pattern: str, timeout: float = WAIT_S) -> re.Match[str]:
        """The first match after the last one, waiting for it to appear."""
        compiled = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            found = compiled.search(self.text, self.cursor)
            if found:
                self.cursor = found.end()
                return found
            if time.monotonic() > deadline or not self._read(deadline):
                raise AssertionError(f"{pattern!r} not shown; the screen:\n{self.text}")

    def prompt(self, timeout: float = WAIT_S) -> None:
        """Wait for the program to read the keyboard at its newest prompt.

        Keys typed before that are at the mercy of the switch to readline's raw mode (a
        Ctrl-D typed ahead is lost in it), which no person at a keyboard would notice.
        """
        self.expect(PROMPT, timeout)
        deadline = time.monotonic() + timeout
        while termios.tcgetattr(self.master)[3] & termios.ICANON:
            if time.monotonic() > deadline:
                raise AssertionError(f"the keyboard is not read; the screen:\n{self.text}")
            self._read(min(deadline, time.monotonic() + 0.05))
        while self._pending() and self._read(time.monotonic()):
            pass  # all it showed before it began to read
        self.cursor = max(self.cursor, self.text.rindex(PROMPT) + len(PROMPT))

    def _pending(self) -> bool:
        return bool(select.select([self.master], [], [], 0)[0])

    def type(self, line: str) -> None:
        self.press(line.encode() + b"\r")

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def exit_code(self, timeout: float = WAIT_S) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(deadline):
            pass
        try:
            return self.process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running; the screen:\n{self.text}") from None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if not self.closed:
            os.close(self.master)
            self.closed = True


def soul(*args: str) -> list[str]:
    return [sys.executable, "-m", "synthetic_soul.cli", *args]


@pytest.fixture
def state_home(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def env(state_home: Path) -> dict[str, str]:
    """The user's environment: a state directory of its own, a colour terminal."""
    kept = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    return {**kept, "XDG_STATE_HOME": str(state_home), "TERM": "xterm-256color"}


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.close()


def chat(
    terminals: list[Terminal], env: dict[str, str], cwd: Path, url: str, *args: str
) -> Terminal:
    terminal = Terminal(soul("chat", "--url", url, *args), env, cwd)
    terminals.append(terminal)
    return terminal


def session_file(state_home: Path, server: Server) -> Path:
    port = server.url.rsplit(":", 1)[1]
    return state_home / "synthetic-soul" / f"chat-127.0.0.1-{port}.json"


def words(text: str) -> str:
    """A pattern of these words, wherever the screen wraps them."""
    return r"\s+".join(re.escape(word) for word in text.split())


def frames_of_reply(text: str) -> list[str]:
    """Every state of the agent's line the screen showed, in order."""
    return [
        line.split("Jasmine › ", 1)[1] for line in re.split(r"[\r\n]", text) if "Jasmine › " in line
    ]


# -- chat ----------------------------------------------------------------------------------
def test_the_reply_streams_in_then_the_expression_and_top_emotions(
    server: Server, terminals: list[Terminal], env: dict[str, str], tmp_path: Path
) -> None:
    t = chat(terminals, env, tmp_path, server.url)
    t.expect(r"as guest_[0-9a-f-]+\s+\(new guest\)")
    t.prompt()
    t.type(KIND_MESSAGE)
    start = t.cursor
    feeling = t.expect(r"joy_happy · mood [a-z ]+ · (\w+) (\d+)")
    reply = t.text[start : feeling.start()]

    frames = frames_of_reply(reply)
    assert frames and frames[-1].strip() == REPLY, frames
    partial = [f for f in frames if f and REPLY.startswith(f) and f != REPLY]
    assert partial, f"the reply was never shown part-written: {frames}"
    assert feeling.group(1) in LITE_EMOTIONS and int(feeling.group(2)) > 0
    t.prompt()

    t.type("/state")
    t.expect(
        r"Jasmine is [a-z ]+\s+\(mood octant \w+: P [+-]\d\.\d\d A [+-]\d\.\d\d D [+-]\d\.\d\d\)"
    )
    t.expect(r"Emotions\s")
    t.expect(r"Personality \([EI][SN][TF][JP]\)")
    t.expect(r"warmth\s+[█·]+\s+\d+")
    t.expect(r"You\s+stranger · affinity [+-]\d+\.\d · 1 interaction ")
    t.prompt()

    t.type("/thought")
    t.expect(r"Jasmine thought \(just now\): \S")
    t.prompt()

    # The memory of a message is reflected on after the reply: ask until it is there.
    deadline = time.monotonic() + WAIT_S
    while True:
        t.type("/memories")
        answer = t.expect(r"(holds no memories about you yet|remembers about you \((\d+)\))")
        if answer.group(2):
            break
        t.prompt()
        assert time.monotonic() < deadline, "no memory of the message was formed"
    t.expect(r"told me: Thank you so much")
    t.prompt()

    t.type("/nonsense")
    t.expect(r"No command /nonsense\. /help lists them\.")
    t.prompt()
    t.type("/quit")
    assert t.exit_code() == 0
    assert "Traceback" not in t.text


def test_a_second_run_resumes_the_same_guest_and_its_conversation(
    server: Server,
    terminals: list[Terminal],
    env: dict[str, str],
    tmp_path: Path,
    state_home: Path,
) -> None:
    first = chat(terminals, env, tmp_path, server.url)
    username = first.expect(r"as (guest_[0-9a-f-]+)\s+\(new guest\)").group(1)
    first.prompt()
    first.type("You are wonderful, from Robin with love")
    first.expect(r"Jasmine › .*\n")
    first.prompt()
    first.press(b"\x04")  # Ctrl-D
    assert first.exit_code() == 0

    saved = session_file(state_home, server)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    before = json.loads(saved.read_text())
    assert before["username"] == username

    second = chat(terminals, env, tmp_path, server.url)
    second.expect(rf"as {username}\s+\(resumed\)")
    second.expect(r"you › You are wonderful, from Robin with love")
    second.expect(r"Jasmine › \S")
    second.prompt()
    second.press(b"\x03")  # Ctrl-C
    assert second.exit_code() == 0
    assert "Traceback" not in first.text + second.text
    after = json.loads(saved.read_text())
    assert after["username"] == username
    assert after["cookies"]["rtoken"] != before["cookies"]["rtoken"], "refresh rotates"

    third = chat(terminals, env, tmp_path, server.url, "--new")
    other = third.expect(r"as (guest_[0-9a-f-]+)\s+\(new guest\)").group(1)
    assert other != username
    third.prompt()
    third.type("/quit")
    assert third.exit_code() == 0
    assert "Robin" not in third.text


def test_two_chats_of_one_guest_take_turns_with_its_session(
    server: Server,
    terminals: list[Terminal],
    env: dict[str, str],
    tmp_path: Path,
    state_home: Path,
) -> None:
    """Each resume rotates the session and revokes the one before; the other chat then renews
    from the newest saved cookies, never presenting spent ones (a replay that revokes all)."""
    first = chat(terminals, env, tmp_path, server.url)
    username = first.expect(r"as (guest_[0-9a-f-]+)\s+\(new guest\)").group(1)
    first.prompt()
    second = chat(terminals, env, tmp_path, server.url)
    second.expect(rf"as {username}\s+\(resumed\)")
    second.prompt()

    first.type("/state")  # its session was revoked when the second chat resumed
    first.expect(r"Jasmine is [a-z ]+\s+\(mood octant")
    first.prompt()
    second.type("/thought")  # and this one's when the first renewed
    second.expect(r"Jasmine (thought|has had no thought)")
    second.prompt()
    first.type("/memories")
    first.expect(r"Jasmine (holds no memories|remembers)")
    first.prompt()

    for t in (first, second):
        t.type("/quit")
        assert t.exit_code() == 0
        assert "new guest" not in t.text[t.text.index("Type a message") :], t.text
    assert json.loads(session_file(state_home, server).read_text())["username"] == username


def test_a_guest_that_cannot_be_resumed_is_replaced_and_the_user_told(
    server: Server,
    terminals: list[Terminal],
    env: dict[str, str],
    tmp_path: Path,
    state_home: Path,
) -> None:
    first = chat(terminals, env, tmp_path, server.url)
    username = first.expect(r"as (guest_[0-9a-f-]+)\s+\(new guest\)").group(1)
    first.prompt()
    first.type("/quit")
    assert first.exit_code() == 0
    saved = session_file(state_home, server)
    doc = json.loads(saved.read_text())
    doc["cookies"]["rtoken"] = "not-the-token"
    saved.write_text(json.dumps(doc))

    second = chat(terminals, env, tmp_path, server.url)
    second.expect(
        words(
            f"the saved guest {username} could not be resumed (bad_refresh): starting a new guest"
        )
    )
    other = second.expect(r"as (guest_[0-9a-f-]+)\s+\(new guest\)").group(1)
    assert other != username
    second.prompt()
    second.type("/quit")
    assert second.exit_code() == 0
    assert json.loads(saved.read_text())["username"] == other


def test_a_refused_stream_falls_back_to_polling(
    server: Server,
    terminals: list[Terminal],
    env: dict[str, str],
    tmp_path: Path,
    state_home: Path,
) -> None:
    first = chat(terminals, env, tmp_path, server.url)
    username = first.expect(r"as (guest_[0-9a-f-]+)").group(1)
    first.prompt()
    first.type("/quit")
    assert first.exit_code() == 0

    # Another client of the same guest (as a second chat would) uses up its event streams.
    saved = session_file(state_home, server)
    doc = json.loads(saved.read_text())
    with client(server.url) as api:
        login = login_from(refresh(api, doc["cookies"], doc["cookies"]["refresh_csrf"]))
        saved.write_text(json.dumps({**doc, "cookies": login.cookies}))
        job_id = submit(api, login.token, "hello")
        wait_job(api, login.token, job_id, timeout=WAIT_S)
        for _ in range(EVENTS_PER_MINUTE + 5):
            r = api.get(f"/v1/jobs/{job_id}/events", headers=bearer(login.token))
            if r.status_code == 429:
                break
        assert r.status_code == 429, "the event streams were not limited"

    second = chat(terminals, env, tmp_path, server.url)
    second.expect(rf"as {username}\s+\(resumed\)")
    second.prompt()
    second.type(KIND_MESSAGE)
    second.expect(r"live stream failed: .*\(rate_limited\); polling instead")
    second.expect(rf"Jasmine › {re.escape(REPLY)}")
    second.expect(r"joy_happy · mood ")
    second.prompt()
    second.type("/quit")
    assert second.exit_code() == 0


def test_piped_input_gets_the_final_reply(
    server: Server, env: dict[str, str], tmp_path: Path
) -> None:
    done = subprocess.run(
        soul("chat", "--url", server.url),
        input=f"{KIND_MESSAGE}\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=WAIT_S,
    )
    assert done.returncode == 0, done.stderr
    assert f"Jasmine › {REPLY}\n" in done.stdout
    assert "joy_happy · mood " in done.stdout
    assert "\x1b[" not in done.stdout  # no escape sequences into a pipe


def test_chat_with_another_agent_by_name(
    server: Server, env: dict[str, str], tmp_path: Path
) -> None:
    """`soul agent create` on the server's store, then `soul chat --agent` talks to it."""
    operator = {**env, **SERVICE_ENV, "DATA_DIR": str(server.data_dir)}
    made = subprocess.run(
        soul("agent", "create", "rosalind", "--identity", "I am Rosalind."),
        capture_output=True,
        text=True,
        env=operator,
        cwd=tmp_path,
        timeout=WAIT_S,
    )
    assert made.returncode == 0, made.stderr
    done = subprocess.run(
        soul("chat", "--url", server.url, "--agent", "rosalind"),
        input=f"{KIND_MESSAGE}\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=WAIT_S,
    )
    assert done.returncode == 0, done.stderr
    assert "Rosalind › " in done.stdout
    assert "Jasmine › " not in done.stdout
    with httpx.Client(base_url=server.url) as api:
        token = api.post("/v1/auth/guest").json()["access_token"]
        seen = api.get(
            "/v1/agents/active", headers={"Authorization": f"Bearer {token}", "X-Agent": "rosalind"}
        )
        assert seen.json()["agent"]["events_felt"] == 1  # she, not Jasmine, was talked to


def test_an_unreachable_service_is_said_plainly(
    terminals: list[Terminal], env: dict[str, str], tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    t = chat(terminals, env, tmp_path, url)
    t.expect(rf"Cannot reach the service at {re.escape(url)}: nothing answers there")
    t.expect(r"Is it running\? Start it with make run")
    assert t.exit_code() == 1
    assert "Traceback" not in t.text


# -- status --------------------------------------------------------------------------------
def status(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        soul("status", *args),
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "200"},
        cwd=cwd,
        timeout=WAIT_S,
    )


def test_status_shows_the_queue_model_and_version(
    server: Server, env: dict[str, str], tmp_path: Path
) -> None:
    done = status(env, tmp_path, "--url", server.url)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert re.search(
        rf"Service\s+{re.escape(server.url)} · agent Jasmine · answered in \d+ ms", out
    )
    assert re.search(r"Version\s+API 1\.1\.0 \(the service\) · soul \S+ \(this client\)", out)
    assert re.search(r"Queue\s+inline · ok · backlog \d+ \(high \d+ · default \d+ · low \d+\)", out)
    assert re.search(r"inline-1\s+(idle|busy)\s+high, default, low", out), out
    assert re.search(r"Model\s+scripted \(LLM_MODE=scripted\) · fast scripted", out)
    assert re.search(r"Store\s+not reported by the service's API", out)


def test_status_of_the_local_service_reads_the_store_from_local_settings(
    server: Server, env: dict[str, str], tmp_path: Path
) -> None:
    port = server.url.rsplit(":", 1)[1]
    local = {**env, "HOST": "127.0.0.1", "PORT": port, "DATA_DIR": str(server.data_dir)}
    local.pop("STORE_BACKEND", None)
    done = status(local, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    where = re.escape(str(server.data_dir.resolve() / "soul.sqlite3"))
    assert re.search(rf"Store\s+sqlite · {where} · from the local settings", done.stdout)


def test_status_of_a_dead_port_exits_non_zero(env: dict[str, str], tmp_path: Path) -> None:
    done = status(env, tmp_path, "--url", f"127.0.0.1:{free_port()}")
    assert done.returncode == 1
    assert "Cannot reach the service" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
