/**
 * Pure logic, no Flink or Kafka: a channel's chunks become utterances (ordering, duplicates, gaps,
 * decoding, voice activity, resampling: {@link dev.ser.stream.assembly.ChannelAssembler}) and a
 * task's channels are limited and counted ({@link dev.ser.stream.assembly.TaskChannels}). Not an
 * API: public only for the job's other packages.
 */
package dev.ser.stream.assembly;

