package dev.pactum.core.spi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LaneIndexTest {
    @Test
    void anEmptiedLaneKeepsNothingAndItsNextEntryStillComesAfterEveryEarlierOne() {
        LaneIndex index = new LaneIndex();
        LaneEntry first = index.append("k1", "g1", "m0");
        index.remove(first);
        assertThat(index.head("k1")).isEmpty();

        // A crash undid the unsynced removal: the rebuilt index holds `first` again beside the next decision's entry.
        LaneEntry next = index.append("k1", "g2", "m0");
        LaneIndex rebuilt = new LaneIndex();
        rebuilt.restore(next);
        rebuilt.restore(first);
        assertThat(rebuilt.head("k1")).as("the earlier decision stays ahead").contains(first);
        assertThat(next.seq()).isGreaterThan(first.seq());
    }

    @Test
    void aRebuiltIndexStartsAfterTheHighestStoredSeqOfAnyLane() {
        LaneIndex rebuilt = new LaneIndex();
        rebuilt.restore(new LaneEntry("k1", 7, "g1", "m0"));
        rebuilt.restore(new LaneEntry("k2", 41, "g2", "m0"));
        assertThat(rebuilt.append("k1", "g3", "m0").seq()).isEqualTo(42);
        assertThat(rebuilt.copy().append("k3", "g4", "m0").seq()).isEqualTo(43);
    }
}
