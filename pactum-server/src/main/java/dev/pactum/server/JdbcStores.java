package dev.pactum.server;

import dev.pactum.core.spi.TransactionStore;

/** Opens the shared JDBC store named by {@link ServerConfig#storeUrl()}. */
final class JdbcStores {
    private JdbcStores() {
    }

    static TransactionStore open(ServerConfig config) {
        throw new UnsupportedOperationException("JDBC store not wired yet: " + config.storeUrl());
    }
}
