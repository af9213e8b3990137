package dev.ser.training.data;

/** A corpus folder that does not match its layout: the message says what and where. */
public class CorpusException extends IllegalArgumentException {
  public CorpusException(String message) {
    super(message);
  }
}
