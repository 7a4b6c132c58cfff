/**
 * Implementation of the git steps. Not public API.
 */
package dev.rollback.git.internal;
