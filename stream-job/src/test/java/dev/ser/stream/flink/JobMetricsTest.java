package dev.ser.stream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.junit.jupiter.api.Test;

class JobMetricsTest {

  /** A metric group that remembers what was registered under which name. */
  static final class Recording extends UnregisteredMetricsGroup {
    final Map<String, Metric> metrics = new LinkedHashMap<>();

    @Override
    public <C extends Counter> C counter(String name, C counter) {
      metrics.put(name, counter);
      return counter;
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
      metrics.put(name, gauge);
      return gauge;
    }

    @Override
    public <H extends Histogram> H histogram(String name, H histogram) {
      metrics.put(name, histogram);
      return histogram;
    }
  }

  @Test
  void eachMetricHasItsPrometheusNameAndForOneReleaseItsOldOne() {
    Recording group = new Recording();
    Counter c = JobMetrics.counter(group, "chunks_in", "chunksIn");
    c.inc(3);
    JobMetrics.gauge(group, "open_channels", "openChannels", () -> 7L);
    Histogram latency = JobMetrics.seconds(group, "end_of_utterance_to_event_seconds", "endOfUtteranceToEventMs",
        new DescriptiveStatisticsHistogram(100), 1_000);
    for (long ms : new long[] {100, 200, 300, 400, 500}) {
      latency.update(ms);
    }
    assertThat(group.metrics.keySet()).containsExactly("chunks_in", "chunksIn", "open_channels", "openChannels",
        "endOfUtteranceToEventMs", "end_of_utterance_to_event_seconds");
    assertThat(((Counter) group.metrics.get("chunksIn")).getCount()).isEqualTo(3);
    assertThat(group.metrics.get("chunks_in")).isSameAs(group.metrics.get("chunksIn"));
    Histogram seconds = (Histogram) group.metrics.get("end_of_utterance_to_event_seconds");
    assertThat(seconds.getCount()).isEqualTo(5);
    assertThat(seconds.getStatistics().getQuantile(0.5)).isCloseTo(0.3, within(1e-12));
    assertThat(seconds.getStatistics().getMean()).isCloseTo(0.3, within(1e-12));
    assertThat(((Histogram) group.metrics.get("endOfUtteranceToEventMs")).getStatistics().getQuantile(0.5))
        .isCloseTo(300, within(1e-9));
  }
}
