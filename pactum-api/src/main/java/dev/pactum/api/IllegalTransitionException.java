package dev.pactum.api;

/** A status change that the transition table forbids: always a bug, never bad input. */
public class IllegalTransitionException extends PactumException {
    public IllegalTransitionException(String message, String gid, String status) {
        super("illegal_transition", message, gid, status);
    }
}
