package dev.pactum.client.msg;

import java.util.Objects;

/**
 * How {@link MessageProducer#send} ended when the local transaction committed (every other ending throws).
 *
 * @param gid      the message's global transaction id, as the coordinator made it
 * @param branchId the message's branch id
 * @param state    whether the coordinator has heard the commit yet
 * @param detail   why the submit did not get through ({@link State#LEFT_TO_CHECK_BACK}), or null
 */
public record SendResult(String gid, String branchId, State state, String detail) {
    public enum State {
        /** The coordinator answered the submit: the message is sendable (COMMITTING) and will be delivered. */
        SUBMITTED,
        /**
         * The local transaction committed but the submit got no usable answer: the message is still a half message
         * at the coordinator, whose check-back will find the committed barrier row and deliver it.
         */
        LEFT_TO_CHECK_BACK
    }

    public SendResult {
        Objects.requireNonNull(gid, "gid");
        Objects.requireNonNull(branchId, "branchId");
        Objects.requireNonNull(state, "state");
    }
}
