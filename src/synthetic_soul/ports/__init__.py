"""The ports: every boundary the use cases cross, as Protocols, one module a boundary.

The store is cut by aggregate (accounts, their API keys, agents and their faces, conversations,
jobs, leases, thoughts, memories, the mind's reads, commits); a backend offers them all over one
database (`store.Store`), and a use case names only the ones it uses. Adapters live in
`synthetic_soul.adapters`; each port's adapters pass one shared contract suite.
This module gathers the names, so `from synthetic_soul.ports import X` reads one place.
"""

from synthetic_soul.ports.accounts import Accounts, ApiKeys, Sessions
from synthetic_soul.ports.agents import Agents, Profile, Snapshots
from synthetic_soul.ports.clock import Clock
from synthetic_soul.ports.commits import Commits, MindCommit, Plan, ReplyCommit
from synthetic_soul.ports.conversations import Conversations, Turn
from synthetic_soul.ports.embeddings import Embedder
from synthetic_soul.ports.errors import ConflictError, StaleStateError
from synthetic_soul.ports.events import EventBus, Subscription
from synthetic_soul.ports.faces import AgentFaces
from synthetic_soul.ports.jobs import Jobs
from synthetic_soul.ports.leases import Leases
from synthetic_soul.ports.limits import RateLimiter
from synthetic_soul.ports.llm import (
    LLM,
    LLMError,
    LLMInfo,
    LLMRequest,
    M,
    TextSink,
    TextStream,
    Tier,
)
from synthetic_soul.ports.memories import Memories
from synthetic_soul.ports.mind import MindReads, Musing, Reflection
from synthetic_soul.ports.queue import JobHandler, JobQueue, Workers
from synthetic_soul.ports.reranking import Reranker
from synthetic_soul.ports.store import Lifecycle, Store
from synthetic_soul.ports.thoughts import Thoughts

__all__ = [
    "LLM",
    "Accounts",
    "AgentFaces",
    "Agents",
    "ApiKeys",
    "Clock",
    "Commits",
    "ConflictError",
    "Conversations",
    "Embedder",
    "EventBus",
    "JobHandler",
    "JobQueue",
    "Jobs",
    "LLMError",
    "LLMInfo",
    "LLMRequest",
    "Leases",
    "Lifecycle",
    "M",
    "Memories",
    "MindCommit",
    "MindReads",
    "Musing",
    "Plan",
    "Profile",
    "RateLimiter",
    "Reflection",
    "ReplyCommit",
    "Reranker",
    "Sessions",
    "Snapshots",
    "StaleStateError",
    "Store",
    "Subscription",
    "TextSink",
    "TextStream",
    "Thoughts",
    "Tier",
    "Turn",
    "Workers",
]
