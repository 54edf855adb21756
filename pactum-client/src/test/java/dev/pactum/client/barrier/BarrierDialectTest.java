package dev.pactum.client.barrier;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BarrierDialectTest {
    @Test
    void detectsSupportedProducts() {
        assertThat(BarrierDialect.fromProductName("PostgreSQL")).isEqualTo(BarrierDialect.POSTGRESQL);
        assertThat(BarrierDialect.fromProductName("MariaDB")).isEqualTo(BarrierDialect.MYSQL);
        assertThat(BarrierDialect.fromProductName("MySQL")).isEqualTo(BarrierDialect.MYSQL);
        assertThat(BarrierDialect.fromProductName("H2")).isEqualTo(BarrierDialect.H2);
    }

    @Test
    void rejectsOthersByName() {
        assertThatThrownBy(() -> BarrierDialect.fromProductName("Oracle"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Oracle'");
    }

    @Test
    void everySchemaScriptParsesIntoStatements() {
        assertThat(Barrier.schemaStatements(BarrierDialect.POSTGRESQL)).hasSize(2)
                .allSatisfy(s -> assertThat(s).doesNotEndWith(";").doesNotContain("--"));
        assertThat(Barrier.schemaStatements(BarrierDialect.MYSQL)).hasSize(1);
        assertThat(Barrier.schemaStatements(BarrierDialect.H2)).hasSize(2);
    }
}
