/**
 * Following a run as it happens: {@link dev.rollback.core.live.LivePage}, a read-only web page fed by
 * Server-Sent Events (the JDK's own HTTP server, loopback by default, a token elsewhere), and
 * {@link dev.rollback.core.live.RunWatch}, which follows a run through its journal from another
 * terminal or machine.
 */
package dev.rollback.core.live;
