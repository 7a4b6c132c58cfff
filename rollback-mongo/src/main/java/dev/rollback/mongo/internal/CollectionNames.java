package dev.rollback.mongo.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * File names of collections in a dump, as mongodump writes them: the collection name escaped as
 * Go's {@code url.PathEscape} does, and names whose escaped form exceeds 238 bytes cut to 208
 * bytes followed by {@code %24} and the unpadded URL-safe base64 of the name's SHA-1 (mongo-tools
 * {@code mongodump/prepare.go outputPath}). The full name of such a collection is in its metadata.
 */
public final class CollectionNames {
    private static final int MAX_ESCAPED = 238;
    private static final int TRUNCATED = 208;
    private static final Pattern TRUNCATED_NAME = Pattern.compile(".*%24[A-Za-z0-9_-]{27}");

    private CollectionNames() {
    }

    /**
     * @param name a collection name
     * @return the file base name mongodump uses for it (without extension)
     */
    public static String fileBaseName(String name) {
        String escaped = pathEscape(name);
        if (escaped.length() <= MAX_ESCAPED) {
            return escaped;
        }
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
            return escaped.substring(0, TRUNCATED) + "%24" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }

    /**
     * @param base a file base name
     * @return whether it is a shortened long name whose real name must come from the metadata
     */
    public static boolean isTruncated(String base) {
        return base.length() == MAX_ESCAPED && TRUNCATED_NAME.matcher(base).matches();
    }

    /**
     * Go's {@code url.PathEscape}: keeps unreserved characters and {@code $&+:=@}, escapes every
     * other byte of the UTF-8 form as {@code %XX}.
     *
     * @param s text
     * @return escaped text
     */
    public static String pathEscape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (byte by : s.getBytes(StandardCharsets.UTF_8)) {
            int c = by & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_.~$&+:=@".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }

    /**
     * Go's {@code url.PathUnescape}.
     *
     * @param s escaped text
     * @return the text
     * @throws IllegalArgumentException on a malformed escape
     */
    public static String pathUnescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("malformed escape at position " + i + " of '" + s + "'");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("malformed escape at position " + i + " of '" + s + "'");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    bytes = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
