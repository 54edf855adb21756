package dev.pactum.server;

import dev.pactum.core.spi.TransactionStore;
import dev.pactum.store.jdbc.JdbcStoreConfig;
import dev.pactum.store.jdbc.JdbcTransactionStore;

/** Opens the shared JDBC store named by {@link ServerConfig#storeUrl()}. */
final class JdbcStores {
    private JdbcStores() {
    }

    static TransactionStore open(ServerConfig config) {
        return JdbcTransactionStore.open(JdbcStoreConfig.of(config.storeUrl(), config.storeUser(), config.storePassword()));
    }
}
