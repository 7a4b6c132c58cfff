package dev.rollback.process.internal;

import dev.rollback.core.StepDescription;
import dev.rollback.process.ExecutableNotFoundException;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Renders argument lists and finds executables. */
public final class Argv {
    private Argv() {
    }

    /**
     * Renders an argument list as a person would paste it into a shell (for messages only).
     *
     * @param argv the arguments
     * @return the text
     */
    public static String render(List<String> argv) {
        return StepDescription.renderCommand(argv);
    }

    /**
     * Splits a PATH-like value into directories.
     *
     * @param pathValue the value, may be null
     * @return the directories, empty entries dropped
     */
    public static List<Path> splitPath(String pathValue) {
        List<Path> dirs = new ArrayList<>();
        if (pathValue == null) {
            return dirs;
        }
        for (String part : pathValue.split(File.pathSeparator)) {
            if (!part.isEmpty()) {
                try {
                    dirs.add(Path.of(part));
                } catch (InvalidPathException e) {
                    // an unusable PATH entry cannot hold the executable; skip it
                }
            }
        }
        return dirs;
    }

    /**
     * Finds the executable: a name containing a separator is taken as a path (relative to
     * {@code workDir}); a bare name is looked up in {@code dirs} in order.
     *
     * @param executable the executable as given
     * @param dirs       where to look for a bare name
     * @param workDir    the working directory for relative paths, or null for the current one
     * @return the absolute path of an executable regular file
     * @throws ExecutableNotFoundException naming it and the directories searched
     */
    public static Path resolve(String executable, List<Path> dirs, Path workDir) {
        if (executable.indexOf('/') >= 0) {
            Path p = Path.of(executable);
            if (!p.isAbsolute()) {
                p = (workDir != null ? workDir : Path.of("")).toAbsolutePath().resolve(p);
            }
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.normalize();
            }
            String why = Files.exists(p) ? "exists but is not an executable file" : "does not exist";
            throw new ExecutableNotFoundException(executable, List.of(),
                    "Executable '" + executable + "' " + why + " (" + p + "); nothing was run. "
                            + "Fix the path or make it executable (chmod +x).");
        }
        for (Path dir : dirs) {
            Path p = dir.resolve(executable);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new ExecutableNotFoundException(executable, dirs,
                "Executable '" + executable + "' not found; searched " + dirs.size() + " directories: "
                        + joinDirs(dirs) + ". Nothing was run. Install it, add its directory to PATH, "
                        + "or pass Command.searchPath(...) / an absolute path.");
    }

    private static String joinDirs(List<Path> dirs) {
        List<String> s = new ArrayList<>();
        for (Path d : dirs) {
            s.add(d.toString());
        }
        return s.isEmpty() ? "(none: PATH is empty)" : String.join(File.pathSeparator, s);
    }
}
