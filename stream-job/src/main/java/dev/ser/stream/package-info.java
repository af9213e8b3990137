/**
 * The stream job. What users may build on: {@link dev.ser.stream.EmotionJob} (source and sinks as
 * constructor arguments), its settings ({@link dev.ser.stream.StreamJobOptions},
 * {@link dev.ser.stream.StreamJobConfig}), marked {@link org.apache.flink.annotation.PublicEvolving},
 * and the Avro schemas of the topics. Everything in the sub-packages is internal: {@code chunk},
 * {@code assembly} and {@code scoring} are pure logic, {@code flink} and {@code kafka} the wiring,
 * and only {@code EmotionJob} puts them together ({@code PackageRulesTest} holds it to that).
 */
package dev.ser.stream;

