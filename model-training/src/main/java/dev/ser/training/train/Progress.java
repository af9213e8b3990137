package dev.ser.training.train;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar with an ETA, redrawn in place on a terminal (stderr). */
public final class Progress {

  private final PrintStream out;
  private final long total;
  private final long start = System.nanoTime();
  private long done;

  public Progress(PrintStream out, long totalUnits) {
    this.out = out;
    this.total = Math.max(1, totalUnits);
  }

  /** Marks {@code units} more done and redraws the bar with {@code status}. */
  public void advance(long units, String status) {
    done = Math.min(total, done + units);
    double elapsed = (System.nanoTime() - start) / 1e9;
    double eta = done == 0 ? Double.NaN : elapsed * (total - done) / done;
    int width = 24;
    int filled = (int) (width * done / total);
    out.print(String.format(Locale.ROOT, "\r[%s%s] %3d%% %s ETA %s   ", "#".repeat(filled), "-".repeat(width - filled),
        100 * done / total, status, format(eta)));
    if (done == total) {
      out.println();
    }
    out.flush();
  }

  static String format(double seconds) {
    if (Double.isNaN(seconds)) {
      return "--:--";
    }
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
  }
}
