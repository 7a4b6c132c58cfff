/**
 * The command line of rollback programs, on picocli: {@link dev.rollback.cli.RollbackProgram} gives
 * every plan the same flags and exit codes, with declared {@link dev.rollback.cli.Setting}s, help,
 * typo suggestions, a live page and a watch. In a module of its own so that {@code rollback-core}
 * carries no command-line library.
 */
package dev.rollback.cli;
