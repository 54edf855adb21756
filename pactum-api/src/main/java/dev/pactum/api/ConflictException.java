package dev.pactum.api;

/** The request is well formed but does not fit the transaction's current state (submit after abort...). */
public class ConflictException extends PactumException {
    public ConflictException(String message, String gid, String status) {
        super("conflict", message, gid, status);
    }
}
