package dev.pactum.api;

/**
 * Base of Pactum's errors. Each carries a stable machine-readable {@link #code()} and, where there is one,
 * the global transaction id and the status it was in, so a log line or an HTTP error body says which
 * transaction and why.
 */
public class PactumException extends RuntimeException {
    private final String code;
    private final String gid;
    private final String status;

    public PactumException(String code, String message, String gid, String status) {
        super(message);
        this.code = code;
        this.gid = gid;
        this.status = status;
    }

    public PactumException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.gid = null;
        this.status = null;
    }

    public String code() {
        return code;
    }

    public String gid() {
        return gid;
    }

    public String status() {
        return status;
    }
}
