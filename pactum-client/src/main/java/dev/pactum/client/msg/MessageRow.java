package dev.pactum.client.msg;

/**
 * The message's row in the barrier table ({@code pactum_barrier}): key {@code (gid, branch_id, 'msg')}. Whoever
 * inserts it first decides the local transaction's fate, and {@code origin_op} says who that was.
 */
final class MessageRow {
    /** The row's {@code op}: not a TCC operation, so it never meets a Try, Confirm or Cancel row. */
    static final String OP = "msg";
    /** {@code origin_op} of the row the producer's local transaction writes: it committed if the row is there. */
    static final String BY_LOCAL = "msg";
    /** {@code origin_op} of the row a check writes when it finds none: the local transaction can never commit. */
    static final String BY_CHECK = "rollback";

    private MessageRow() {
    }
}
