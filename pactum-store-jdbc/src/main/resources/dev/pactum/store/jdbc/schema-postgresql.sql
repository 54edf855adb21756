-- Pactum JDBC transaction store, PostgreSQL 12 or later.
-- JdbcTransactionStore runs this script at start; every statement is idempotent, so it is safe on an existing
-- schema and may also be applied by hand where the coordinator's user has no DDL rights.
-- The script is split on semicolons at line ends: keep comments on their own lines and no semicolons in them.
--
-- Instants are epoch milliseconds (BIGINT): the coordinator's Clock decides every time, the database never
-- does, and a number has no time zone, no session setting and the same meaning in every dialect.
-- Ids use the "C" collation: byte order, case-sensitive, so gid paging matches Java's String order for the
-- plain ASCII ids Pactum issues, whatever the database's default collation is.

CREATE TABLE IF NOT EXISTS pactum_global (
    gid             VARCHAR(64)  COLLATE "C" NOT NULL,
    pattern         VARCHAR(32)  NOT NULL,
    status          VARCHAR(32)  NOT NULL,
    reason          TEXT,
    created_at      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL,
    timeout_at      BIGINT       NOT NULL,
    next_attempt_at BIGINT,
    owner           VARCHAR(255) COLLATE "C",
    lease_until     BIGINT,
    version         BIGINT       NOT NULL,
    CONSTRAINT pactum_global_pk PRIMARY KEY (gid)
);

-- Claiming reads the earliest due rows first and stops at the limit: an index led by next_attempt_at gives
-- them in order. Final transactions have no schedule (NULL), so the partial index leaves them out and stays
-- as small as the unfinished work.
CREATE INDEX IF NOT EXISTS pactum_global_due ON pactum_global (next_attempt_at)
    WHERE next_attempt_at IS NOT NULL;

-- Listing by status pages by gid.
CREATE INDEX IF NOT EXISTS pactum_global_status ON pactum_global (status, gid);

CREATE TABLE IF NOT EXISTS pactum_branch (
    gid         VARCHAR(64) COLLATE "C" NOT NULL,
    branch_id   VARCHAR(64) COLLATE "C" NOT NULL,
    -- Registration order: inserts for one gid are serialized by the lock on its pactum_global row.
    seq         BIGINT GENERATED ALWAYS AS IDENTITY,
    status      VARCHAR(32) NOT NULL,
    -- The branch's operations as JSON, [{"name":"confirm","target":"http://...","payload":null}, ...]: which
    -- names a branch has is its pattern's rule (TCC: try, confirm, cancel; XA: prepare, commit, rollback), so a
    -- new pattern needs no new column. Written once, at registration.
    operations  TEXT        NOT NULL,
    attempts    INTEGER     NOT NULL,
    last_error  TEXT,
    created_at  BIGINT      NOT NULL,
    updated_at  BIGINT      NOT NULL,
    CONSTRAINT pactum_branch_pk PRIMARY KEY (gid, branch_id),
    CONSTRAINT pactum_branch_global_fk FOREIGN KEY (gid) REFERENCES pactum_global (gid) ON DELETE CASCADE
);

-- Order per key (docs/messages.md, "Order per key"): the decided, undelivered keyed messages of each lane (a
-- destination and key, as SHA-256 hex), by the order their commits were decided. An entry is written in the
-- decision's transaction and deleted in the one that records the message delivered. Only the head (lowest seq)
-- of a lane is delivered.
CREATE TABLE IF NOT EXISTS pactum_lane (
    lane        CHAR(64)    COLLATE "C" NOT NULL,
    seq         BIGINT      NOT NULL,
    gid         VARCHAR(64) COLLATE "C" NOT NULL,
    branch_id   VARCHAR(64) COLLATE "C" NOT NULL,
    CONSTRAINT pactum_lane_pk PRIMARY KEY (lane, seq)
);

-- The last seq of each lane. A decision increments it first: the row lock, held until the decision commits,
-- makes decisions of one lane commit in seq order, so a decision never sees a later one ahead of an earlier.
CREATE TABLE IF NOT EXISTS pactum_lane_tail (
    lane        CHAR(64)    COLLATE "C" NOT NULL,
    last_seq    BIGINT      NOT NULL,
    CONSTRAINT pactum_lane_tail_pk PRIMARY KEY (lane)
);
