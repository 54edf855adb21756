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
}
