package dev.pactum.store.embedded;

import dev.pactum.api.BranchStatus;
import dev.pactum.api.Operation;
import dev.pactum.core.model.BranchRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Records written by earlier versions still read, with their URLs turned into the operations of today. */
class CodecTest {
    private static BranchRecord read(String json) {
        return Codec.branch(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aTccBranchWrittenWithUrlFieldsReadsAsTryConfirmAndCancel() {
        BranchRecord b = read("{\"gid\":\"g1\",\"branchId\":\"pay\",\"status\":\"REGISTERED\",\"tryUrl\":\"http://p/t\","
                + "\"prepareUrl\":null,\"confirmUrl\":\"http://p/c\",\"cancelUrl\":\"http://p/x\",\"attempts\":2,"
                + "\"lastError\":\"HTTP 503\",\"createdAt\":1700000000.5,\"updatedAt\":1700000001.25}");
        assertThat(b.operations()).containsExactly(Operation.of("try", "http://p/t"), Operation.of("confirm", "http://p/c"),
                Operation.of("cancel", "http://p/x"));
        assertThat(b.attempts()).isEqualTo(2);
        assertThat(b.createdAt()).isEqualTo(Instant.ofEpochSecond(1700000000L, 500_000_000L));
    }

    @Test
    void anXaBranchWrittenWithUrlFieldsReadsAsPrepareCommitAndRollback() {
        BranchRecord b = read("{\"gid\":\"g1\",\"branchId\":\"b\",\"status\":\"PREPARED\",\"tryUrl\":null,"
                + "\"prepareUrl\":\"http://p/p\",\"confirmUrl\":\"http://p/c\",\"cancelUrl\":\"http://p/r\",\"attempts\":1,"
                + "\"lastError\":null,\"createdAt\":1700000000,\"updatedAt\":1700000000}");
        assertThat(b.status()).isEqualTo(BranchStatus.PREPARED);
        assertThat(b.operations()).extracting(Operation::name).containsExactly("prepare", "commit", "rollback");
        assertThat(b.target("rollback")).isEqualTo("http://p/r");
    }

    @Test
    void todaysRecordsRoundTrip() {
        BranchRecord b = BranchRecord.register("g1", "pay", List.of(new Operation("confirm", "http://p/c", "{\"a\":1}"),
                Operation.of("cancel", "http://p/x")), Instant.ofEpochSecond(1700000000L, 123_456_789L));
        assertThat(Codec.branch(Codec.encode(b))).isEqualTo(b);
    }
}
