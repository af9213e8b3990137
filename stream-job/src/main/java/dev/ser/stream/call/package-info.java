/**
 * From utterances to calls, free of Flink and Kafka: per call and channel a rolling
 * negative-affect score, escalation alerts with hysteresis, and the end-of-call summary
 * ({@link dev.ser.stream.call.CallAnalytics}); the Flink wiring keeps one {@link
 * dev.ser.stream.call.CallState} per call.
 */
package dev.ser.stream.call;
