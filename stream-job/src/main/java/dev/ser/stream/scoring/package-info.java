/**
 * Pure logic, no Flink or Kafka: the JVM-wide shared scorers and their micro-batcher, and the
 * mapping of a prediction to the emotion event. Not an API: public only for the job's other
 * packages.
 */
package dev.ser.stream.scoring;

