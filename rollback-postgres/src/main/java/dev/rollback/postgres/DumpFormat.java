package dev.rollback.postgres;

/** The format of a {@code pg_dump} output. */
public enum DumpFormat {
    /** One compressed file ({@code --format=custom}); restored with pg_restore, in parallel too. */
    CUSTOM("custom"),
    /** A directory, one file per table ({@code --format=directory}); dumped and restored in parallel. */
    DIRECTORY("directory"),
    /** A SQL script ({@code --format=plain}); restored with psql, one job. */
    PLAIN("plain");

    private final String flag;

    DumpFormat(String flag) {
        this.flag = flag;
    }

    /** @return the value of pg_dump's {@code --format} */
    public String flag() {
        return flag;
    }
}
