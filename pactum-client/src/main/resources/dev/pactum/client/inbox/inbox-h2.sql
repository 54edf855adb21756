-- Pactum inbox table, H2 2.x. Idempotent: safe to run at every start.
-- One row per message a consumer applied; see docs/connectors.md, "The inbox".
CREATE TABLE IF NOT EXISTS pactum_inbox (
    consumer   VARCHAR(64)  NOT NULL,
    gid        VARCHAR(128) NOT NULL,
    branch_id  VARCHAR(128) NOT NULL,
    attempt    VARCHAR(36)  NOT NULL,
    applied_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pactum_inbox_pk PRIMARY KEY (consumer, gid, branch_id)
);
-- Only for housekeeping (Inbox#deleteOlderThan).
CREATE INDEX IF NOT EXISTS pactum_inbox_applied_at ON pactum_inbox (applied_at);
