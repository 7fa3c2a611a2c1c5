"""The MongoDB store's agents: one a name, whatever its mode (see `agent_names`).

Older databases hold agents unique on (name, mode) only; before the unique index on the name
alone is made, any later agent of a taken name is renamed here. Processes opening one
database together compute the same names, and each rename is conditional on the old one.
"""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from synthetic_soul.adapters.store.agent_names import StoredAgent, rename_later_agents
from synthetic_soul.adapters.store.mongo.records import Doc


async def one_agent_a_name(db: AsyncDatabase[Doc]) -> None:
    fields = {"name": 1, "mode": 1, "state.birthdate": 1}
    stored = [
        StoredAgent(d["_id"], d["name"], d["mode"], float(d["state"]["birthdate"]))
        async for d in db["agents"].find({}, fields)
    ]
    renamed = rename_later_agents(stored, {a.name for a in stored})
    names = {a.id: a.name for a in stored}
    for agent_id, name in renamed.items():
        await db["agents"].update_one(
            {"_id": agent_id, "name": names[agent_id]},
            {"$set": {"name": name, "state.name": name}, "$inc": {"version": 1}},
        )
