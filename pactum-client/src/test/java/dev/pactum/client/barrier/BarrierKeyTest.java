package dev.pactum.client.barrier;

import dev.pactum.api.BranchOp;
import dev.pactum.api.Headers;
import dev.pactum.api.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BarrierKeyTest {
    @Test
    void readsTheBranchCallHeaders() {
        Map<String, String> h = Map.of(Headers.GID, "lq2x-abc", Headers.BRANCH_ID, "payment", Headers.OP, "cancel");
        assertThat(BarrierKey.fromHeaders(h::get)).isEqualTo(new BarrierKey("lq2x-abc", "payment", BranchOp.CANCEL));
    }

    @Test
    void aMissingHeaderIsNamed() {
        Map<String, String> h = new HashMap<>(Map.of(Headers.GID, "g", Headers.OP, "try"));
        assertThatThrownBy(() -> BarrierKey.fromHeaders(h::get)).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.field()).isEqualTo(Headers.BRANCH_ID));
        h.put(Headers.BRANCH_ID, "b");
        h.remove(Headers.OP);
        assertThatThrownBy(() -> BarrierKey.fromHeaders(h::get)).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.field()).isEqualTo(Headers.OP));
    }

    @Test
    void anUnknownOpIsNamed() {
        Map<String, String> h = Map.of(Headers.GID, "g", Headers.BRANCH_ID, "b", Headers.OP, "commit");
        assertThatThrownBy(() -> BarrierKey.fromHeaders(h::get)).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.field()).isEqualTo(Headers.OP)).hasMessageContaining("'commit'");
    }

    @Test
    void idsMustFitTheColumnExactly() {
        String longest = "x".repeat(BarrierKey.MAX_ID_LENGTH);
        assertThat(new BarrierKey(longest, longest, BranchOp.TRY).gid()).hasSize(BarrierKey.MAX_ID_LENGTH);
        assertThatThrownBy(() -> new BarrierKey(longest + "x", "b", BranchOp.TRY))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("gid"))
                .hasMessageContaining("at most 128").hasMessageContaining("was 129");
        // Trailing spaces and non-ASCII would be folded or rejected differently per database collation.
        assertThatThrownBy(() -> new BarrierKey("g", "b ", BranchOp.TRY))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("branchId"));
        assertThatThrownBy(() -> new BarrierKey("gé", "b", BranchOp.TRY)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new BarrierKey("", "b", BranchOp.TRY)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new BarrierKey("g", "b", null))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("op"));
    }
}
