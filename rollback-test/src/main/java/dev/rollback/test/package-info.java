/**
 * The testkit for rollback plans: AssertJ assertions on plans, runs and journals
 * ({@link dev.rollback.test.RollbackAssertions}), fakes, a {@link dev.rollback.test.TestStepContext}
 * for one step, drills, and the {@link dev.rollback.test.CrashDrill} that kills a plan at every step
 * boundary and checks the resume.
 */
package dev.rollback.test;
