/**
 * For step authors: what an adapter module or a plan author implements to add steps, checks and
 * application controls, without re-inventing the plumbing.
 *
 * <ul>
 *   <li>{@link dev.rollback.core.spi.DescribedStep}: a step made from a name, a
 *       {@link dev.rollback.core.StepDescription description} (what a dry run shows and the
 *       fingerprint hashes), a destructive flag and an action.</li>
 *   <li>{@link dev.rollback.core.spi.DescribedCheck}: a check made from a name, a description and a
 *       function that returns a {@link dev.rollback.core.CheckResult}.</li>
 * </ul>
 *
 * <p>Write a class of your own (implementing {@link dev.rollback.core.Step} or
 * {@link dev.rollback.core.Check}) when a step has options of its own that the user chains
 * ({@code restore(dump).jobs(4).tables("a")}); hand out these two for the rest. Naming: a public
 * type that is a step ends in {@code Step}, a check in {@code Check}; {@code docs/step-authors.md}
 * has the rules and an example.
 *
 * <pre>{@code
 * Step flush = DescribedStep.of("flush cache", StepDescription.of("flush cache").command(List.of("redis-cli", "FLUSHDB")),
 *         ctx -> redis.flushDb()).destructive(true);
 * Check up = DescribedCheck.of("cache answers", StepDescription.of("PING the cache"),
 *         ctx -> redis.ping() ? CheckResult.passed("cache answers", "PONG", "PONG")
 *                             : CheckResult.failed("cache answers", "no answer", "PONG", "redis does not answer"));
 * }</pre>
 */
package dev.rollback.core.spi;
