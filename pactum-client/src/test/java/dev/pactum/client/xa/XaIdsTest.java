package dev.pactum.client.xa;

import dev.pactum.api.Headers;
import dev.pactum.api.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.transaction.xa.Xid;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XaIdsTest {
    @Test
    void xidIsFormatIdGidAndBranchIdBytes() {
        Xid x = XaIds.xid("order-42", "payment");
        assertThat(x.getFormatId()).isEqualTo(0x50414354).isEqualTo(1346454356);
        assertThat(new String(new byte[] {0x50, 0x41, 0x43, 0x54}, StandardCharsets.US_ASCII)).isEqualTo("PACT");
        assertThat(x.getGlobalTransactionId()).isEqualTo("order-42".getBytes(StandardCharsets.UTF_8));
        assertThat(x.getBranchQualifier()).isEqualTo("payment".getBytes(StandardCharsets.UTF_8));
        assertThat(x).isEqualTo(XaIds.xid("order-42", "payment")).hasSameHashCodeAs(XaIds.xid("order-42", "payment"));
        assertThat(x).isNotEqualTo(XaIds.xid("order-42", "stock"));
        assertThat(x.toString()).contains("order-42", "payment");
    }

    @Test
    void branchOfReversesXidForEveryValidId() {
        String longest = "a".repeat(64);
        for (String[] ids : new String[][] {{"g", "b"}, {"Order.1:x_y-Z", "0"}, {longest, longest}}) {
            Xid x = XaIds.xid(ids[0], ids[1]);
            assertThat(XaIds.branchOf(x)).contains(new XaBranchId(ids[0], ids[1]));
            assertThat(XaIds.branchOf(copy(x.getFormatId(), x.getGlobalTransactionId(), x.getBranchQualifier())))
                    .as("a driver's own Xid class").contains(new XaBranchId(ids[0], ids[1]));
        }
    }

    @Test
    void foreignXidsAreNotPactumBranches() {
        assertThat(XaIds.branchOf(copy(131077, "g".getBytes(), "b".getBytes()))).as("another format id").isEmpty();
        assertThat(XaIds.branchOf(copy(XaIds.FORMAT_ID, "g g".getBytes(), "b".getBytes()))).isEmpty();
        assertThat(XaIds.branchOf(copy(XaIds.FORMAT_ID, "g".getBytes(), new byte[0]))).isEmpty();
        assertThat(XaIds.branchOf(copy(XaIds.FORMAT_ID, "é".getBytes(StandardCharsets.UTF_8), "b".getBytes()))).isEmpty();
        assertThat(XaIds.branchOf(copy(XaIds.FORMAT_ID, new byte[65], "b".getBytes()))).isEmpty();
        assertThat(XaIds.branchOf(null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "with space", "quote'", "slash/", "é", "tab\t"})
    void malformedIdsAreRejectedNamingTheField(String bad) {
        assertThatThrownBy(() -> XaIds.xid(bad, "b")).isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("gid");
        assertThatThrownBy(() -> new XaBranchId("g", bad)).isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("branchId");
    }

    @Test
    void idsLongerThanXaAllowsAreRejected() {
        assertThatThrownBy(() -> XaIds.xid("a".repeat(65), "b")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at most 64");
        assertThatThrownBy(() -> XaIds.xid(null, "b")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("required");
    }

    @Test
    void databaseFormsOfTheXid() {
        assertThat(XaIds.postgresGid("g-1", "b.1")).isEqualTo("1346454356_Zy0x_Yi4x");
        assertThat(XaIds.postgresGid("order-42", "payment")).isEqualTo("1346454356_b3JkZXItNDI=_cGF5bWVudA==");
        assertThat(XaIds.mysqlXid("order-42", "payment")).isEqualTo("'order-42','payment',1346454356");
    }

    @Test
    void branchAndOperationFromHeaders() {
        Map<String, String> h = Map.of(Headers.GID, "g1", Headers.BRANCH_ID, "b1", Headers.OP, "Prepare");
        assertThat(XaBranchId.fromHeaders(h::get)).isEqualTo(new XaBranchId("g1", "b1"));
        assertThat(XaOp.fromWire(h.get(Headers.OP))).isEqualTo(XaOp.PREPARE);
        assertThat(XaOp.COMMIT.wire()).isEqualTo("commit");
        assertThatThrownBy(() -> XaBranchId.fromHeaders(Map.of(Headers.GID, "g1")::get))
                .isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo(Headers.BRANCH_ID);
        assertThatThrownBy(() -> XaOp.fromWire(null)).isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo(Headers.OP);
        assertThatThrownBy(() -> XaOp.fromWire("cancel")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("prepare, commit or rollback");
    }

    @Test
    void resultsMapToTheThreeOutcomes() {
        assertThat(XaResult.APPLIED.httpStatus()).isEqualTo(200);
        assertThat(XaResult.READ_ONLY.httpStatus()).isEqualTo(200);
        assertThat(XaResult.DUPLICATE.httpStatus()).isEqualTo(200);
        assertThat(XaResult.REFUSED.httpStatus()).isEqualTo(409);
        assertThat(XaResult.RETRY.httpStatus()).isEqualTo(425);
    }

    @Test
    void branchStatesMoveOnlyAlongTheTable() {
        XaBranchId b = new XaBranchId("g", "b");
        assertThat(BranchState.WORKING.checkMoveTo(BranchState.IDLE, b)).isEqualTo(BranchState.IDLE);
        assertThat(BranchState.IDLE.checkMoveTo(BranchState.PREPARED, b)).isEqualTo(BranchState.PREPARED);
        assertThat(BranchState.PREPARED.checkMoveTo(BranchState.ENDED, b)).isEqualTo(BranchState.ENDED);
        assertThatThrownBy(() -> BranchState.WORKING.checkMoveTo(BranchState.PREPARED, b))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("g/b");
        assertThatThrownBy(() -> BranchState.PREPARED.checkMoveTo(BranchState.IDLE, b))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> BranchState.ENDED.checkMoveTo(BranchState.ENDED, b))
                .isInstanceOf(IllegalStateException.class);
    }

    private static Xid copy(int formatId, byte[] gtrid, byte[] bqual) {
        return new Xid() {
            @Override
            public int getFormatId() {
                return formatId;
            }

            @Override
            public byte[] getGlobalTransactionId() {
                return gtrid;
            }

            @Override
            public byte[] getBranchQualifier() {
                return bqual;
            }
        };
    }
}
