/**
 * The shared command-line front: {@link dev.rollback.core.cli.RollbackCommand} turns any plan into
 * a program with the same flags ({@code --dry-run}, {@code --yes}, {@code --resume}, {@code --journal}
 * ...) and the exit codes of {@link dev.rollback.core.cli.ExitCode}.
 */
package dev.rollback.core.cli;
