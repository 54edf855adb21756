package dev.pactum.client.wire;

/** A frame that breaks the wire protocol (docs/wire.md), with the id of the request it is about (0 if unknown). */
public final class WireException extends RuntimeException {
    private final int id;

    public WireException(int id, String message) {
        super(message, null, false, false);
        this.id = id;
    }

    public int id() {
        return id;
    }
}
