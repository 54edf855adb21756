-- Pactum inbox table, MySQL 8 and MariaDB 10.5+ (InnoDB). Idempotent: safe to run at every start.
-- One row per message a consumer applied; see docs/connectors.md, "The inbox".
-- The primary key (clustered) is the inbox's unique key: a duplicate check locks only the existing record.
-- ascii_bin: ids are case-sensitive printable ASCII; the default collations would compare 'A' = 'a'.
-- applied_at is UTC. The index is inline because MySQL has no CREATE INDEX IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS pactum_inbox (
    consumer   VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    gid        VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    branch_id  VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    attempt    VARCHAR(36)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    applied_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (consumer, gid, branch_id),
    KEY pactum_inbox_applied_at (applied_at)
) ENGINE = InnoDB;
