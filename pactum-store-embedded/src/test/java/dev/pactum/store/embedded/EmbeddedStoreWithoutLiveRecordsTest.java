package dev.pactum.store.embedded;

import dev.pactum.core.spi.TransactionStore;
import dev.pactum.core.store.TransactionStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The store contract on the embedded store with no unfinished transaction held in memory, as when its share
 * ({@link EmbeddedTransactionStore#LIVE_LIMIT}) is full: every read goes to RocksDB, through the wait for the writes
 * still in flight.
 */
class EmbeddedStoreWithoutLiveRecordsTest extends TransactionStoreContract {
    @TempDir
    Path dir;

    @Override
    protected TransactionStore newStore() {
        return EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(dir), GroupCommitWriter.BeforeGroup.NONE, 0);
    }

    @Override
    protected TransactionStore reopen(TransactionStore closed) {
        return newStore();
    }
}
