-- Data-subject requests awaiting approval: type + target + sealed change.
CREATE TABLE requests (
    id         INTEGER PRIMARY KEY,
    tenant     INTEGER NOT NULL,
    rtoken     TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    user_token TEXT NOT NULL,
    type       TEXT NOT NULL,
    target     TEXT NOT NULL,
    status     TEXT NOT NULL,
    sealed     BLOB,
    version    INTEGER NOT NULL,
    created    INTEGER NOT NULL,
    updated    INTEGER NOT NULL,
    UNIQUE (tenant, rtoken)
);
CREATE INDEX requests_by_user ON requests (tenant, user_id, id);
CREATE INDEX requests_by_status ON requests (tenant, status, id);
