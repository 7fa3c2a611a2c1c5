"""The MongoDB store: the SQLite store's contract, over MongoDB (or a server that speaks it).

One mixin per area, one module each, over one client and database (`base`). A change of one
document is one conditional operation; what spans documents (a sign-up, a claim, a submitted
message, a job's commit, forgetting a user, recovering jobs) is one transaction.
"""

from synthetic_soul.adapters.store.mongo.accounts import AccountCollections
from synthetic_soul.adapters.store.mongo.agents import AgentCollections
from synthetic_soul.adapters.store.mongo.commits import CommitCollections
from synthetic_soul.adapters.store.mongo.conversations import ConversationCollections
from synthetic_soul.adapters.store.mongo.faces import FaceCollections
from synthetic_soul.adapters.store.mongo.jobs import JobCollections
from synthetic_soul.adapters.store.mongo.keys import KeyCollections
from synthetic_soul.adapters.store.mongo.leases import LeaseCollections
from synthetic_soul.adapters.store.mongo.memories import MemoryCollections
from synthetic_soul.adapters.store.mongo.mind import MindCollections
from synthetic_soul.adapters.store.mongo.thoughts import ThoughtCollections

__all__ = ["MongoStore"]


class MongoStore(
    AccountCollections,
    KeyCollections,
    AgentCollections,
    FaceCollections,
    ConversationCollections,
    JobCollections,
    LeaseCollections,
    ThoughtCollections,
    MemoryCollections,
    MindCollections,
    CommitCollections,
):
    """Every port of the store (`ports.Store`) over one MongoDB database."""
