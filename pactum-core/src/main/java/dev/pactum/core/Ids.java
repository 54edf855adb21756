package dev.pactum.core;

import dev.pactum.api.InvalidInputException;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.regex.Pattern;

/** Makes and checks transaction and branch ids. */
public final class Ids {
    /** Ids travel in URLs, headers, XA xids and SQL keys: keep them short and plain. */
    static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final int MAX_ID = 64;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

    private Ids() {
    }

    /** A new id that sorts by creation time (milliseconds in base 36), then 10 random characters. */
    public static String newGid(Instant now) {
        StringBuilder sb = new StringBuilder(24);
        String t = Long.toString(now.toEpochMilli(), 36);
        sb.append(t).append('-');
        // One draw of 64 bits for the 10 characters: each SecureRandom call takes its lock, and this is on the
        // path of every begin. 50 random bits per millisecond keep server-made ids apart.
        long bits = RANDOM.nextLong();
        for (int i = 0; i < 10; i++) {
            sb.append(ALPHABET[(int) ((bits >>> (5 * i)) & 31)]); // the first 32 characters
        }
        return sb.toString();
    }

    public static String checkId(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException(field, field + " is required");
        }
        if (!isValid(value)) {
            throw new InvalidInputException(field, field + " must be 1-64 characters of letters, digits and . _ : -"
                    + " starting with a letter or digit, was '" + abbreviate(value) + "'");
        }
        return value;
    }

    /**
     * {@link #VALID} written out: every request checks several ids, and the regular expression's matcher showed in
     * the coordinator's profile ({@code IdsTest} checks both agree).
     */
    static boolean isValid(String v) {
        int n = v.length();
        if (n == 0 || n > MAX_ID || !isLetterOrDigit(v.charAt(0))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = v.charAt(i);
            if (!isLetterOrDigit(c) && c != '.' && c != '_' && c != ':' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    public static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
