package dev.rollback.core;

import java.util.Locale;
import java.util.Objects;

/**
 * A person who approves destructive steps, with the role they approve in (such as {@code DBA}),
 * as given on the command line by {@code --approve NAME:ROLE}.
 *
 * @param name who, as recorded in the journal and the report; never blank
 * @param role the role they approve in, or null when the plan asks for no role
 */
public record Approver(String name, String role) {

    /** Validates the name and trims both. */
    public Approver {
        Objects.requireNonNull(name, "name");
        name = name.strip();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an approver needs a name");
        }
        role = role == null || role.isBlank() ? null : role.strip();
    }

    /**
     * @param name who approves
     * @return an approver with no role
     */
    public static Approver named(String name) {
        return new Approver(name, null);
    }

    /**
     * Reads {@code NAME:ROLE} (or a bare {@code NAME}); the role is what follows the last colon, so
     * that a name may hold one ({@code ops:team:DBA} is {@code ops:team} as DBA).
     *
     * @param text what followed {@code --approve}
     * @return the approver
     * @throws IllegalArgumentException when the name is blank
     */
    public static Approver parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            return named(text);
        }
        if (text.substring(0, colon).isBlank()) {
            throw new IllegalArgumentException("'" + text + "' names no approver; write NAME:ROLE, such as alice:DBA");
        }
        return new Approver(text.substring(0, colon), text.substring(colon + 1));
    }

    /**
     * @param other another approver
     * @return whether both are the same person (names compared without case)
     */
    public boolean samePersonAs(String other) {
        return other != null && name.toLowerCase(Locale.ROOT).equals(other.strip().toLowerCase(Locale.ROOT));
    }

    /** @return {@code name (role)}, or the name alone */
    @Override
    public String toString() {
        return role == null ? name : name + " (" + role + ")";
    }
}
