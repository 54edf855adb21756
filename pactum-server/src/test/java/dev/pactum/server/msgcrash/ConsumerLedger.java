package dev.pactum.server.msgcrash;

import dev.pactum.api.MessageId;
import dev.pactum.client.inbox.Inbox;
import dev.pactum.client.inbox.InboxResult;
import dev.pactum.server.msgcrash.History.Effect;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The consumer's side of every transport: applies each delivered message through the {@link Inbox}, in the
 * consumer's own local transaction (an effect row {@code crash_effect(gid, branch_id, idx)} with no unique key, so a
 * second application would show), and says whether to acknowledge; the transport acknowledges only after that
 * commit. It records every delivery it receives, duplicates included.
 *
 * <p>Duplicates on purpose: for every {@link #duplicateOnPurpose} index, the first delivery is applied and then
 * not acknowledged (as if the ack were lost after the commit), so the transport redelivers it and the inbox must
 * absorb the redelivery. {@link #owed()} lists those still waiting for their redelivery.
 */
final class ConsumerLedger {
    private final DataSource db;
    private final Inbox inbox;
    private final Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    private final Set<String> owed = ConcurrentHashMap.newKeySet();
    private final Set<String> applied = ConcurrentHashMap.newKeySet();
    private final AtomicInteger forcedDuplicates = new AtomicInteger();
    private final AtomicInteger absorbed = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();

    ConsumerLedger(DataSource db) throws SQLException {
        this.db = db;
        this.inbox = Inbox.forDataSource(db).forConsumer("crash-test");
        inbox.createSchemaIfMissing();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS crash_effect (gid VARCHAR(128) NOT NULL,"
                    + " branch_id VARCHAR(128) NOT NULL, idx INT NOT NULL)");
        }
    }

    static boolean duplicateOnPurpose(int idx) {
        return idx % 5 == 1;
    }

    /**
     * Applies one delivery.
     *
     * @return whether to acknowledge it (false: the transport must have it delivered again)
     */
    boolean receive(MessageId id, String payload) {
        deliveries.merge(id.gid(), 1, Integer::sum);
        int idx = idxOf(payload);
        InboxResult r;
        try {
            r = inbox.apply(id, conn -> {
                try (PreparedStatement ps = conn.prepareStatement(
                        "INSERT INTO crash_effect (gid, branch_id, idx) VALUES (?, ?, ?)")) {
                    ps.setString(1, id.gid());
                    ps.setString(2, id.branchId());
                    ps.setInt(3, idx);
                    ps.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            return false; // nothing known to be applied: have it delivered again
        }
        if (r == InboxResult.APPLIED) {
            applied.add(id.gid());
            if (duplicateOnPurpose(idx)) {
                forcedDuplicates.incrementAndGet();
                owed.add(id.gid());
                return false;
            }
        } else if (r == InboxResult.ALREADY_APPLIED) {
            absorbed.incrementAndGet();
            owed.remove(id.gid());
        }
        return r.acknowledge();
    }

    /** The index a payload {@code idx=N} carries; -1 for any other payload (the checker reports it). */
    static int idxOf(String payload) {
        if (payload != null && payload.startsWith("idx=")) {
            try {
                return Integer.parseInt(payload.substring(4));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    Map<String, Integer> deliveries() {
        return Map.copyOf(deliveries);
    }

    /** The gids applied so far (what the settle phase waits for; the checker reads the database instead). */
    Set<String> applied() {
        return Set.copyOf(applied);
    }

    Set<String> owed() {
        return Set.copyOf(owed);
    }

    String summary() {
        return "deliveries " + deliveries.values().stream().mapToInt(Integer::intValue).sum() + ", applied "
                + applied.size() + ", duplicates forced " + forcedDuplicates.get() + ", absorbed by the inbox "
                + absorbed.get() + ", failed applications " + failures.get();
    }

    Set<String> inboxGids() throws SQLException {
        Set<String> s = new HashSet<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT gid FROM " + Inbox.TABLE + " WHERE consumer = 'crash-test'")) {
            while (rs.next()) {
                s.add(rs.getString(1));
            }
        }
        return s;
    }

    List<Effect> effects() throws SQLException {
        List<Effect> l = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT gid, idx FROM crash_effect")) {
            while (rs.next()) {
                l.add(new Effect(rs.getString(1), rs.getInt(2)));
            }
        }
        return l;
    }
}
