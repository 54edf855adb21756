-- Pactum inbox table, PostgreSQL. Idempotent: safe to run at every start.
-- One row per message a consumer applied; see docs/connectors.md, "The inbox".
-- The primary key is the inbox's unique key: a second insert of the same message waits for the first
-- transaction, then conflicts if it committed or goes through if it rolled back.
-- attempt: a random id of the delivery attempt that wrote the row, read back before the commit to prove the row
-- (and so the work beside it) is still part of this transaction.
CREATE TABLE IF NOT EXISTS pactum_inbox (
    consumer   VARCHAR(64)  NOT NULL,
    gid        VARCHAR(128) NOT NULL,
    branch_id  VARCHAR(128) NOT NULL,
    attempt    VARCHAR(36)  NOT NULL,
    applied_at TIMESTAMPTZ  NOT NULL,
    CONSTRAINT pactum_inbox_pk PRIMARY KEY (consumer, gid, branch_id)
);
-- Only for housekeeping (Inbox#deleteOlderThan).
CREATE INDEX IF NOT EXISTS pactum_inbox_applied_at ON pactum_inbox (applied_at);
