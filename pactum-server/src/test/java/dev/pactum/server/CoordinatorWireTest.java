package dev.pactum.server;

import java.net.URI;

/** {@link CoordinatorHttpTest}'s TCC lifecycle with the SDK on the coordinator's wire protocol instead of HTTP. */
class CoordinatorWireTest extends CoordinatorHttpTest {
    @Override
    URI address() {
        return URI.create("pactum://127.0.0.1:" + coordinator.wirePort());
    }
}
