"""The embedded store's schema, created (idempotently) when the store opens."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT UNIQUE,
    password_hash TEXT,
    guest INTEGER NOT NULL,
    created_at REAL NOT NULL,
    username_key TEXT,
    email_key TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    refresh_hash TEXT NOT NULL,
    csrf_hash TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    revoked_at REAL,
    revoke_reason TEXT
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_used_at REAL
);
CREATE INDEX IF NOT EXISTS api_keys_user ON api_keys(user_id, created_at);
CREATE TABLE IF NOT EXISTS agents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    mode TEXT NOT NULL,
    doc TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    UNIQUE (name, mode)
);
CREATE TABLE IF NOT EXISTS profiles (
    agent_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    username TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (agent_id, user_id)
);
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    agent_name TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (agent_name, user_id)
);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    message TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    tone TEXT NOT NULL DEFAULT '',
    timestamp REAL NOT NULL,
    sender_id TEXT NOT NULL,
    sender_username TEXT NOT NULL,
    from_agent INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'dm',
    job_id TEXT,
    answered_by TEXT,
    channel TEXT
);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages(conversation_id, seq);
CREATE UNIQUE INDEX IF NOT EXISTS messages_reply_once
    ON messages(job_id) WHERE from_agent = 1 AND job_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    queue TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    progress REAL,
    result TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, created_at);
CREATE INDEX IF NOT EXISTS messages_channel
    ON messages(channel, seq) WHERE channel IS NOT NULL;
CREATE INDEX IF NOT EXISTS messages_pending
    ON messages(conversation_id, seq) WHERE from_agent = 0 AND answered_by IS NULL;
-- The channels a user has posted in, and their first post in each: what their search sees.
CREATE INDEX IF NOT EXISTS messages_joined
    ON messages(conversation_id, channel, seq) WHERE channel IS NOT NULL AND from_agent = 0;
-- Each message's vector for recall by meaning (`search.nearest`): little-endian float32, with
-- the model that made it; gone with its message, however that is deleted.
CREATE TABLE IF NOT EXISTS message_vectors (
    seq INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS message_vectors_forget AFTER DELETE ON messages BEGIN
    DELETE FROM message_vectors WHERE seq = old.seq;
END;
CREATE TABLE IF NOT EXISTS leases (
    key TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS thoughts (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    thought TEXT NOT NULL,
    timestamp REAL NOT NULL,
    user_id TEXT,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS thoughts_latest ON thoughts(agent_id, timestamp);
CREATE TABLE IF NOT EXISTS llm_calls (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    task TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    latency_ms REAL NOT NULL,
    ok INTEGER NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS llm_calls_by_job ON llm_calls(job_id);
"""
