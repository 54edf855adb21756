package dev.pactum.api;

/**
 * The three answers a participant gives to a branch call (DESIGN.md, conventions).
 * Anything that is not one of these (a 500, a reset connection, a timeout) is treated as {@link #ONGOING}:
 * we do not know what happened, so the call is retried.
 */
public enum Outcome {
    /** HTTP 200: done. */
    SUCCESS,
    /** HTTP 409: refused for good; do not retry, roll back. */
    FAILURE,
    /** HTTP 425 or 503, or anything unexpected (another 2xx, a 3xx, a 404, a 5xx): try again later. */
    ONGOING;

    /**
     * Exactly 200 is success: a 202 (accepted, not done), a 204 or a 201 from something in front of the
     * participant is no proof that the branch's operation took effect, and counting it as done would let a
     * transaction commit on a vote nobody gave, or record a Confirm that never ran. Such answers are retried, and
     * the branch's lastError shows them.
     */
    public static Outcome fromHttpStatus(int status) {
        if (status == 200) {
            return SUCCESS;
        }
        if (status == 409) {
            return FAILURE;
        }
        return ONGOING;
    }

    public int httpStatus() {
        return switch (this) {
            case SUCCESS -> 200;
            case FAILURE -> 409;
            case ONGOING -> 425;
        };
    }
}
