package dev.pactum.api;

/** Bad input from a caller: names the offending field. Nothing has been changed when it is thrown. */
public class InvalidInputException extends PactumException {
    public static final String CODE = "invalid_input";

    private final String field;

    public InvalidInputException(String field, String message) {
        super(CODE, message, null, null);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
