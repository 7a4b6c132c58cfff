/**
 * OpenTelemetry traces and metrics of rollback runs: {@link dev.rollback.otel.RollbackTelemetry},
 * a run listener with a span per run, phase and step attempt, and counters and a step-duration
 * histogram. Depends on the OpenTelemetry API only; the application brings the SDK and exporters.
 */
package dev.rollback.otel;
