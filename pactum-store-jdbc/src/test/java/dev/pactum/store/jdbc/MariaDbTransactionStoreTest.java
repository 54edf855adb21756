package dev.pactum.store.jdbc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on the machine's MariaDB, in a database of its own. */
class MariaDbTransactionStoreTest extends JdbcTransactionStoreTestBase {
    private static TestDatabase database;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.mariadb();
    }

    @AfterAll
    static void dropDatabase() {
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
        return "mariadb";
    }
}
