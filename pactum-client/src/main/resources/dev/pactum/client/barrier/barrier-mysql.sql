-- Pactum TCC barrier table, MySQL 8 and MariaDB 10.5+ (InnoDB). Idempotent: safe to run at every start.
-- One row per (global transaction, branch, operation) that took effect or was blocked; see docs/barrier.md.
-- The primary key is the barrier's unique key. It is the clustered index on purpose: a duplicate check on
-- the clustered index locks the existing record only, not the gap before it as a secondary unique index
-- would under REPEATABLE READ, so concurrent barriers deadlock less.
-- ascii_bin: ids are case-sensitive printable ASCII; the default collations would compare 'A' = 'a'.
-- created_at is UTC (DATETIME does not shift with the session time zone).
-- The index is declared inline because MySQL has no CREATE INDEX IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS pactum_barrier (
    gid        VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    branch_id  VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    op         VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    origin_op  VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (gid, branch_id, op),
    KEY pactum_barrier_created_at (created_at)
) ENGINE = InnoDB;
