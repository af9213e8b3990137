package dev.ser.core.audio;

/**
 * Audio bytes that cannot be decoded: a bad header, a byte count that does not fit the
 * encoding, an unsupported format, a non-finite sample. The message names what is wrong
 * so that it can be shown to a user or written to a dead letter as it is.
 */
public class AudioFormatException extends IllegalArgumentException {

  /** What kind of problem it is, so callers can map it to their own error categories. */
  public enum Reason {
    BAD_HEADER,
    UNSUPPORTED_FORMAT,
    ODD_BYTE_COUNT,
    NON_FINITE_SAMPLE,
    BAD_SAMPLE_RATE,
    EMPTY
  }

  private final Reason reason;

  public AudioFormatException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
