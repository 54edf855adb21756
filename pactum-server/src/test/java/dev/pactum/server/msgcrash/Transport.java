package dev.pactum.server.msgcrash;

/**
 * One destination kind of the message crash tests: where the coordinator delivers, the consumer that reads it
 * (through a {@link ConsumerLedger}), and the broker outage the test causes mid-stream.
 */
interface Transport extends AutoCloseable {
    /** The destination URI the producer's messages name. */
    String destination();

    /** Takes the broker away from the coordinator: a kill (Kafka) or a cut of the proxy in front of it. */
    void breakBroker() throws Exception;

    /** Brings it back, on the same address. */
    void repairBroker() throws Exception;

    /** What the outage is, for the summary and the docs. */
    String outage();

    /** What the last outage did that the test can see, for the summary (empty when nothing is counted). */
    default String outageEffect() {
        return "";
    }
}
