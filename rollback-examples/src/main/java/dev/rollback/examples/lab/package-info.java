/**
 * Lab worlds for the seed drills and the demo: embedded servers, repositories, stand-in tools and
 * the lab application. Test support, not production code.
 */
package dev.rollback.examples.lab;
