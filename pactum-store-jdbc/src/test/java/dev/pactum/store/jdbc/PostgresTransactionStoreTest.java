package dev.pactum.store.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on the machine's PostgreSQL, in a schema of its own. */
class PostgresTransactionStoreTest extends JdbcTransactionStoreTestBase {
    private static TestDatabase database;

    @BeforeAll
    static void createSchema() {
        database = TestDatabase.postgres();
    }

    @AfterAll
    static void dropSchema() {
        if (database != null) {
            database.drop();
        }
    }

    @Override
    protected TestDatabase database() {
        return database;
    }

    @Override
    protected String expectedName() {
        return "postgresql";
    }
}
