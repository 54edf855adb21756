package dev.pactum.server.msgcrash;

/** {@link MessageProducerCoordinatorTest} with the SDK on the coordinator's wire protocol instead of HTTP. */
class MessageProducerCoordinatorWireTest extends MessageProducerCoordinatorTest {
    @Override
    boolean wire() {
        return true;
    }
}
