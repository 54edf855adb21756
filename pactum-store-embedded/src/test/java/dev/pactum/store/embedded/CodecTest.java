package dev.pactum.store.embedded;

import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;
import dev.pactum.api.Operation;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The binary records round trip; records written by earlier versions (JSON, URL fields) still read. */
class CodecTest {
    private static BranchRecord read(String json) {
        return Codec.branch(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void branchKeysKeepTheirSixDigitFormat() {
        // Keys on disk must not change with the hand-written padding: stores written before are read the same.
        for (int seq : new int[] {0, 7, 42, 99_999, 123_456, 1_234_567}) {
            assertThat(new String(Codec.branchKey("g1", seq), StandardCharsets.UTF_8))
                    .isEqualTo("b/g1/" + String.format("%06d", seq));
        }
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
    void aGlobalTransactionWrittenAsJsonStillReads() {
        GlobalTransaction t = Codec.global(("{\"gid\":\"g1\",\"pattern\":\"TCC\",\"status\":\"COMMITTING\","
                + "\"reason\":\"submitted\",\"createdAt\":1700000000.123456789,\"updatedAt\":1700000000.2,"
                + "\"timeoutAt\":1700000060,\"nextAttemptAt\":1700000030,\"owner\":\"n1\",\"leaseUntil\":1700000030,"
                + "\"version\":3}").getBytes(StandardCharsets.UTF_8));
        assertThat(t.status()).isEqualTo(GlobalStatus.COMMITTING);
        assertThat(t.createdAt()).isEqualTo(Instant.ofEpochSecond(1700000000L, 123_456_789L));
        assertThat(t.version()).isEqualTo(3);
    }

    @Test
    void globalTransactionsRoundTripWithAndWithoutTheOptionalFields() {
        Instant t0 = Instant.ofEpochSecond(1700000000L, 987_654_321L);
        GlobalTransaction active = GlobalTransaction.begin("g-\u00fc", TxPattern.XA, t0, t0.plusSeconds(60));
        GlobalTransaction leased = active.moveTo(GlobalStatus.PREPARING, "submitted \u2713", t0, "node-1",
                t0.plusSeconds(30)).withVersion(7);
        GlobalTransaction fin = leased.moveTo(GlobalStatus.ABORTING, null, t0, "n", t0).moveTo(GlobalStatus.ABORTED, null,
                t0, null, null);
        for (GlobalTransaction t : List.of(active, leased, fin)) {
            assertThat(Codec.global(Codec.encode(t))).isEqualTo(t);
        }
    }

    @Test
    void aCutRecordIsReportedAsCorruptNotReadAsSomethingElse() {
        byte[] whole = Codec.encode(GlobalTransaction.begin("g1", TxPattern.TCC, Instant.EPOCH, Instant.EPOCH));
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
        assertThatThrownBy(() -> Codec.global(cut)).isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("corrupt GlobalTransaction");
        byte[] longer = java.util.Arrays.copyOf(whole, whole.length + 1);
        assertThatThrownBy(() -> Codec.global(longer)).hasMessageContaining("bytes left after the last field");
        byte[] branch = Codec.encode(BranchRecord.register("g1", "b", List.of(Operation.of("confirm", "http://c")),
                Instant.EPOCH));
        // the operation count sits after the format byte and three strings: make it absurd
        int at = 1 + (4 + 2) + (4 + 1) + (4 + "REGISTERED".length());
        branch[at] = 0x7f;
        assertThatThrownBy(() -> Codec.branch(branch)).hasMessageContaining("exceeds what the record holds");
    }

    @Test
    void aJsonBranchWhoseLastErrorQuotesOperationsStillReadsAsTheEarlierShape() {
        BranchRecord b = read("{\"gid\":\"g1\",\"branchId\":\"pay\",\"status\":\"REGISTERED\",\"tryUrl\":null,"
                + "\"prepareUrl\":null,\"confirmUrl\":\"http://p/c\",\"cancelUrl\":\"http://p/x\",\"attempts\":1,"
                + "\"lastError\":\"HTTP 500: {\\\"operations\\\":[]}\",\"createdAt\":1700000000,\"updatedAt\":1700000000}");
        assertThat(b.operations()).extracting(Operation::name).containsExactly("confirm", "cancel");
        assertThat(b.lastError()).isEqualTo("HTTP 500: {\"operations\":[]}");
    }

    @Test
    void todaysRecordsRoundTrip() {
        BranchRecord b = BranchRecord.register("g1", "pay", List.of(new Operation("confirm", "http://p/c", "{\"a\":1}"),
                Operation.of("cancel", "http://p/x")), Instant.ofEpochSecond(1700000000L, 123_456_789L));
        assertThat(Codec.branch(Codec.encode(b))).isEqualTo(b);
    }

    @Test
    void aMessageWithKeyAndHeadersIsFormat2AndRoundTripsWithTheHeadersInOrder() {
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("z-last-name-first", "1");
        headers.put("a", "b");
        BranchRecord b = BranchRecord.register("g1", "m", List.of(new Operation("deliver", "kafka://k/t", "{}", "order-7",
                headers), Operation.of("check", "http://p/check")), Instant.ofEpochSecond(1700000000L, 5));
        byte[] bytes = Codec.encode(b);
        assertThat(bytes[0]).isEqualTo(BinaryRecords.FORMAT_V2);
        BranchRecord read = Codec.branch(bytes);
        assertThat(read).isEqualTo(b);
        assertThat(read.operation("deliver").headers().keySet()).containsExactly("z-last-name-first", "a");
    }

    @Test
    void aBranchWithoutKeyOrHeadersStaysFormat1ByteForByteSoEarlierVersionsStillReadIt() {
        BranchRecord b = BranchRecord.register("g1", "m", List.of(new Operation("deliver", "kafka://k/t", "{}"),
                Operation.of("check", "http://p/check")), Instant.ofEpochSecond(1700000000L, 5));
        byte[] bytes = Codec.encode(b);
        assertThat(bytes[0]).isEqualTo(BinaryRecords.FORMAT_V1);
        // the layout of version 1, written by hand: what an earlier version wrote and reads
        java.io.ByteArrayOutputStream v1 = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(v1);
        try {
            out.writeByte(1);
            for (String s : List.of("g1", "m", "REGISTERED")) {
                writeStr(out, s);
            }
            out.writeInt(2);
            writeStr(out, "deliver");
            writeStr(out, "kafka://k/t");
            out.writeByte(1);
            writeStr(out, "{}");
            writeStr(out, "check");
            writeStr(out, "http://p/check");
            out.writeByte(0);
            out.writeInt(0);
            out.writeByte(0);
            for (int i = 0; i < 2; i++) {
                out.writeLong(1700000000L);
                out.writeInt(5);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(bytes).isEqualTo(v1.toByteArray());
        assertThat(Codec.branch(v1.toByteArray())).isEqualTo(b);
    }

    private static void writeStr(java.io.DataOutputStream out, String s) throws java.io.IOException {
        byte[] u = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(u.length);
        out.write(u);
    }
}
