/**
 * Git steps through JGit, from {@link dev.rollback.git.Git#repo(java.nio.file.Path)}: revert, checkout,
 * reset with a safety tag, the previous stable tag, tag and push, and checks. Every failure is a
 * {@link dev.rollback.git.GitException}.
 */
package dev.rollback.git;
