package dev.rollback.mongo.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The names of the collections this module creates next to the live ones: temporary restores
 * ({@code rbtmp_<run>_<name>}), kept originals ({@code <name>_before_<run>}), documents written
 * between a crash and the resume ({@code <name>_meanwhile_<run>}), and hashed forms when a name
 * gets long. Forensic dumps leave all of them out.
 */
public final class TempNames {
    // Collection names are limited to 255 bytes with the database name; derived names stay well below.
    private static final int MAX_DERIVED_NAME = 120;
    private static final Pattern LIBRARY = Pattern.compile("^(system\\.buckets\\.)?(rbtmp_|rbold_|rbnew_).*|.*_(before|meanwhile)_[A-Za-z0-9]{1,8}(_\\d+)?$");

    private TempNames() {
    }

    /**
     * @param runId a run id
     * @return a short tag of letters and digits from it
     */
    public static String tag(String runId) {
        String clean = runId.replaceAll("[^A-Za-z0-9]", "");
        return clean.length() <= 8 ? clean : clean.substring(clean.length() - 8);
    }

    /**
     * @param tag  the run's tag
     * @param name a collection name
     * @return the temporary collection a restore of this run loads {@code name} into
     */
    public static String temp(String tag, String name) {
        return derived("rbtmp_" + tag + "_", name);
    }

    /**
     * @param tag the run's tag
     * @return the prefix of every temporary collection of this run
     */
    public static String tempPrefix(String tag) {
        return "rbtmp_" + tag + "_";
    }

    /**
     * @param name a collection name
     * @param tag  the run's tag
     * @return the name under which the live collection replaced by this run is kept
     */
    public static String kept(String name, String tag) {
        String candidate = name + "_before_" + tag;
        return fits(candidate) ? candidate : derived("rbold_" + tag + "_", name);
    }

    /**
     * @param name    a collection name
     * @param tag     the run's tag
     * @param attempt 1 for the first set-aside, more when a run crashed several times
     * @return the name under which documents written to {@code name} between a crash and the resume are kept
     */
    public static String meanwhile(String name, String tag, int attempt) {
        String candidate = name + "_meanwhile_" + tag + (attempt > 1 ? "_" + attempt : "");
        return fits(candidate) ? candidate : derived("rbnew_" + tag + "_" + (attempt > 1 ? attempt + "_" : ""), name);
    }

    /**
     * @param name a collection name
     * @return whether it is one of the names this module creates (left out of forensic dumps)
     */
    public static boolean isLibraryObject(String name) {
        return LIBRARY.matcher(name).matches();
    }

    /**
     * @param prefix a prefix
     * @param name   a collection name
     * @return the prefix and the name, shortened with a hash when long
     */
    public static String derived(String prefix, String name) {
        String candidate = prefix + name;
        if (fits(candidate)) {
            return candidate;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
            return prefix + HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean fits(String name) {
        return name.getBytes(StandardCharsets.UTF_8).length <= MAX_DERIVED_NAME;
    }
}
