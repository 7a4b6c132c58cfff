/**
 * Implementation of the process steps: the command runner, process trees, atomic files. Not public API.
 */
package dev.rollback.process.internal;
