"""The embedded store's agents: one a name, whatever its mode (see `agent_names`).

The agents table of older files is unique on (name, mode) only; here, in one transaction, any
later agent of a taken name is renamed and the unique index on the name alone is made.
Another process opening the file at the same time waits for it and finds nothing to do.
"""

from __future__ import annotations

import json
import sqlite3

from synthetic_soul.adapters.store.agent_names import StoredAgent, rename_later_agents


def one_agent_a_name(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        shared = [
            StoredAgent(r["id"], r["name"], r["mode"], float(json.loads(r["doc"])["birthdate"]))
            for r in db.execute(
                "SELECT id, name, mode, doc FROM agents WHERE name IN"
                " (SELECT name FROM agents GROUP BY name HAVING count(*) > 1)"
            )
        ]
        names = {r["name"] for r in db.execute("SELECT name FROM agents")}
        for agent_id, name in rename_later_agents(shared, names).items():
            db.execute(
                "UPDATE agents SET name = ?, doc = json_set(doc, '$.name', ?),"
                " version = version + 1 WHERE id = ?",
                (name, name, agent_id),
            )
        db.execute("CREATE UNIQUE INDEX IF NOT EXISTS agents_name_unique ON agents(name)")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
