package dev.pactum.client.inbox;

/** How {@link Inbox#apply} ended, and what the consumer answers the delivery with. */
public enum InboxResult {
    /** The work ran and committed together with the inbox row: acknowledge. */
    APPLIED(200),
    /** The inbox already holds the message: an earlier delivery applied it; the work was skipped. Acknowledge. */
    ALREADY_APPLIED(200),
    /**
     * The work threw {@link MessageRefusedException}: rolled back, nothing recorded. Answer "refused, do not
     * retry" (HTTP 409; reject without requeue on a broker).
     */
    REFUSED(409),
    /**
     * The local transaction lost a race (deadlock, serialization failure, lock timeout) and was rolled back:
     * nothing applied. Answer "try later" (HTTP 425; negative-acknowledge with requeue on a broker).
     */
    RETRY(425);

    private final int httpStatus;

    InboxResult(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The answer to an HTTP delivery, by DESIGN.md's conventions. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Whether the delivery may be acknowledged: the message's effect is committed, now or before. */
    public boolean acknowledge() {
        return this == APPLIED || this == ALREADY_APPLIED;
    }
}
