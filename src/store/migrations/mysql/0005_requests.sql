-- Data-subject requests awaiting approval: type + target + sealed change.
CREATE TABLE IF NOT EXISTS requests (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant     BIGINT NOT NULL,
    rtoken     CHAR(36) NOT NULL,
    user_id    BIGINT NOT NULL,
    user_token CHAR(36) NOT NULL,
    type       VARCHAR(32) NOT NULL,
    target     VARCHAR(255) NOT NULL,
    status     VARCHAR(16) NOT NULL,
    sealed     LONGBLOB,
    version    BIGINT NOT NULL,
    created    BIGINT NOT NULL,
    updated    BIGINT NOT NULL,
    UNIQUE KEY requests_by_rtoken (tenant, rtoken),
    KEY requests_by_user (tenant, user_id, id),
    KEY requests_by_status (tenant, status, id),
    CONSTRAINT requests_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
