package dev.pactum.demo;

import java.util.ArrayList;
import java.util.List;

/** A demo's list of rules, each held or violated; a violation is a sentence naming the rule and the ids concerned. */
class Checks {
    private final List<String> violations = new ArrayList<>();
    private final List<String> held = new ArrayList<>();

    List<String> violations() {
        return violations;
    }

    List<String> held() {
        return held;
    }

    void check(boolean ok, String rule, String detail) {
        if (ok) {
            held.add(rule);
        } else {
            violations.add(rule + ": " + detail);
        }
    }
}
