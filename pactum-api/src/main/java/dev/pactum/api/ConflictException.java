package dev.pactum.api;

/**
 * The request is well formed but does not fit the transaction's current state (submit after abort...), or repeats
 * a begin with a different value: {@link #field()} then names the value that differs.
 */
public class ConflictException extends PactumException {
    public static final String CODE = "conflict";

    private final String field;

    public ConflictException(String message, String gid, String status) {
        this(null, message, gid, status);
    }

    public ConflictException(String field, String message, String gid, String status) {
        super(CODE, message, gid, status);
        this.field = field;
    }

    /** The request field the conflict is about, or null when it is about the transaction's state. */
    public String field() {
        return field;
    }
}
