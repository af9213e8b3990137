/**
 * Kafka wiring: the chunk source and the event and dead-letter sinks, their (de)serializers and
 * the check of the topics before a job is submitted. {@link org.apache.flink.annotation.Internal}.
 */
package dev.ser.stream.kafka;

