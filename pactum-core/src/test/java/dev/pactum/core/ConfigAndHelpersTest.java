package dev.pactum.core;

import dev.pactum.api.InvalidInputException;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Config validation, backoff bounds and id rules. */
class ConfigAndHelpersTest {
    @Test
    void configRejectsBadValuesNamingThem() {
        assertThatThrownBy(() -> CoordinatorConfig.builder().lease(Duration.ZERO).build())
                .hasMessageContaining("lease");
        assertThatThrownBy(() -> CoordinatorConfig.builder().defaultTimeout(Duration.ofDays(2)).build())
                .hasMessageContaining("defaultTimeout");
        assertThatThrownBy(() -> CoordinatorConfig.builder().retryBase(Duration.ofMinutes(5)).build())
                .hasMessageContaining("retryBase");
        assertThatThrownBy(() -> CoordinatorConfig.builder().workerBatch(0).build()).hasMessageContaining("workerBatch");
        assertThatThrownBy(() -> CoordinatorConfig.builder().nodeId(" ").build()).hasMessageContaining("nodeId");
        assertThatThrownBy(() -> CoordinatorConfig.builder().maxChecks(0).build())
                .hasMessageContaining("maxChecks must be within 1..10000, was 0");
        assertThatThrownBy(() -> CoordinatorConfig.builder().maxChecks(10_001).build()).hasMessageContaining("maxChecks");
        assertThat(CoordinatorConfig.builder().build().maxChecks()).as("RocketMQ's default").isEqualTo(15);
    }

    @Test
    void unknownFailpointIsRefused() {
        assertThatThrownBy(() -> Failpoints.of(Set.of("xa-after-vot"))).hasMessageContaining("xa-after-vot");
        assertThat(Failpoints.of(Set.of(Failpoints.XA_AFTER_VOTE)).isEmpty()).isFalse();
        assertThat(Failpoints.none().isEmpty()).isTrue();
    }

    @RepeatedTest(20)
    void backoffGrowsWithinItsCeilingAndCap() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        for (int attempts = 1; attempts <= 40; attempts++) {
            long ceiling = b.ceilingMillis(attempts);
            assertThat(ceiling).isBetween(100L, 5000L);
            long d = b.delay(attempts).toMillis();
            assertThat(d).isBetween(ceiling / 2, ceiling);
        }
        assertThat(b.ceilingMillis(1)).isEqualTo(100);
        assertThat(b.ceilingMillis(2)).isEqualTo(200);
        assertThat(b.ceilingMillis(7)).isEqualTo(5000);
    }

    @Test
    void idsAreCheckedAndMadeSortable() {
        assertThat(Ids.checkId("gid", "order-42.a:b_c")).isEqualTo("order-42.a:b_c");
        assertThatThrownBy(() -> Ids.checkId("gid", "a/b")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("gid");
        assertThatThrownBy(() -> Ids.checkId("branchId", "x".repeat(65))).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Ids.checkId("gid", "")).isInstanceOf(InvalidInputException.class);
        String early = Ids.newGid(Instant.parse("2030-01-01T00:00:00Z"));
        String late = Ids.newGid(Instant.parse("2030-01-01T00:00:01Z"));
        assertThat(early).isLessThan(late);
        assertThat(Ids.checkId("gid", early)).isEqualTo(early);
    }
}
