package dev.pactum.client.barrier;

import dev.pactum.api.Outcome;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BarrierResultTest {
    @Test
    void answersFollowTheParticipantConventions() {
        assertThat(BarrierResult.APPLIED.httpStatus()).isEqualTo(200);
        assertThat(BarrierResult.DUPLICATE.httpStatus()).isEqualTo(200);
        assertThat(BarrierResult.EMPTY_COMPENSATION.httpStatus()).isEqualTo(200);
        assertThat(BarrierResult.SUSPENDED.httpStatus()).isEqualTo(409);
        assertThat(BarrierResult.REFUSED.httpStatus()).isEqualTo(409);
        assertThat(BarrierResult.RETRY.outcome()).isEqualTo(Outcome.ONGOING);
        for (BarrierResult r : BarrierResult.values()) {
            assertThat(Outcome.fromHttpStatus(r.httpStatus())).as(r.name()).isEqualTo(r.outcome());
            assertThat(r.businessApplied()).as(r.name()).isEqualTo(r == BarrierResult.APPLIED);
        }
    }
}
