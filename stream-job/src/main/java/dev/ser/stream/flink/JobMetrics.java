package dev.ser.stream.flink;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;

/**
 * Registers the job's metrics under names Prometheus users expect (snake_case, base units: a
 * duration in seconds), and, for one release, also under the names of version 0.1 (camelCase, ms or
 * µs), which dashboards may still query. Flink's Prometheus reporter exports them as
 * {@code flink_taskmanager_job_task_operator_<name>}.
 */
@Internal
final class JobMetrics {

  private JobMetrics() {}

  static Counter counter(MetricGroup group, String name, String oldName) {
    Counter c = group.counter(name, new SimpleCounter());
    if (!oldName.equals(name)) {
      group.counter(oldName, c);
    }
    return c;
  }

  /** A gauge that never had another name. */
  static <T> void gauge(MetricGroup group, String name, Gauge<T> gauge) {
    group.gauge(name, gauge);
  }

  static <T> void gauge(MetricGroup group, String name, String oldName, Gauge<T> gauge) {
    group.gauge(name, gauge);
    group.gauge(oldName, gauge);
  }

  static Histogram histogram(MetricGroup group, String name, String oldName, Histogram h) {
    group.histogram(name, h);
    group.histogram(oldName, h);
    return h;
  }

  /**
   * A histogram updated in {@code unitsPerSecond} (1 000 for ms, 1 000 000 for µs), registered in
   * those units under {@code oldName} and in seconds under {@code name}.
   */
  static Histogram seconds(MetricGroup group, String name, String oldName, Histogram h, double unitsPerSecond) {
    group.histogram(oldName, h);
    group.histogram(name, new InSeconds(h, unitsPerSecond));
    return h;
  }

  /**
   * A view of a histogram in seconds: quantiles, mean and deviation are exact; minimum, maximum and
   * the values are whole seconds (the interface has them as longs; Prometheus reads the quantiles).
   */
  static final class InSeconds implements Histogram {
    private final Histogram units;
    private final double unitsPerSecond;

    InSeconds(Histogram units, double unitsPerSecond) {
      this.units = units;
      this.unitsPerSecond = unitsPerSecond;
    }

    @Override
    public void update(long value) {
      throw new UnsupportedOperationException("update the histogram in its own units");
    }

    @Override
    public long getCount() {
      return units.getCount();
    }

    @Override
    public HistogramStatistics getStatistics() {
      HistogramStatistics s = units.getStatistics();
      return new HistogramStatistics() {
        @Override
        public double getQuantile(double quantile) {
          return s.getQuantile(quantile) / unitsPerSecond;
        }

        @Override
        public long[] getValues() {
          long[] v = s.getValues();
          long[] out = new long[v.length];
          for (int i = 0; i < v.length; i++) {
            out[i] = (long) (v[i] / unitsPerSecond);
          }
          return out;
        }

        @Override
        public int size() {
          return s.size();
        }

        @Override
        public double getMean() {
          return s.getMean() / unitsPerSecond;
        }

        @Override
        public double getStdDev() {
          return s.getStdDev() / unitsPerSecond;
        }

        @Override
        public long getMax() {
          return (long) (s.getMax() / unitsPerSecond);
        }

        @Override
        public long getMin() {
          return (long) (s.getMin() / unitsPerSecond);
        }
      };
    }
  }
}
