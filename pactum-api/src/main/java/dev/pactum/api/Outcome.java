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
    /** HTTP 425 or 503, or anything unexpected: try again later. */
    ONGOING;

    public static Outcome fromHttpStatus(int status) {
        if (status >= 200 && status < 300) {
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
