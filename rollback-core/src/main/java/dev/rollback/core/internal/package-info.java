/**
 * The runner's implementation. Not public API: types here may change in any release.
 */
package dev.rollback.core.internal;
