-- The end-user portal's one-time-code login. Nothing personal is kept in
-- clear: identities are keyed hashes (blind-index style), codes and session
-- tokens are keyed hashes. user_token is NULL in a code row for an identity
-- that names no user, so that unknown identities behave exactly like known
-- ones until the code is checked.
CREATE TABLE portal_codes (
    id         INTEGER PRIMARY KEY,
    tenant     INTEGER NOT NULL,
    ident_hash BLOB NOT NULL,
    user_token TEXT,
    code_hash  BLOB NOT NULL,
    created    INTEGER NOT NULL,
    expires    INTEGER NOT NULL,
    attempts   INTEGER NOT NULL,
    UNIQUE (tenant, ident_hash)
);
CREATE INDEX portal_codes_by_user ON portal_codes (tenant, user_token);
CREATE INDEX portal_codes_by_expiry ON portal_codes (expires);

CREATE TABLE portal_sessions (
    id         INTEGER PRIMARY KEY,
    tenant     INTEGER NOT NULL,
    token_hash BLOB NOT NULL,
    user_token TEXT NOT NULL,
    created    INTEGER NOT NULL,
    expires    INTEGER NOT NULL,
    UNIQUE (tenant, token_hash)
);
CREATE INDEX portal_sessions_by_user ON portal_sessions (tenant, user_token);
CREATE INDEX portal_sessions_by_expiry ON portal_sessions (expires);

-- Fixed-window rate counters for prelogin/login, per identity hash and per
-- client address hash; kept in the store so that several servers share them.
CREATE TABLE portal_hits (
    tenant       INTEGER NOT NULL,
    key_hash     BLOB NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (tenant, key_hash)
);
CREATE INDEX portal_hits_by_window ON portal_hits (window_start);
