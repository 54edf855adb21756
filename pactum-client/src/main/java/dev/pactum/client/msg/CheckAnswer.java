package dev.pactum.client.msg;

/**
 * What {@link MessageProducer#check} found about a message's local transaction, and what the check endpoint
 * answers the coordinator (docs/messages.md, "Check-back rules").
 *
 * <pre>
 *  answer        meaning                                                      HTTP
 *  COMMITTED     the local transaction committed its barrier row: deliver     200
 *  ROLLED_BACK   it rolled back, or never ran; now it never can commit        409
 *  UNKNOWN       it still held its row when the wait ran out, or the check    503  (asked again later)
 *                itself failed
 * </pre>
 *
 * COMMITTED and ROLLED_BACK are final: once answered, the local transaction's outcome cannot change.
 */
public enum CheckAnswer {
    COMMITTED(200),
    ROLLED_BACK(409),
    UNKNOWN(503);

    private final int httpStatus;

    CheckAnswer(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The status the check endpoint answers with: only the status is read by the coordinator. */
    public int httpStatus() {
        return httpStatus;
    }
}
