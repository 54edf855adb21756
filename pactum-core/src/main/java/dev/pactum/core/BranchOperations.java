package dev.pactum.core;

import dev.pactum.api.BranchRequest;
import dev.pactum.api.InvalidInputException;
import dev.pactum.api.MessageRules;
import dev.pactum.api.Operation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a branch registration into the operations a pattern stores, from either shape of the request: the general
 * {@code operations} list, or the URL fields of earlier versions (TCC's {@code tryUrl}, {@code confirmUrl},
 * {@code cancelUrl}; XA's {@code prepareUrl}, {@code commitUrl}, {@code rollbackUrl}). The pattern says which
 * operations it takes ({@link Spec}); everything else is refused with an error naming the field, before anything
 * is written.
 */
public final class BranchOperations {
    /** Most operations one branch may carry; no pattern needs more than a handful. */
    public static final int MAX_OPERATIONS = 16;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    /**
     * Checks an operation's target before anything is stored; {@link BranchUrls#check} (absolute http or https) is
     * the check of TCC's and XA's operations, a message's destination has its own (any scheme a connector serves).
     */
    @FunctionalInterface
    public interface TargetCheck {
        /** The target, checked; null when absent and not {@code required}; {@code InvalidInputException} naming {@code field}. */
        String check(String field, String value, boolean required);
    }

    /**
     * One operation a pattern takes.
     *
     * @param name        its name in {@code operations}
     * @param legacyField the URL field of earlier versions that carries its target, or null
     * @param required    whether a branch of the pattern must have it
     * @param target      how its target is checked
     * @param keyed       whether it may carry a key and headers ({@link MessageRules}: MSG's {@code deliver})
     */
    public record Spec(String name, String legacyField, boolean required, TargetCheck target, boolean keyed) {
        /** An operation without key and headers. */
        public Spec(String name, String legacyField, boolean required, TargetCheck target) {
            this(name, legacyField, required, target, false);
        }

        /** An operation whose target is an http or https URL. */
        public Spec(String name, String legacyField, boolean required) {
            this(name, legacyField, required, BranchUrls::check);
        }
    }

    private BranchOperations() {
    }

    /** The branch's operations, in the order of {@code specs}, checked; throws {@code InvalidInputException}. */
    public static List<Operation> accept(String pattern, BranchRequest req, List<Spec> specs) {
        Map<String, String> legacy = legacyFields(req);
        if (req.operations() != null) {
            if (!legacy.isEmpty()) {
                String field = legacy.keySet().iterator().next();
                throw new InvalidInputException(field, "give a branch's operations either as 'operations' or by the"
                        + " URL fields, not both ('" + field + "' and 'operations')");
            }
            return fromList(pattern, req.operations(), specs);
        }
        return fromLegacy(pattern, legacy, specs);
    }

    private static List<Operation> fromList(String pattern, List<Operation> given, List<Spec> specs) {
        if (given.isEmpty() || given.size() > MAX_OPERATIONS) {
            throw new InvalidInputException("operations", "a branch has 1.." + MAX_OPERATIONS + " operations, was "
                    + given.size());
        }
        Map<String, Operation> byName = new LinkedHashMap<>();
        for (int i = 0; i < given.size(); i++) {
            Operation o = given.get(i);
            String at = "operations[" + i + "]";
            if (o == null) {
                throw new InvalidInputException(at, at + " is null");
            }
            if (o.name() == null || !NAME.matcher(o.name()).matches()) {
                throw new InvalidInputException(at + ".name", at + ".name must be 1-32 lower case letters, digits,"
                        + " '-' or '_', starting with a letter");
            }
            Spec spec = specs.stream().filter(s -> s.name().equals(o.name())).findFirst().orElseThrow(() ->
                    new InvalidInputException(at + ".name", pattern + " branches take the operations "
                            + names(specs) + ", not '" + o.name() + "'"));
            if (byName.containsKey(o.name())) {
                throw new InvalidInputException(at + ".name", "operation '" + o.name() + "' is given twice");
            }
            String target = spec.target().check(at + ".target", o.target(), true);
            if (o.payload() != null && o.payload().length() > Operation.MAX_PAYLOAD_CHARS) {
                throw new InvalidInputException(at + ".payload", at + ".payload is longer than "
                        + Operation.MAX_PAYLOAD_CHARS + " characters");
            }
            checkKeyAndHeaders(spec, o, at);
            byName.put(spec.name(), new Operation(spec.name(), target, o.payload(), o.key(), o.headers()));
        }
        List<Operation> ops = new ArrayList<>();
        for (Spec s : specs) {
            Operation o = byName.get(s.name());
            if (o == null && s.required()) {
                throw new InvalidInputException("operations", "a " + pattern + " branch needs operation '" + s.name()
                        + "'");
            }
            if (o != null) {
                ops.add(o);
            }
        }
        return ops;
    }

    private static void checkKeyAndHeaders(Spec spec, Operation o, String at) {
        if (!spec.keyed()) {
            if (o.key() != null || o.headers() != null) {
                String field = at + (o.key() != null ? ".key" : ".headers");
                throw new InvalidInputException(field, "operation '" + spec.name() + "' takes no key or headers");
            }
            return;
        }
        MessageRules.checkKey(at + ".key", o.key());
        MessageRules.checkHeaders(at + ".headers", o.headers());
    }

    private static List<Operation> fromLegacy(String pattern, Map<String, String> legacy, List<Spec> specs) {
        Set<String> known = new HashSet<>();
        for (Spec s : specs) {
            known.add(s.legacyField());
        }
        for (String field : legacy.keySet()) {
            if (!known.contains(field)) {
                throw new InvalidInputException(field, field + " does not belong to " + pattern + " branches");
            }
        }
        List<Operation> ops = new ArrayList<>();
        for (Spec s : specs) {
            if (s.legacyField() == null && s.required()) {
                // Patterns newer than the URL fields (MSG) have no legacy shape: only 'operations' can carry them.
                throw new InvalidInputException("operations", "a " + pattern + " branch is given by 'operations' "
                        + names(specs) + "; operation '" + s.name() + "' is required");
            }
            String url = s.legacyField() == null ? null : s.target().check(s.legacyField(), legacy.get(s.legacyField()),
                    s.required());
            if (url != null) {
                ops.add(Operation.of(s.name(), url));
            }
        }
        return ops;
    }

    /** The URL fields that are set, in the order of the record. An empty string counts as set (and is then refused). */
    private static Map<String, String> legacyFields(BranchRequest r) {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "tryUrl", r.tryUrl());
        put(m, "confirmUrl", r.confirmUrl());
        put(m, "cancelUrl", r.cancelUrl());
        put(m, "prepareUrl", r.prepareUrl());
        put(m, "commitUrl", r.commitUrl());
        put(m, "rollbackUrl", r.rollbackUrl());
        return m;
    }

    private static void put(Map<String, String> m, String field, String value) {
        if (value != null) {
            m.put(field, value);
        }
    }

    private static String names(List<Spec> specs) {
        return specs.stream().map(Spec::name).toList().toString();
    }
}
