package dev.pactum.bench;

/**
 * One way of sending a message that the message benchmark measures beside the others, on the same destination
 * kind, payload and concurrency: Pactum's {@code MessageProducer.send}, the broker's raw publish, RocketMQ's own
 * transactional send. Each side's consumer reports receipts by the id {@link #send} returns.
 */
interface MsgSide extends AutoCloseable {
    /** For the printout and the JSON line. */
    String name();

    /**
     * Sends one message and returns when the sender's API answered that it is committed (the submit, the publish
     * confirm, RocketMQ's send with its local transaction committed); throws when it is not.
     *
     * @return the message's id as the consumer will report it
     */
    String send() throws Exception;

    /**
     * The process that plays the coordinator's part for this side (RocketMQ's broker, which keeps the half messages
     * and checks them back), whose CPU per message is reported beside the coordinator's; -1 when there is none.
     */
    default long serverPid() {
        return -1;
    }

    /** Check-backs the side's broker made so far (RocketMQ's, counted by the producer); -1 when not counted. */
    default long checkBacks() {
        return -1;
    }

    /** What this side is, for the printout; its name by default. */
    default String describe() {
        return name();
    }
}
