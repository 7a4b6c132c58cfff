/**
 * Implementation of the testkit. Not public API.
 */
package dev.rollback.test.internal;
