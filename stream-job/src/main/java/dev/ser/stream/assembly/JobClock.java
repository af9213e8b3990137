package dev.ser.stream.assembly;

import java.io.Serializable;

/**
 * The job's own time: the wall clock with the time the job was down taken out. Idle timeouts,
 * reorder waits, closed-channel retention and the wall-clock side of the lateness check count this
 * time, so a job that was away for longer than any of them resumes its calls where it left them
 * (their chunks waiting in Kafka) instead of closing every channel the moment it is back. Until the
 * first restore that finds a recorded time, job time is wall time.
 */
public final class JobClock implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Wall time minus job time: the downtime of every restore so far. */
  private long offsetMs;

  /** Job time at wall time {@code wallMs}. */
  public long now(long wallMs) {
    return wallMs - offsetMs;
  }

  /** The wall time at which job time {@code jobMs} comes (for timers and for stamps read outside the job). */
  public long toWall(long jobMs) {
    return jobMs + offsetMs;
  }

  /**
   * After a restore: job time continues from {@code recordedJobMs}, the latest job time the restored
   * checkpoint recorded, as if the job had never stopped.
   */
  public void resumeFrom(long recordedJobMs, long wallMs) {
    offsetMs = wallMs - recordedJobMs;
  }

  public long offsetMs() {
    return offsetMs;
  }
}
