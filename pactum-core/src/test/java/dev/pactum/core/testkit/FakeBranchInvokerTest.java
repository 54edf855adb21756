package dev.pactum.core.testkit;

import dev.pactum.api.BranchOp;
import dev.pactum.api.Outcome;
import dev.pactum.core.spi.BranchCall;
import dev.pactum.core.spi.CallResult;
import dev.pactum.core.testkit.FakeBranchInvoker.Fate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FakeBranchInvokerTest {
    private final List<BranchCall> received = new ArrayList<>();
    private final FakeBranchInvoker.Participant participant = c -> {
        received.add(c);
        return new CallResult(Outcome.SUCCESS, 200, "done " + received.size());
    };

    private static BranchCall confirm(String branch) {
        return new BranchCall("g-1", branch, BranchOp.CONFIRM, "http://svc/" + branch + "/confirm");
    }

    @Test
    void eachScriptedFateDoesWhatItSaysToTheParticipantAndTheCaller() {
        FakeBranchInvoker invoker = FakeBranchInvoker.scripted(participant)
                .then("pay", BranchOp.CONFIRM, Fate.REPLY_409, Fate.REPLY_425, Fate.REPLY_503, Fate.TIMEOUT,
                        Fate.LOST_ANSWER, Fate.DUPLICATE, Fate.THROW)
                .build();

        assertThat(invoker.invoke(confirm("pay")).httpStatus()).isEqualTo(409);
        assertThat(invoker.invoke(confirm("pay")).httpStatus()).isEqualTo(425);
        assertThat(invoker.invoke(confirm("pay")).httpStatus()).isEqualTo(503);
        assertThat(received).as("a refusal or a busy answer applies nothing").isEmpty();
        assertThat(invoker.invoke(confirm("pay"))).extracting(CallResult::outcome, CallResult::httpStatus)
                .containsExactly(Outcome.ONGOING, 0);
        assertThat(received).as("a lost request never arrives").isEmpty();
        assertThat(invoker.invoke(confirm("pay")).outcome()).isEqualTo(Outcome.ONGOING);
        assertThat(received).as("a lost answer: applied, but the caller saw a failure").hasSize(1);
        assertThat(invoker.invoke(confirm("pay")).detail()).isEqualTo("done 3");
        assertThat(received).as("a duplicate arrives twice").hasSize(3);
        assertThatThrownBy(() -> invoker.invoke(confirm("pay"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pay").hasMessageContaining("g-1");
        assertThat(invoker.invoke(confirm("pay")).detail()).as("after the script: delivered").isEqualTo("done 4");
        assertThat(invoker.calls(confirm("pay").gid(), "pay", BranchOp.CONFIRM)).extracting(FakeBranchInvoker.Recorded::fate)
                .containsExactly(Fate.REPLY_409, Fate.REPLY_425, Fate.REPLY_503, Fate.TIMEOUT, Fate.LOST_ANSWER,
                        Fate.DUPLICATE, Fate.THROW, Fate.DELIVER);
    }

    @Test
    void aDelayedCallReachesTheParticipantOnlyWhenDeliveredAndOnlyOnce() {
        FakeBranchInvoker invoker = FakeBranchInvoker.scripted(participant).then("pay", BranchOp.CONFIRM, Fate.DELAY)
                .build();

        assertThat(invoker.invoke(confirm("pay")).outcome()).isEqualTo(Outcome.ONGOING);
        assertThat(received).isEmpty();
        FakeBranchInvoker.DelayedCall late = invoker.delayed().getFirst();
        invoker.invoke(confirm("pay")); // the retry overtakes the delayed call
        late.deliver();

        assertThat(received).extracting(BranchCall::branchId).containsExactly("pay", "pay");
        assertThat(invoker.delayed()).isEmpty();
        assertThatThrownBy(late::deliver).isInstanceOf(IllegalStateException.class);
        assertThat(invoker.calls()).extracting(FakeBranchInvoker.Recorded::lateDelivery).containsExactly(false, false, true);
    }

    @Test
    void randomFatesReplayFromTheSameSeedAndFollowTheWeights() {
        Map<Fate, Integer> weights = new EnumMap<>(Fate.class);
        weights.put(Fate.DELIVER, 3);
        weights.put(Fate.TIMEOUT, 1);
        List<Fate> first = fates(FakeBranchInvoker.random(FakeBranchInvoker.ALWAYS_OK, new Random(42), weights));
        List<Fate> again = fates(FakeBranchInvoker.random(FakeBranchInvoker.ALWAYS_OK, new Random(42), weights));

        assertThat(first).isEqualTo(again).containsOnly(Fate.DELIVER, Fate.TIMEOUT);
        assertThat(first.stream().filter(f -> f == Fate.TIMEOUT).count()).isBetween(150L, 350L); // 250 expected
        assertThatThrownBy(() -> FakeBranchInvoker.weighted(new Random(), Map.of(Fate.DELIVER, 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Fate> fates(FakeBranchInvoker invoker) {
        for (int i = 0; i < 1000; i++) {
            invoker.invoke(confirm("b" + i));
        }
        return invoker.calls().stream().map(FakeBranchInvoker.Recorded::fate).toList();
    }
}
