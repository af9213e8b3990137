package dev.ser.stream.scoring;

import dev.ser.stream.chunk.DeadLetterRecord;

/** What scoring an utterance gives: its event, or the dead letter saying why it has none. */
public class EventOrDeadLetter {
  public EventRecord event;
  public DeadLetterRecord deadLetter;

  public EventOrDeadLetter() {}

  public static EventOrDeadLetter event(EventRecord event) {
    EventOrDeadLetter r = new EventOrDeadLetter();
    r.event = event;
    return r;
  }

  public static EventOrDeadLetter deadLetter(DeadLetterRecord deadLetter) {
    EventOrDeadLetter r = new EventOrDeadLetter();
    r.deadLetter = deadLetter;
    return r;
  }
}
