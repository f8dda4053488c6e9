-- Data-subject requests awaiting approval: type + target + sealed change.
CREATE TABLE requests (
    id         BIGSERIAL PRIMARY KEY,
    tenant     BIGINT NOT NULL,
    rtoken     TEXT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    user_token TEXT NOT NULL,
    type       TEXT NOT NULL,
    target     TEXT NOT NULL,
    status     TEXT NOT NULL,
    sealed     BYTEA,
    version    BIGINT NOT NULL,
    created    BIGINT NOT NULL,
    updated    BIGINT NOT NULL,
    UNIQUE (tenant, rtoken)
);
CREATE INDEX requests_by_user ON requests (tenant, user_id, id);
CREATE INDEX requests_by_status ON requests (tenant, status, id);

ALTER TABLE requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON requests
    USING (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint)
    WITH CHECK (tenant = NULLIF(current_setting('app.tenant', true), '')::bigint);
