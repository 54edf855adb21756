package dev.pactum.api;

/** The named global transaction (or branch) does not exist. */
public class NotFoundException extends PactumException {
    public NotFoundException(String message, String gid) {
        super("not_found", message, gid, null);
    }
}
