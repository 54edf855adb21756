package dev.pactum.core.spi;

import dev.pactum.api.Outcome;

/**
 * How a branch call ended.
 *
 * @param httpStatus the participant's HTTP status, or 0 when no answer came
 * @param detail     a short human-readable description, kept as the branch's last error when not a success
 */
public record CallResult(Outcome outcome, int httpStatus, String detail) {
    public static CallResult noAnswer(String detail) {
        return new CallResult(Outcome.ONGOING, 0, detail);
    }
}
