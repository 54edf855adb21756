package dev.pactum.core;

import dev.pactum.api.InvalidInputException;

import java.net.URI;
import java.net.URISyntaxException;

/** Checks of the URLs a branch registration carries, shared by the patterns. */
public final class BranchUrls {
    static final int MAX_LENGTH = 2048;

    private BranchUrls() {
    }

    /** The URL, checked; null when it is absent and not {@code required}. */
    public static String check(String field, String value, boolean required) {
        if (value == null || value.isEmpty()) {
            if (required) {
                throw new InvalidInputException(field, field + " is required");
            }
            return null;
        }
        if (value.length() > MAX_LENGTH) {
            throw new InvalidInputException(field, field + " is longer than " + MAX_LENGTH + " characters");
        }
        try {
            URI u = new URI(value);
            if (!("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())) || u.getHost() == null) {
                throw new InvalidInputException(field, field + " must be an absolute http or https URL, was '"
                        + abbreviate(value, 80) + "'");
            }
        } catch (URISyntaxException e) {
            throw new InvalidInputException(field, field + " is not a valid URL: " + e.getMessage());
        }
        return value;
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
