-- Consent management: legal bases (tenant-wide definitions, in clear),
-- users' agreements to them (personal fields sealed under the user's data
-- key; the user named only by the internal id) and processing activities
-- with their links to legal bases. The same tables as SQLite's 0004.
-- Statements end with ';' at the end of a line; each can be run again safely.
CREATE TABLE IF NOT EXISTS legal_basis (
    id      BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant  BIGINT NOT NULL,
    brief   VARCHAR(64) NOT NULL,
    status  VARCHAR(16) NOT NULL,
    doc     LONGTEXT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE KEY legal_basis_by_brief (tenant, brief)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS agreements (
    id        BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant    BIGINT NOT NULL,
    user_id   BIGINT NOT NULL,
    lbasis_id BIGINT NOT NULL,
    status    VARCHAR(16) NOT NULL,
    starttime BIGINT NOT NULL,
    endtime   BIGINT NOT NULL,
    created   BIGINT NOT NULL,
    updated   BIGINT NOT NULL,
    version   BIGINT NOT NULL,
    sealed    LONGBLOB NOT NULL,
    UNIQUE KEY agreements_by_user (tenant, user_id, lbasis_id),
    KEY agreements_by_lbasis (tenant, lbasis_id),
    CONSTRAINT agreements_user FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT agreements_lbasis FOREIGN KEY (lbasis_id) REFERENCES legal_basis (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS pactivity (
    id       BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant   BIGINT NOT NULL,
    activity VARCHAR(64) NOT NULL,
    doc      LONGTEXT NOT NULL,
    created  BIGINT NOT NULL,
    updated  BIGINT NOT NULL,
    UNIQUE KEY pactivity_by_name (tenant, activity)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS pactivity_lbasis (
    tenant      BIGINT NOT NULL,
    activity_id BIGINT NOT NULL,
    lbasis_id   BIGINT NOT NULL,
    PRIMARY KEY (activity_id, lbasis_id),
    KEY pactivity_lbasis_by_lbasis (lbasis_id),
    CONSTRAINT pactivity_lbasis_activity FOREIGN KEY (activity_id) REFERENCES pactivity (id)
        ON DELETE CASCADE,
    CONSTRAINT pactivity_lbasis_lbasis FOREIGN KEY (lbasis_id) REFERENCES legal_basis (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
