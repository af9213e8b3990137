package dev.ser.stream.internal;

/**
 * Only the name savepoints of the build before the package split recorded for the utterances
 * waiting in the scoring operator (Flink POJOs of this class). Flink needs the class to read them;
 * they are {@link dev.ser.stream.assembly.UtteranceRecord}s and are written in
 * {@link dev.ser.stream.flink.UtteranceRecordSerializer}'s format from then on. Kept because
 * {@code SavepointCompatibilityITCase} needs it; do not use it in new code.
 */
@Deprecated
public class UtteranceRecord extends dev.ser.stream.assembly.UtteranceRecord {}
