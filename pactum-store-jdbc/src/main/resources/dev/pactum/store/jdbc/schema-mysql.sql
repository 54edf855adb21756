-- Pactum JDBC transaction store, MariaDB 10.6 or later and MySQL 8.0 or later (both needed for SKIP LOCKED).
-- JdbcTransactionStore runs this script at start; every statement is idempotent, so it is safe on an existing
-- schema and may also be applied by hand where the coordinator's user has no DDL rights.
-- The script is split on semicolons at line ends: keep comments on their own lines and no semicolons in them.
-- Indexes are declared inside CREATE TABLE because MySQL has no CREATE INDEX IF NOT EXISTS.
--
-- Instants are epoch milliseconds (BIGINT): the coordinator's Clock decides every time, the database never
-- does, and a number has no time zone, no session setting, no TIMESTAMP 2038 limit and the same meaning in
-- every dialect.
-- reason and last_error are MEDIUMTEXT: in strict mode a TEXT (64 KiB) overflow would be an error, and a
-- branch whose last error cannot be written would never finish.
-- Every string is utf8mb4_bin: the server default (utf8mb4_general_ci) is case-insensitive and would make
-- 'order-A' and 'order-a' one transaction, and would page gids in an order Java does not know.

CREATE TABLE IF NOT EXISTS pactum_global (
    gid             VARCHAR(64)  NOT NULL,
    pattern         VARCHAR(32)  NOT NULL,
    status          VARCHAR(32)  NOT NULL,
    reason          MEDIUMTEXT,
    created_at      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL,
    timeout_at      BIGINT       NOT NULL,
    next_attempt_at BIGINT,
    owner           VARCHAR(255),
    lease_until     BIGINT,
    version         BIGINT       NOT NULL,
    PRIMARY KEY (gid),
    -- Claiming reads the earliest due rows first and stops at the limit. Final transactions have no
    -- schedule (NULL), which the range next_attempt_at <= now skips.
    KEY pactum_global_due (next_attempt_at, status),
    -- Listing by status pages by gid.
    KEY pactum_global_status (status, gid)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS pactum_branch (
    gid         VARCHAR(64) NOT NULL,
    branch_id   VARCHAR(64) NOT NULL,
    -- Registration order: inserts for one gid are serialized by the lock on its pactum_global row.
    seq         BIGINT      NOT NULL AUTO_INCREMENT,
    status      VARCHAR(32) NOT NULL,
    -- The branch's operations as JSON, [{"name":"confirm","target":"http://...","payload":null}, ...]: which
    -- names a branch has is its pattern's rule (TCC: try, confirm, cancel; XA: prepare, commit, rollback), so a
    -- new pattern needs no new column. Written once, at registration.
    operations  TEXT        NOT NULL,
    attempts    INT         NOT NULL,
    last_error  MEDIUMTEXT,
    created_at  BIGINT      NOT NULL,
    updated_at  BIGINT      NOT NULL,
    PRIMARY KEY (gid, branch_id),
    UNIQUE KEY pactum_branch_seq (seq),
    CONSTRAINT pactum_branch_global_fk FOREIGN KEY (gid) REFERENCES pactum_global (gid) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Order per key (docs/messages.md, "Order per key"): the decided, undelivered keyed messages of each lane (a
-- destination and key, as SHA-256 hex), by the order their commits were decided. An entry is written in the
-- decision's transaction and deleted in the one that records the message delivered. Only the head (lowest seq)
-- of a lane is delivered.
CREATE TABLE IF NOT EXISTS pactum_lane (
    lane        CHAR(64)    NOT NULL,
    seq         BIGINT      NOT NULL,
    gid         VARCHAR(64) NOT NULL,
    branch_id   VARCHAR(64) NOT NULL,
    PRIMARY KEY (lane, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The last seq of each lane. A decision increments it first: the row lock, held until the decision commits,
-- makes decisions of one lane commit in seq order, so a decision never sees a later one ahead of an earlier.
CREATE TABLE IF NOT EXISTS pactum_lane_tail (
    lane        CHAR(64)    NOT NULL,
    last_seq    BIGINT      NOT NULL,
    PRIMARY KEY (lane)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
