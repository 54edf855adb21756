package dev.pactum.server.msgcrash;

import org.junit.jupiter.api.BeforeAll;

/** {@link MessageProducerCoordinatorTest} with the SDK on the coordinator's wire protocol instead of HTTP. */
class MessageProducerCoordinatorWireTest extends MessageProducerCoordinatorTest {
    @BeforeAll
    static void start() throws Exception { // hides the HTTP one: JUnit runs this one only
        startWith(true);
    }
}
