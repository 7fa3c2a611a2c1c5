"""The composition root: settings in, wired adapters and use cases out."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from synthetic_soul.auth.passwords import Passwords
from synthetic_soul.auth.sessions import Auth, AuthConfig
from synthetic_soul.auth.tokens import AccessTokens
from synthetic_soul.clock import SystemClock
from synthetic_soul.domain.agent import ActiveAgent, new_agent
from synthetic_soul.job_handlers import Handler
from synthetic_soul.job_runner import Jobs
from synthetic_soul.mind.ahead import Ahead
from synthetic_soul.mind.embedding import Embed
from synthetic_soul.mind.farewell import Farewell
from synthetic_soul.mind.history import Histories
from synthetic_soul.mind.reflect import Reflect
from synthetic_soul.mind.reply import Reply
from synthetic_soul.mind.seeding import Seed
from synthetic_soul.mind.think import Think
from synthetic_soul.mind.turns import Turns
from synthetic_soul.mind.writing import Writer
from synthetic_soul.ports import (
    LLM,
    Clock,
    Embedder,
    EventBus,
    JobQueue,
    RateLimiter,
    Reranker,
    Store,
    Workers,
)
from synthetic_soul.scheduler import Leader, Scheduler, always_leader
from synthetic_soul.settings import EdgeConfig, Settings
from synthetic_soul.usecases.agents import Agents
from synthetic_soul.usecases.cards import Characters
from synthetic_soul.usecases.chatting import Chat
from synthetic_soul.usecases.conversations import Conversations, PendingCaps
from synthetic_soul.usecases.faces import Faces
from synthetic_soul.usecases.forgetting import Forgetting
from synthetic_soul.usecases.keys import Keys
from synthetic_soul.usecases.memories import Memories
from synthetic_soul.usecases.recall import Recall
from synthetic_soul.usecases.status import ServiceStatus
from synthetic_soul.usecases.watching import Watching

log = logging.getLogger(__name__)


@dataclass
class Container:
    settings: Settings
    clock: Clock
    store: Store
    queue: JobQueue
    bus: EventBus
    limiter: RateLimiter
    llm: LLM
    passwords: Passwords
    auth: Auth
    keys: Keys
    forgetting: Forgetting
    jobs: Jobs
    conversations: Conversations
    agents: Agents
    characters: Characters
    memories: Memories
    histories: Histories
    scheduler: Scheduler
    watching: Watching
    status: ServiceStatus
    edge: EdgeConfig

    @cached_property
    def chat(self) -> Chat:
        """Chat as OpenAI's clients speak it: through the conversations and their jobs."""
        return Chat(self.conversations, self.watching, self.agents, self.store)

    @cached_property
    def faces(self) -> Faces:
        """The faces agents wear in expression images (theirs, else the default set)."""
        return Faces(self.store, self.agents, self.auth)


def _store(settings: Settings) -> Store:
    if settings.store_backend == "mongo":
        from synthetic_soul.adapters.store.mongo import MongoStore

        return MongoStore(settings.mongo_uri, settings.database_name)
    from synthetic_soul.adapters.store.sqlite import SQLiteStore

    return SQLiteStore(settings.database_path)


def _llm(settings: Settings) -> LLM:
    if settings.llm_mode == "embedded":
        from synthetic_soul.adapters.llm.embedded import EmbeddedLLM

        return EmbeddedLLM(settings.embedded)
    if settings.llm_mode in ("hosted", "local", "compatible"):
        from synthetic_soul.adapters.llm.openai_compat import OpenAICompatLLM

        return OpenAICompatLLM(settings.endpoint, settings.llm_timeout, settings.llm_max_retries)
    from synthetic_soul.adapters.llm.scripted import ScriptedLLM

    return ScriptedLLM(delay_ms=settings.scripted_delay_ms, prompt_log=settings.scripted_prompt_log)


def _embedder(settings: Settings) -> Embedder | None:
    """What recall by meaning embeds with; None: recall by words alone, said once in the log
    (EMBEDDER=off, or the local model not pulled yet: replies must not wait on a download)."""
    config = settings.embedding
    if config.embedder == "provider":
        from synthetic_soul.adapters.embeddings.openai_compat import ProviderEmbedder

        return ProviderEmbedder(settings.endpoint, config)
    if config.embedder == "local" and _pulled(config.model, config.directory, "by words alone"):
        from synthetic_soul.adapters.embeddings.local import LocalEmbedder

        return LocalEmbedder(config)
    return None


def _reranker(settings: Settings) -> Reranker | None:
    """What reads recall's best few again; None: they stay in the searches' order, said once
    in the log (RERANKER=off, or the model not pulled yet)."""
    config = settings.reranking
    if config.reranker != "local" or not _pulled(config.model, config.directory, "not reranked"):
        return None
    from synthetic_soul.adapters.embeddings.cross_encoder import CrossEncoderReranker

    return CrossEncoderReranker(config)


def _pulled(model: str, directory: Path, else_recall: str) -> bool:
    """Whether the local model is pulled and verified; if not, the log says once how recall
    goes on without it (replies must not wait on a download)."""
    from synthetic_soul.adapters.llm.model_files import ModelError, resolve_bundle

    try:
        resolve_bundle(model, directory)
    except ModelError as exc:
        log.warning("recall %s: %s", else_recall, exc)
        return False
    return True


async def open_store(settings: Settings) -> Store:
    """The configured store, opened; `StoreOpenError` (one line: what and where) if it cannot be."""
    store = _store(settings)
    await store.open()
    return store


@asynccontextmanager
async def running(
    settings: Settings,
    clock: Clock | None = None,
    llm: LLM | None = None,
    *,
    background: bool = True,
    store: Store | None = None,
) -> AsyncIterator[Container]:
    """Open every adapter, make sure the agent exists, start the workers; undo on exit.

    With `background=False` the scheduler is built but not started: the caller ticks it
    (a simulation driving its own clock does). A `store` already opened (`open_store`) is
    used and closed on exit.
    """
    settings.check_secrets()
    clock = clock or SystemClock()
    if store is None:
        store = await open_store(settings)
    async with AsyncExitStack() as undo:
        undo.push_async_callback(store.close)
        yield await _assemble(settings, clock, llm, store, background, undo)


async def _assemble(
    settings: Settings,
    clock: Clock,
    llm: LLM | None,
    store: Store,
    background: bool,
    undo: AsyncExitStack,
) -> Container:
    """Everything but the store, each part's undoing pushed on `undo` as it is made."""
    bus, limiter, queue, workers, leader = _messaging(settings, clock, store, undo)
    passwords = Passwords(settings.argon2_pepper)
    undo.callback(passwords.close)
    if llm is None:
        llm = _llm(settings)
        undo.push_async_callback(llm.close)  # built here, so closed here
    agent = await _default_agent(settings, clock, store)
    jobs = _jobs(settings, clock, store, llm, bus, queue, undo)
    scheduler = Scheduler(
        store,
        queue,
        clock,
        agent,
        settings.thinking_rate_seconds,
        settings.emotional_decay_rate_seconds,
        thinking=settings.thinking_enabled,
        leader=leader,
        # Workers in other processes can die alone; the embedded one recovers at its start.
        recover=jobs.recover if settings.queue_backend == "rq" else None,
        recovery_period_s=settings.job_stale_after_s / 2,
    )
    auth = _auth(settings, clock, store, passwords, limiter, agent)
    agents = Agents(store, clock, agent)
    container = Container(
        settings=settings,
        clock=clock,
        store=store,
        queue=queue,
        bus=bus,
        limiter=limiter,
        llm=llm,
        passwords=passwords,
        auth=auth,
        keys=Keys(store, clock, settings.argon2_pepper),
        forgetting=Forgetting(store, queue, clock, auth),
        jobs=jobs,
        conversations=Conversations(
            store,
            queue,
            limiter,
            clock,
            agent,
            PendingCaps(
                settings.max_pending_replies_per_user,
                settings.max_pending_replies_per_address,
                settings.argon2_pepper,
            ),
        ),
        agents=agents,
        characters=Characters(agents, store, clock, queue),
        memories=Memories(store, agent),
        histories=Histories(store, clock, agent),
        scheduler=scheduler,
        watching=Watching(store, bus, limiter, settings.sse_keepalive_s),
        status=ServiceStatus(queue, clock, llm),
        edge=settings.edge,
    )
    if workers is not None:
        await workers.start(jobs.run)
        undo.push_async_callback(workers.stop)
    undo.push_async_callback(jobs.stop)
    if background:
        await scheduler.start()
    undo.push_async_callback(scheduler.stop)
    return container


async def _default_agent(settings: Settings, clock: Clock, store: Store) -> ActiveAgent:
    """The deployment's own agent (BOT_NAME), made on the first start in `MODE`. A name is one
    agent: a later start with another MODE finds it and it keeps the mode it was made in."""
    agent = await store.ensure_agent(
        new_agent(
            uuid.uuid4().hex,
            settings.bot_name,
            settings.mode,
            random.Random(settings.soul_seed),  # None: a personality of its own
            clock.now(),
        )
    )
    if agent.mode != settings.mode:
        log.warning(
            "%s was made in %s mode and keeps it (MODE=%s makes new agents only)",
            agent.name,
            agent.mode,
            settings.mode,
        )
    return ActiveAgent.of(agent)


@asynccontextmanager
async def roster(settings: Settings) -> AsyncIterator[tuple[Agents, Characters]]:
    """The agents and their cards on the configured store alone, for the operator's CLI
    (`soul agent ...`): no model, no queue, no workers."""
    clock = SystemClock()
    store = await open_store(settings)
    try:
        agents = Agents(store, clock, await _default_agent(settings, clock, store))
        yield agents, Characters(agents, store, clock)
    finally:
        await store.close()


def _jobs(
    settings: Settings,
    clock: Clock,
    store: Store,
    llm: LLM,
    bus: EventBus,
    queue: JobQueue,
    undo: AsyncExitStack,
) -> Jobs:
    """The mind's jobs and the runner that runs them, all writing through one writer."""
    writer = Writer()  # one writer of the agent at a time in this process
    embedder = _embedder(settings)
    if embedder is not None:
        undo.push_async_callback(embedder.close)
    reranker = _reranker(settings)
    if reranker is not None:
        undo.push_async_callback(reranker.close)
    recall = Recall(store, embedder, reranker)
    # The model reads the next reply's prompt while idle; stopped before the model closes.
    ahead = Ahead(store, llm, clock, recall)
    undo.push_async_callback(ahead.stop)
    turns = Turns(store, bus, clock)
    handlers: dict[str, Handler] = {
        "reply": Reply(store, llm, clock, turns, True, writer, ahead, recall),
        "reflect": Reflect(store, llm, clock, writer, ahead),
        "embed": Embed(store, recall, clock),
        "think": Think(store, llm, clock, settings.soul_seed, writer),
        "farewell": Farewell(store, clock, writer),
        "seed": Seed(store, llm, clock, writer),
    }
    return Jobs(
        store,
        bus,
        queue,
        clock,
        handlers,
        settings.job_timeout_s,
        max_attempts=settings.job_max_attempts,
        stale_after_s=settings.job_stale_after_s,
    )


def _auth(
    settings: Settings,
    clock: Clock,
    store: Store,
    passwords: Passwords,
    limiter: RateLimiter,
    agent: ActiveAgent,
) -> Auth:
    return Auth(
        store,
        AccessTokens(settings.jwt_secret, settings.access_ttl_min * 60),
        passwords,
        limiter,
        clock,
        AuthConfig(
            pepper=settings.argon2_pepper,
            refresh_ttl_s=settings.refresh_ttl_days * 86400,
            agent=agent,
            developer_email=settings.developer_email,
            guest_signups_per_hour=settings.guest_signups_per_hour,
        ),
    )


def _messaging(
    settings: Settings, clock: Clock, store: Store, undo: AsyncExitStack
) -> tuple[EventBus, RateLimiter, JobQueue, Workers | None, Leader]:
    """The bus, the limiter, the queue, the workers and who leads the scheduler: in this
    process for the embedded deployment, shared through Redis when RQ workers run the jobs
    (then `soul worker` processes run them, and this process starts no workers)."""
    if settings.queue_backend == "rq":
        from synthetic_soul.adapters.events.redis import RedisEventBus
        from synthetic_soul.adapters.limits.redis import RedisRateLimiter
        from synthetic_soul.adapters.locks.redis import RedisLeadership
        from synthetic_soul.adapters.queue.rq import RQJobQueue
        from synthetic_soul.adapters.redis_connection import async_redis, sync_redis

        client = async_redis(settings.redis)
        undo.push_async_callback(client.aclose)
        connection = sync_redis(settings.redis)
        undo.callback(connection.close)
        redis_bus = RedisEventBus(client)
        undo.push_async_callback(redis_bus.close)
        leadership = RedisLeadership(client)
        undo.push_async_callback(leadership.release)
        return (
            redis_bus,
            RedisRateLimiter(client, clock),
            RQJobQueue(connection, settings.job_timeout_s),
            None,
            leadership,
        )
    from synthetic_soul.adapters.events.memory import MemoryEventBus
    from synthetic_soul.adapters.limits.memory import MemoryRateLimiter
    from synthetic_soul.adapters.queue.inline import InlineJobQueue

    bus = MemoryEventBus()
    undo.push_async_callback(bus.close)
    queue = InlineJobQueue(store, clock, settings.inline_workers, settings.job_max_attempts)
    # The embedded deployment is this one process: its queue's own workers run the jobs,
    # and it runs the one scheduler.
    return bus, MemoryRateLimiter(clock), queue, queue, always_leader
