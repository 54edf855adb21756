-- Pactum TCC barrier table, H2 2.x. Idempotent: safe to run at every start.
-- One row per (global transaction, branch, operation) that took effect or was blocked; see docs/barrier.md.
CREATE TABLE IF NOT EXISTS pactum_barrier (
    gid        VARCHAR(128) NOT NULL,
    branch_id  VARCHAR(128) NOT NULL,
    op         VARCHAR(16)  NOT NULL,
    origin_op  VARCHAR(16)  NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pactum_barrier_pk PRIMARY KEY (gid, branch_id, op)
);
-- Only for housekeeping (Barrier#deleteOlderThan).
CREATE INDEX IF NOT EXISTS pactum_barrier_created_at ON pactum_barrier (created_at);
