/**
 * Model updates without a restart (issue 16), the pure part: the checks a model named by a
 * {@link dev.ser.schemas.ModelUpdate} must pass before it may replace the running one, and the
 * Ed25519 signatures of updates. No Flink, no Kafka: the job's wiring reads the control topic and
 * swaps (not built yet).
 */
package dev.ser.stream.model;
