/**
 * How a deployment tool embeds rollback plans and acts on a failure by its stable error code
 * ({@code docs/errors.md}), never by its message.
 */
package dev.rollback.examples.deploy;
