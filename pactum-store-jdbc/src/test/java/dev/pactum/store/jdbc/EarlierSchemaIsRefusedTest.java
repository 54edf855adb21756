package dev.pactum.store.jdbc;

import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tables made before a branch's operations were data (one column per URL) pass the idempotent schema script
 * untouched; the store must refuse them at start with what to do, not fail on the first branch it writes.
 */
class EarlierSchemaIsRefusedTest {
    private static final String OLD_BRANCH_TABLE = "CREATE TABLE pactum_branch (gid VARCHAR(64) NOT NULL,"
            + " branch_id VARCHAR(64) NOT NULL, status VARCHAR(32) NOT NULL, try_url TEXT, prepare_url TEXT,"
            + " confirm_url TEXT, cancel_url TEXT, attempts INTEGER NOT NULL, last_error TEXT,"
            + " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (gid, branch_id))";

    @Test
    void postgresTablesOfTheEarlierShapeAreRefusedAtStart() {
        refused(TestDatabase::postgres);
    }

    @Test
    void mariadbTablesOfTheEarlierShapeAreRefusedAtStart() {
        refused(TestDatabase::mariadb);
    }

    private static void refused(Supplier<TestDatabase> database) {
        TestDatabase db = database.get();
        try {
            db.executeInside(OLD_BRANCH_TABLE);
            assertThatThrownBy(() -> JdbcTransactionStore.open(db.config()).close())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("made by an earlier Pactum")
                    .hasMessageContaining("drop pactum_branch and pactum_global");
        } finally {
            db.drop();
        }
    }
}
