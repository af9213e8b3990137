/**
 * Pure logic, no Flink or Kafka: what a valid audio chunk is ({@link dev.ser.stream.chunk.ChunkValidator}),
 * the chunk and dead-letter records, and what the source emits for each Kafka record (a chunk or a
 * dead letter). Not an API: public only for the job's other packages.
 */
package dev.ser.stream.chunk;

