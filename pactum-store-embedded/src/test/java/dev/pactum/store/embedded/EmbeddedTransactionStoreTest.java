package dev.pactum.store.embedded;

import dev.pactum.core.spi.TransactionStore;
import dev.pactum.core.store.TransactionStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The store contract on the embedded RocksDB store, with real fsyncs. */
class EmbeddedTransactionStoreTest extends TransactionStoreContract {
    @TempDir
    Path dir;

    @Override
    protected TransactionStore newStore() {
        return EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(dir));
    }

    @Override
    protected TransactionStore reopen(TransactionStore closed) {
        return EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(dir));
    }
}
