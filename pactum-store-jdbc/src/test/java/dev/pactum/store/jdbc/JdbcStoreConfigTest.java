package dev.pactum.store.jdbc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration, dialect choice and schema scripts: no database needed. */
class JdbcStoreConfigTest {

    @Test
    void theUrlSchemePicksTheDialect() {
        assertThat(Dialect.fromUrl("jdbc:postgresql://db:5432/pactum")).isEqualTo(Dialect.POSTGRESQL);
        assertThat(Dialect.fromUrl("jdbc:mariadb://db:3306/pactum")).isEqualTo(Dialect.MYSQL);
        assertThat(Dialect.fromUrl("jdbc:mysql://db:3306/pactum")).isEqualTo(Dialect.MYSQL);
        assertThat(Dialect.scheme("jdbc:mariadb://db/pactum")).isEqualTo("mariadb");
    }

    @Test
    void anUnsupportedUrlIsRefusedNamingItWithoutItsPassword() {
        assertThatThrownBy(() -> JdbcStoreConfig.of("jdbc:h2:mem:x;password=hunter2", "sa", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:h2:mem:x").hasMessageContaining("jdbc:postgresql:")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> JdbcStoreConfig.of("postgresql://db/x", "u", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JdbcStoreConfig.of(" ", "u", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("url");
        assertThatThrownBy(() -> JdbcStoreConfig.of(null, "u", null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("url");
    }

    @Test
    void poolSizeMustBeSensible() {
        JdbcStoreConfig ok = JdbcStoreConfig.of("jdbc:postgresql://db/x", "u", "p");

        assertThat(ok.poolSize()).isEqualTo(JdbcStoreConfig.DEFAULT_POOL_SIZE);
        assertThat(ok.withPoolSize(1).poolSize()).isEqualTo(1);
        assertThatThrownBy(() -> ok.withPoolSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("poolSize").hasMessageContaining("was 0");
        assertThatThrownBy(() -> ok.withPoolSize(JdbcStoreConfig.MAX_POOL_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringHidesPasswordsAlsoInTheUrl() {
        JdbcStoreConfig c = JdbcStoreConfig.of("jdbc:postgresql://db/x?user=u&password=hunter2&ssl=true", "u",
                "hunter3");

        assertThat(c.toString()).doesNotContain("hunter2").doesNotContain("hunter3")
                .contains("password=****&ssl=true").contains("poolSize=10");
        assertThat(JdbcStoreConfig.of("jdbc:mariadb://db/x", "root", "").toString()).contains("password=(none)");
    }

    @Test
    void schemaScriptsSplitIntoStatementsWithoutComments() {
        String script = """
                -- a comment; with a semicolon
                CREATE TABLE a (
                    -- inside
                    x INT
                );

                CREATE INDEX b ON a (x);
                """;

        assertThat(JdbcTransactionStore.statements(script))
                .containsExactly("CREATE TABLE a (\n    x INT\n)", "CREATE INDEX b ON a (x)");
    }
}
