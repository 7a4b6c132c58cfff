package dev.rollback.git;

import java.util.Locale;

/** How far a reset goes, as {@code git reset --soft/--mixed/--hard}. */
public enum ResetMode {
    /** Moves the branch only; index and working tree keep the changes. */
    SOFT,
    /** Moves the branch and resets the index; the working tree keeps the changes. */
    MIXED,
    /** Moves the branch and resets index and working tree; uncommitted changes would be lost, so they are refused or kept first. */
    HARD;

    /** @return the git CLI flag, such as {@code --hard} */
    public String flag() {
        return "--" + name().toLowerCase(Locale.ROOT);
    }
}
