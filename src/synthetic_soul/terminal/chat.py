"""`soul chat`: talk with the agent from a terminal, as a guest kept across runs."""

from __future__ import annotations

import contextlib
import importlib
import sys
import time

from rich.console import Console, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from synthetic_soul.terminal.client import Json, ServiceError, SoulClient, Unreachable
from synthetic_soul.terminal.render import (
    AGENT_STYLE,
    DIM,
    USER_STYLE,
    conversation_tail,
    display_name,
    emotions_of,
    feelings,
    memories_view,
    state_view,
    thought_view,
    trouble,
)
from synthetic_soul.terminal.reply import Finished, Polling, Progress, Written, follow
from synthetic_soul.terminal.session import SessionFile, renewer, sign_in

MAX_MESSAGE_CHARS = 4000  # the API's limit on a message
HELP = (
    "Type a message and press Enter. Commands: /state (emotions, mood, personality, how "
    "{name} sees you), /thought (latest thought), /memories (what {name} remembers about "
    "you), /quit (or Ctrl-D)."
)


def chat(
    url: str,
    sessions: SessionFile,
    *,
    fresh: bool = False,
    console: Console,
    agent: str | None = None,
) -> int:
    """Run the conversation (with `agent`, else the default agent) until the user leaves; 0
    then, 1 if it could not start."""
    if sys.stdin.isatty():
        with contextlib.suppress(ImportError):  # line editing and history where there is one
            importlib.import_module("readline")
    with SoulClient(url, agent=agent) as client:
        conversation = _Conversation(client, sessions, console)
        try:
            conversation.open(fresh)
        except ServiceError as exc:
            console.print(trouble(exc))
            return 1
        except KeyboardInterrupt:
            return 130
        return conversation.run()


class _Conversation:
    def __init__(self, client: SoulClient, sessions: SessionFile, console: Console) -> None:
        self.client = client
        self.sessions = sessions
        self.console = console
        self.agent_name = "the agent"
        self.felt: dict[str, int] | None = None  # the agent's emotions when last seen

    @property
    def name(self) -> str:
        return display_name(self.agent_name)

    def open(self, fresh: bool) -> None:
        self.agent_name = self.client.active_agent()
        signed = sign_in(self.client, self.sessions, fresh=fresh)
        self.client.renew = renewer(self.client, self.sessions, self._note)
        if signed.note:
            self._note(f"{signed.note}: starting a new guest")
        how = "resumed" if signed.resumed else "new guest"
        self.console.print(
            Text.assemble(
                "Talking to ",
                (self.name, AGENT_STYLE),
                f" at {self.client.url} as ",
                (signed.username, USER_STYLE),
                (f" ({how})", DIM),
            ),
            soft_wrap=True,  # the terminal wraps it: one line for a program reading the screen
        )
        messages = self.client.conversation()
        if messages:
            self.console.print(conversation_tail(self.agent_name, messages))
        self.felt = emotions_of(self.client.agent())
        self.console.print(Text(HELP.format(name=self.name), style=DIM))

    def run(self) -> int:
        while True:
            try:
                line = self.console.input(Text("you › ", style=USER_STYLE)).strip()
            except EOFError:
                self.console.print()
                return 0
            except KeyboardInterrupt:
                self.console.print()
                return 0
            if not line:
                continue
            if line.startswith("/"):
                if not self._command(line.split()[0].lower()):
                    return 0
                continue
            self._say(line)

    def _command(self, command: str) -> bool:
        """Run a slash command; False to leave."""
        if command in ("/quit", "/exit", "/q"):
            return False
        try:
            now = time.time()
            view: RenderableType
            if command == "/state":
                view = state_view(self.client.agent(), self.client.relationship())
            elif command == "/thought":
                view = thought_view(self.agent_name, self.client.latest_thought(), now)
            elif command == "/memories":
                view = memories_view(self.agent_name, self.client.memories(), now)
            elif command in ("/help", "/?"):
                view = Text(HELP.format(name=self.name), style=DIM)
            else:
                view = Text(f"No command {command}. /help lists them.", style="yellow")
            self.console.print(view)
        except ServiceError as exc:
            self._trouble(exc)
        return True

    def _say(self, message: str) -> None:
        if len(message) > MAX_MESSAGE_CHARS:
            self._note(f"that is {len(message)} characters; a message holds {MAX_MESSAGE_CHARS}")
            return
        try:
            job_id = self.client.submit(message)
            result = self._watch(job_id).get("result") or {}
            agent = self.client.agent()
            self.console.print(feelings(result.get("expression"), agent, self.felt))
            self.felt = emotions_of(agent)
        except ServiceError as exc:
            self._trouble(exc)
        except KeyboardInterrupt:
            self._note("stopped waiting; the reply will be in the conversation when it comes")

    def _watch(self, job_id: str) -> Json:
        """Show the reply as it is written (on a terminal); the job's final snapshot."""
        if not self.console.is_terminal:
            job = self._follow(job_id, None, None)
            self.console.print(self._ending(job))
            return job
        waiting = Spinner("dots", text=Text(f"{self.name} is reading…", style=DIM))
        with Live(
            waiting, console=self.console, refresh_per_second=12, vertical_overflow="visible"
        ) as live:
            job = self._follow(job_id, live, waiting)
            live.update(self._ending(job))
        return job

    def _follow(self, job_id: str, live: Live | None, waiting: Spinner | None) -> Json:
        text = ""
        for update in follow(self.client, job_id):
            if isinstance(update, Finished):
                return update.job
            if isinstance(update, Polling):
                self.console.print(Text(f"({update.reason}; polling instead)", style=DIM))
            elif isinstance(update, Written) and live is not None:
                text = update.text
                live.update(self._reply(text), refresh=True)  # every piece is seen
            elif isinstance(update, Progress) and waiting is not None and not text:
                verb = "is thinking" if update.status == "running" else "will answer soon"
                waiting.update(text=Text(f"{self.name} {verb}…", style=DIM))
        raise AssertionError("a job is followed until it finishes")

    def _reply(self, text: str) -> Text:
        return Text.assemble((f"{self.name} › ", AGENT_STYLE), text)

    def _ending(self, job: Json) -> RenderableType:
        if job.get("status") != "succeeded":
            error = job.get("error") or "job_failed"
            return Text(f"{self.name} could not answer ({error}). Try again?", style="red")
        response = (job.get("result") or {}).get("response")
        if response is None:
            return Text(f"{self.name} chose not to answer.", style=DIM)
        return self._reply(str(response))

    def _note(self, note: str) -> None:
        self.console.print(Text(f"({note})", style=DIM))

    def _trouble(self, exc: ServiceError) -> None:
        self.console.print(trouble(exc))
        if isinstance(exc, Unreachable):
            self._note("still here: try again when the service is back, or /quit")
