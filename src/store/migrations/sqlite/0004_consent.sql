-- Consent management: legal bases (tenant-wide definitions, in clear),
-- users' agreements to them (personal fields sealed under the user's data
-- key; the user named only by the internal id) and processing activities
-- with their links to legal bases.
CREATE TABLE legal_basis (
    id      INTEGER PRIMARY KEY,
    tenant  INTEGER NOT NULL,
    brief   TEXT NOT NULL,
    status  TEXT NOT NULL,          -- active, inactive, deleted (kept for its agreements)
    doc     TEXT NOT NULL,          -- JSON of the descriptive fields
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    UNIQUE (tenant, brief)
);

CREATE TABLE agreements (
    id        INTEGER PRIMARY KEY,
    tenant    INTEGER NOT NULL,
    user_id   INTEGER NOT NULL REFERENCES users (id),
    lbasis_id INTEGER NOT NULL REFERENCES legal_basis (id),
    status    TEXT NOT NULL,        -- accept, cancel, revoked
    starttime INTEGER NOT NULL,
    endtime   INTEGER NOT NULL,
    created   INTEGER NOT NULL,
    updated   INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    sealed    BLOB NOT NULL,
    UNIQUE (tenant, user_id, lbasis_id)
);
CREATE INDEX agreements_by_lbasis ON agreements (tenant, lbasis_id);

CREATE TABLE pactivity (
    id       INTEGER PRIMARY KEY,
    tenant   INTEGER NOT NULL,
    activity TEXT NOT NULL,
    doc      TEXT NOT NULL,         -- JSON of the descriptive fields
    created  INTEGER NOT NULL,
    updated  INTEGER NOT NULL,
    UNIQUE (tenant, activity)
);

CREATE TABLE pactivity_lbasis (
    tenant      INTEGER NOT NULL,
    activity_id INTEGER NOT NULL REFERENCES pactivity (id) ON DELETE CASCADE,
    lbasis_id   INTEGER NOT NULL REFERENCES legal_basis (id) ON DELETE CASCADE,
    PRIMARY KEY (activity_id, lbasis_id)
) WITHOUT ROWID;
CREATE INDEX pactivity_lbasis_by_lbasis ON pactivity_lbasis (lbasis_id);
