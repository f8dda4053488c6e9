-- App data (one sealed JSON document per user and application name) and
-- sessions (sealed JSON documents with an expiry, optionally tied to a user).
CREATE TABLE appdata (
    id      INTEGER PRIMARY KEY,
    tenant  INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    appname TEXT NOT NULL,
    body    BLOB NOT NULL,
    version INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    UNIQUE (tenant, user_id, appname)
);
CREATE INDEX appdata_by_name ON appdata (tenant, appname);

-- sid_hash is a keyed hash of the session id: the id itself is a bearer
-- secret of the application and is kept only inside the sealed body.
-- user_token is NULL for a session not tied to a user; such a session has its
-- own wrapped data key in dek, a tied one is sealed under the user's key.
CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    tenant     INTEGER NOT NULL,
    sid_hash   BLOB NOT NULL,
    user_token TEXT,
    dek        BLOB,
    body       BLOB NOT NULL,
    version    INTEGER NOT NULL,
    created    INTEGER NOT NULL,
    updated    INTEGER NOT NULL,
    expires    INTEGER NOT NULL,
    final      INTEGER NOT NULL,
    UNIQUE (tenant, sid_hash)
);
CREATE INDEX sessions_by_user ON sessions (tenant, user_token);
CREATE INDEX sessions_by_expiry ON sessions (expires);
