package dev.pactum.core;

import dev.pactum.api.BranchRequest;
import dev.pactum.api.ConflictException;
import dev.pactum.api.InvalidInputException;
import dev.pactum.api.TxPattern;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The patterns this coordinator runs, wired explicitly (no plug-in loader): {@code PatternRegistry.of(tcc, xa)}.
 */
public final class PatternRegistry {
    private final Map<TxPattern, Pattern> byId;

    private PatternRegistry(Map<TxPattern, Pattern> byId) {
        this.byId = byId;
    }

    public static PatternRegistry of(Pattern... patterns) {
        return of(List.of(patterns));
    }

    public static PatternRegistry of(Collection<? extends Pattern> patterns) {
        Map<TxPattern, Pattern> m = new EnumMap<>(TxPattern.class);
        for (Pattern p : patterns) {
            if (p.table().pattern() != p.id()) {
                throw new IllegalArgumentException(p.id() + "'s state table is " + p.table().pattern() + "'s");
            }
            if (m.put(p.id(), p) != null) {
                throw new IllegalArgumentException("pattern " + p.id() + " registered twice");
            }
        }
        return new PatternRegistry(Collections.unmodifiableMap(m));
    }

    /** The pattern of a stored transaction; a store holding a pattern this coordinator does not run is a setup error. */
    public Pattern of(TxPattern id) {
        Pattern p = byId.get(id);
        if (p == null) {
            throw new IllegalStateException("no pattern " + id + " is registered in this coordinator (it runs "
                    + byId.keySet() + ")");
        }
        return p;
    }

    public boolean runs(TxPattern id) {
        return byId.containsKey(id);
    }

    public Collection<Pattern> all() {
        return byId.values();
    }

    /**
     * The branch {@code tx}'s pattern makes of {@code request}. A request that is a well-formed branch of another
     * pattern is answered with a conflict that says so (a client mixing up transactions), anything else that the
     * transaction's pattern refuses with that pattern's own message naming the field.
     */
    public BranchRecord acceptBranch(GlobalTransaction tx, BranchRequest request, Instant now) {
        try {
            return of(tx.pattern()).acceptBranch(tx.gid(), request, now);
        } catch (InvalidInputException refused) {
            for (Pattern other : byId.values()) {
                if (other.id() != tx.pattern() && accepts(other, tx.gid(), request, now)) {
                    throw new ConflictException("transaction " + tx.gid() + " is " + tx.pattern() + "; a " + other.id()
                            + " branch cannot join it", tx.gid(), tx.status().name());
                }
            }
            throw refused;
        }
    }

    private static boolean accepts(Pattern p, String gid, BranchRequest request, Instant now) {
        try {
            p.acceptBranch(gid, request, now);
            return true;
        } catch (InvalidInputException no) {
            return false;
        }
    }
}
