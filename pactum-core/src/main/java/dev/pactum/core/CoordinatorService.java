package dev.pactum.core;

import dev.pactum.api.AbortRequest;
import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.BranchView;
import dev.pactum.api.ConflictException;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.InvalidInputException;
import dev.pactum.api.ResolveRequest;
import dev.pactum.api.SubmitRequest;
import dev.pactum.api.TransactionList;
import dev.pactum.api.TransactionView;
import dev.pactum.api.TxPattern;
import dev.pactum.api.UnknownTransactionException;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.AddBranchResult;
import dev.pactum.core.spi.BeginResult;
import dev.pactum.core.spi.TransactionStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the coordinator does, with no transport: the HTTP adapter, tests and embedders call these methods.
 * Every input is checked before anything is written, so bad input changes nothing.
 */
public final class CoordinatorService {
    /** A compare-and-set lost to a concurrent writer is re-read and re-decided at most this often. */
    private static final int CAS_ROUNDS = 16;
    public static final int MAX_PAGE = 1000;

    private final TransactionStore store;
    private final PatternRegistry patterns;
    private final Decisions decisions;
    private final TransactionDriver driver;
    private final CoordinatorConfig config;
    private final CoordinatorMetrics metrics;
    private final Clock clock;

    public CoordinatorService(TransactionStore store, PatternRegistry patterns, Decisions decisions,
                              TransactionDriver driver, CoordinatorConfig config, CoordinatorMetrics metrics,
                              Clock clock) {
        this.store = store;
        this.patterns = patterns;
        this.decisions = decisions;
        this.driver = driver;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The stored transaction and whether this call created it (a repeat with the same gid does not). */
    public record Begun(TransactionView transaction, boolean created) {
    }

    public Begun begin(BeginRequest req) {
        if (req == null) {
            throw new InvalidInputException("body", "a JSON object is required");
        }
        String gid = req.gid() == null ? null : Ids.checkId("gid", req.gid());
        TxPattern pattern = req.pattern() == null ? TxPattern.TCC : req.pattern();
        if (!patterns.runs(pattern)) {
            throw new InvalidInputException("pattern", "this coordinator does not run pattern " + pattern);
        }
        Duration timeout = config.defaultTimeout();
        if (req.timeoutMs() != null) {
            if (req.timeoutMs() <= 0) {
                throw new InvalidInputException("timeoutMs", "timeoutMs must be positive, was " + req.timeoutMs());
            }
            if (req.timeoutMs() > config.maxTimeout().toMillis()) {
                throw new InvalidInputException("timeoutMs", "timeoutMs must be at most " + config.maxTimeout().toMillis()
                        + ", was " + req.timeoutMs());
            }
            timeout = Duration.ofMillis(req.timeoutMs());
        }
        Instant now = clock.instant();
        GlobalTransaction tx;
        List<BranchRecord> branches;
        BeginResult r;
        int draws = 0;
        do {
            tx = GlobalTransaction.begin(gid == null ? Ids.newGid(now) : gid, pattern, now, now.plus(timeout));
            branches = firstBranches(tx, req.branches(), now);
            r = store.begin(tx, branches);
            // A server-made gid that is taken is a collision, not a repeat of this begin: draw another.
        } while (gid == null && !r.created() && ++draws < 3);
        if (gid == null && !r.created()) {
            throw new IllegalStateException("three server-made gids in a row were taken, the last " + tx.gid());
        }
        if (r.created()) {
            metrics.begun(pattern);
            return new Begun(Views.of(r.transaction(), branches), true);
        }
        checkSameBegin(r.transaction(), pattern, timeout);
        List<BranchRecord> stored = store.branches(r.transaction().gid());
        checkSameBranches(r.transaction(), branches, stored);
        return new Begun(Views.of(r.transaction(), stored), false);
    }

    /** Most branches one begin may register; more can join one by one. */
    public static final int MAX_BRANCHES_AT_BEGIN = 64;

    /** The branches a begin registers, each checked by the pattern as a registration would be; errors name the element. */
    private List<BranchRecord> firstBranches(GlobalTransaction tx, List<BranchRequest> requests, Instant now) {
        if (requests == null || requests.isEmpty()) {
            return List.of();
        }
        if (requests.size() > MAX_BRANCHES_AT_BEGIN) {
            throw new InvalidInputException("branches", "a begin registers at most " + MAX_BRANCHES_AT_BEGIN
                    + " branches, was given " + requests.size());
        }
        List<BranchRecord> out = new ArrayList<>(requests.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            String at = "branches[" + i + "]";
            BranchRequest br = requests.get(i);
            if (br == null) {
                throw new InvalidInputException(at, at + " is null");
            }
            try {
                Ids.checkId("branchId", br.branchId());
                if (!ids.add(br.branchId())) {
                    throw new InvalidInputException("branchId", "branch " + br.branchId() + " is given twice");
                }
                out.add(patterns.acceptBranch(tx, br, now));
            } catch (InvalidInputException e) {
                throw new InvalidInputException(at + "." + e.field(), at + ": " + e.getMessage());
            } catch (ConflictException otherPattern) {
                // Nothing is stored yet, so there is no transaction to conflict with: the request itself is wrong.
                throw new InvalidInputException(at, at + ": " + otherPattern.getMessage());
            }
        }
        return out;
    }

    /** A repeated begin with branches must name the same first branches, with the same operations. */
    private static void checkSameBranches(GlobalTransaction stored, List<BranchRecord> asked, List<BranchRecord> have) {
        for (int i = 0; i < asked.size(); i++) {
            BranchRecord a = asked.get(i);
            if (i >= have.size() || !have.get(i).branchId().equals(a.branchId())
                    || !have.get(i).operations().equals(a.operations())) {
                throw new ConflictException("branches", "transaction " + stored.gid() + " exists with other branches"
                        + " than this begin names (first difference at branches[" + i + "], " + a.branchId() + ")",
                        stored.gid(), stored.status().name());
            }
        }
    }

    /**
     * A repeated begin is idempotent only when it asks for what is stored: a different pattern or timeout is a
     * second, different transaction that happens to reuse the gid, and answering with the stored one would let
     * the caller run under terms it did not ask for.
     */
    private static void checkSameBegin(GlobalTransaction stored, TxPattern pattern, Duration timeout) {
        String gid = stored.gid();
        if (stored.pattern() != pattern) {
            throw new ConflictException("pattern", "transaction " + gid + " exists with pattern " + stored.pattern()
                    + ", not " + pattern, gid, stored.status().name());
        }
        long storedMs = Duration.between(stored.createdAt(), stored.timeoutAt()).toMillis();
        if (storedMs != timeout.toMillis()) {
            throw new ConflictException("timeoutMs", "transaction " + gid + " exists with timeoutMs " + storedMs
                    + ", not " + timeout.toMillis(), gid, stored.status().name());
        }
    }

    public BranchView registerBranch(String gid, BranchRequest req) {
        Ids.checkId("gid", gid);
        if (req == null) {
            throw new InvalidInputException("body", "a JSON object is required");
        }
        Ids.checkId("branchId", req.branchId());
        GlobalTransaction tx = load(gid);
        // The transaction's pattern says which branch shapes it takes; nothing is written before it agreed.
        BranchRecord b = patterns.acceptBranch(tx, req, clock.instant());
        String branchId = b.branchId();
        return switch (store.addBranch(b, GlobalStatus.ACTIVE)) {
            case AddBranchResult.Added a -> Views.of(a.branch());
            case AddBranchResult.Duplicate d -> throw new ConflictException(
                    "branch " + branchId + " is already registered in " + gid, gid, tx.status().name());
            case AddBranchResult.NoSuchTransaction n -> throw new UnknownTransactionException(gid);
            case AddBranchResult.WrongStatus w -> throw new ConflictException(
                    "cannot register a branch in " + gid + ": it is " + w.status() + ", branches join only while ACTIVE",
                    gid, w.status().name());
        };
    }

    /**
     * Commits: records COMMITTING durably, then Confirms every branch in the background. Repeating a submit
     * is harmless; a submit after an abort, or after the timeout, is refused.
     */
    public TransactionView submit(String gid, SubmitRequest req) {
        Ids.checkId("gid", gid);
        // The client says which Trys succeeded; the coordinator commits only if that is every registered branch.
        if (req == null || req.tried() == null) {
            throw new InvalidInputException("tried", "tried is required: the ids of the branches whose Try succeeded"
                    + " (an empty list when there are none)");
        }
        Set<String> tried = new HashSet<>();
        for (String id : req.tried()) {
            tried.add(Ids.checkId("tried", id));
        }
        for (int round = 0; round < CAS_ROUNDS; round++) {
            GlobalTransaction tx = load(gid);
            switch (tx.status()) {
                case PREPARING, COMMITTING, COMMITTED -> {
                    return view(tx);
                }
                case ABORTING, ABORTED -> throw new ConflictException("cannot submit " + gid + ": it is " + tx.status()
                        + (tx.reason() == null ? "" : " (" + tx.reason() + ")"), gid, tx.status().name());
                // A parked half message takes its producer's late commit: the producer knows best.
                case ACTIVE, PARKED -> {
                    Instant now = clock.instant();
                    Pattern p = patterns.of(tx.pattern());
                    if (tx.status() == GlobalStatus.ACTIVE && p.abortsAtTimeout() && !now.isBefore(tx.timeoutAt())) {
                        abortActive(tx, "timeout");
                        throw new ConflictException("cannot submit " + gid + ": its timeout passed at " + tx.timeoutAt()
                                + "; it is being aborted", gid, GlobalStatus.ABORTING.name());
                    }
                    List<BranchRecord> branches = store.branches(gid);
                    checkTried(gid, tx, branches, tried);
                    Optional<GlobalTransaction> stored = decisions.move(tx, p.submitTarget(), "submitted");
                    if (stored.isPresent()) {
                        // The pattern answers with the branches as stored (XA: with its votes), read no more.
                        Pattern.Submitted after = p.afterSubmit(stored.get(), branches);
                        if (after.tx().status().isDecision()) {
                            driver.startDriving(after.tx());
                        }
                        return Views.of(after.tx(), after.branches());
                    }
                }
                default -> throw new IllegalStateException("unknown status " + tx.status());
            }
        }
        throw new ConflictException("submit of " + gid + " kept losing to concurrent changes; try again", gid, null);
    }

    public TransactionView abort(String gid, AbortRequest req) {
        Ids.checkId("gid", gid);
        String reason = req == null || req.reason() == null || req.reason().isBlank() ? "aborted by client"
                : abbreviate(req.reason(), 200);
        for (int round = 0; round < CAS_ROUNDS; round++) {
            GlobalTransaction tx = load(gid);
            switch (tx.status()) {
                case ABORTING, ABORTED -> {
                    return view(tx);
                }
                case PREPARING, COMMITTING, COMMITTED -> throw new ConflictException("cannot abort " + gid + ": it is already "
                        + tx.status(), gid, tx.status().name());
                case ACTIVE, PARKED -> {
                    Optional<GlobalTransaction> stored = abortActive(tx, reason);
                    if (stored.isPresent()) {
                        return view(stored.get());
                    }
                }
                default -> throw new IllegalStateException("unknown status " + tx.status());
            }
        }
        throw new ConflictException("abort of " + gid + " kept losing to concurrent changes; try again", gid, null);
    }

    /**
     * An operator's decision for a PARKED transaction (a half message whose check-backs went unanswered): commit
     * delivers it, abort drops it, both with the operator's reason on record. Any other status is a conflict that
     * names it: only a parked record waits for a person.
     */
    public TransactionView resolve(String gid, ResolveRequest req) {
        Ids.checkId("gid", gid);
        if (req == null || req.decision() == null) {
            throw new InvalidInputException("decision", "decision is required: \"commit\" or \"abort\"");
        }
        GlobalStatus target = switch (req.decision()) {
            case "commit" -> GlobalStatus.COMMITTING;
            case "abort" -> GlobalStatus.ABORTING;
            default -> throw new InvalidInputException("decision", "decision must be \"commit\" or \"abort\", was '"
                    + abbreviate(req.decision(), 40) + "'");
        };
        String reason = "resolved by an operator: " + req.decision()
                + (req.reason() == null || req.reason().isBlank() ? "" : " (" + abbreviate(req.reason(), 200) + ")");
        for (int round = 0; round < CAS_ROUNDS; round++) {
            GlobalTransaction tx = load(gid);
            if (tx.status() != GlobalStatus.PARKED) {
                throw new ConflictException("cannot resolve " + gid + ": it is " + tx.status() + ", not PARKED"
                        + (tx.reason() == null ? "" : " (" + tx.reason() + ")"), gid, tx.status().name());
            }
            Optional<GlobalTransaction> stored = decisions.move(tx, target, reason);
            if (stored.isPresent()) {
                driver.startDriving(stored.get());
                return view(stored.get());
            }
        }
        throw new ConflictException("resolve of " + gid + " kept losing to concurrent changes; try again", gid, null);
    }

    public TransactionView get(String gid) {
        Ids.checkId("gid", gid);
        return view(load(gid));
    }

    public TransactionList list(GlobalStatus status, String after, int limit) {
        if (after != null) {
            Ids.checkId("after", after);
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw new InvalidInputException("limit", "limit must be within 1.." + MAX_PAGE + ", was " + limit);
        }
        List<GlobalTransaction> page = store.list(status, after, limit);
        String next = page.size() == limit ? page.getLast().gid() : null;
        return new TransactionList(page.stream().map(t -> Views.of(t, List.of())).toList(), next);
    }

    private Optional<GlobalTransaction> abortActive(GlobalTransaction tx, String reason) {
        Optional<GlobalTransaction> stored = decisions.move(tx, GlobalStatus.ABORTING, reason);
        stored.ifPresent(driver::startDriving);
        return stored;
    }

    private static void checkTried(String gid, GlobalTransaction tx, List<BranchRecord> branches, Set<String> tried) {
        Set<String> registered = branches.stream().map(BranchRecord::branchId).collect(Collectors.toSet());
        Set<String> missing = new HashSet<>(registered);
        missing.removeAll(tried);
        Set<String> unknown = new HashSet<>(tried);
        unknown.removeAll(registered);
        if (!unknown.isEmpty()) {
            throw new InvalidInputException("tried", "branches " + unknown + " are not registered in " + gid);
        }
        if (!missing.isEmpty()) {
            throw new ConflictException("cannot submit " + gid + ": branches " + missing
                    + " have not reported a successful Try; abort instead", gid, tx.status().name());
        }
    }

    private GlobalTransaction load(String gid) {
        return store.find(gid).orElseThrow(() -> new UnknownTransactionException(gid));
    }

    private TransactionView view(GlobalTransaction tx) {
        return Views.of(tx, store.branches(tx.gid()));
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
