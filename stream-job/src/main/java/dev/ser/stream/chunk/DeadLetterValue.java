package dev.ser.stream.chunk;

import java.util.Arrays;
import java.util.Locale;

/**
 * How much of a refused record's value a dead letter keeps (setting {@code dead-letter-value}). The
 * value of a refused chunk is call audio of people who did not choose us, so the default keeps only
 * its head: enough for the Avro header, the schema fingerprint and the call id, a few milliseconds of
 * audio at most.
 */
public enum DeadLetterValue {
  /** No value; the message says how long it was. */
  NONE,
  /** The first {@link #HEAD_BYTES} bytes. */
  HEAD,
  /** All of it (up to {@link DeadLetterRecord#MAX_KEPT_VALUE_BYTES}, as before). */
  FULL;

  public static final int HEAD_BYTES = 64;

  public static DeadLetterValue parse(String setting) {
    for (DeadLetterValue v : values()) {
      if (v.name().toLowerCase(Locale.ROOT).equals(setting)) {
        return v;
      }
    }
    throw new IllegalArgumentException("dead-letter-value must be none, head or full, got \"" + setting + "\"");
  }

  /** The dead letter as it may leave the job: {@code d} itself, or a copy with less of its value. */
  public DeadLetterRecord apply(DeadLetterRecord d) {
    if (d.value == null || this == FULL || (this == HEAD && d.value.length <= HEAD_BYTES)) {
      return d;
    }
    // the message stays the reason; only a dropped value is mentioned (its length helps to find the producer)
    return DeadLetterRecord.of(d.key, this == HEAD ? Arrays.copyOf(d.value, HEAD_BYTES) : null, d.sourceTopic,
        d.sourcePartition, d.sourceOffset, d.kind, this == HEAD ? d.message
            : d.message + " (the value, " + d.value.length + " bytes, is not kept: dead-letter-value=none)", d.timestamp);
  }
}
