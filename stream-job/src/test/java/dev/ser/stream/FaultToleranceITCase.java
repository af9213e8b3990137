package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.EmotionEvent;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.traffic.SampleCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly once through faults: at least 20 task failures injected at randomly chosen utterances
 * (each counted) and the broker killed with SIGKILL and restarted 3 times mid-stream, with the broker
 * formatted under Kafka's transaction.version 1 and 2; read_committed sees every utterance's event
 * exactly once, with ser score's label.
 */
class FaultToleranceITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final int FAILURES = 20;
  static final AtomicInteger FIRED = new AtomicInteger();

  /** Utterance ids chosen at random (before the run) to fail the job the first time they arrive. */
  static final java.util.Set<String> TARGETS = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Fails at the first arrival of each target utterance: at least {@link #FAILURES} failures, at random points. */
  static final class RandomFailure implements MapFunction<UtteranceRecord, UtteranceRecord> {
    @Override
    public UtteranceRecord map(UtteranceRecord u) {
      if (TARGETS.remove(u.utteranceId())) {
        int n = FIRED.incrementAndGet();
        throw new IllegalStateException("injected failure " + n + " at " + u.utteranceId());
      }
      return u;
    }
  }

  @ParameterizedTest(name = "transaction.version={0}")
  @ValueSource(ints = {1, 2})
  void everyEventExactlyOnceThroughTaskFailuresAndBrokerKills(int transactionVersion) throws Exception {
    run(transactionVersion, "exactly-once");
  }

  /** At-least-once: nothing lost; a repeated event carries the same utterance id (and label). */
  @org.junit.jupiter.api.Test
  void atLeastOnceLosesNothingAndDuplicatesKeepTheirId() throws Exception {
    run(2, "at-least-once");
  }

  void run(int transactionVersion, String delivery) throws Exception {
    FIRED.set(0);
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().transactionVersion(transactionVersion)
        .build().start()) {
      broker.createTopic("in", 3);
      broker.createTopic("out", 1);
      broker.createTopic("dlq", 1);
      broker.createTopic("call-alerts", 1);
      broker.createTopic("call-summaries", 1);
      StreamJobConfig config = StreamJobConfig.builder().set("bootstrap-servers", broker.bootstrapServers())
          .set("input-topic", "in").set("output-topic", "out").set("dead-letter-topic", "dlq")
          .set("model", TestAudio.model().toString()).set("checkpoint-interval-ms", "500")
          .set("transactional-id-prefix", "ft-" + transactionVersion).set("parallelism", "2")
          .set("delivery-guarantee", delivery).set("score-channels", "*").build();
      List<SampleCalls.Clip> clips = new ArrayList<>(TestAudio.clips(21));
      clips.addAll(TestAudio.clips(21));
      List<SampleCalls.Call> calls = SampleCalls.build(clips, 3, 22050, 1000, "ft-");
      Map<String, String> expected = TestAudio.expectedLabels(calls);
      List<String> ids = new ArrayList<>(expected.keySet());
      java.util.Collections.shuffle(ids, new java.util.Random(transactionVersion * 31L + delivery.length()));
      TARGETS.clear();
      TARGETS.addAll(ids.subList(0, FAILURES + 2)); // all of them arrive, so at least FAILURES fire

      Configuration conf = new Configuration();
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
      conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(300));
      JobClient client = KafkaTestSupport.submit(EmotionJob.onKafka(config)
          .afterSegmentation(s -> s.map(new RandomFailure()).name("random failures")),
          "faults, transaction.version " + transactionVersion, conf);
      try {
        CompletableFuture<Void> replay = KafkaTestSupport.replayInBackground(broker.bootstrapServers(), "in", calls, 1);
        // the calls take about 46 s to send in real time; the three kill-restart cycles about 30 s
        for (int kill = 0; kill < 3; kill++) {
          Thread.sleep(4000);
          broker.kill();
          Thread.sleep(1500);
          broker.start();
        }
        assertThat(replay).as("the kills happened mid-stream").isNotDone();
        replay.get(180, TimeUnit.SECONDS);
        // until every utterance came: under at-least-once the repeats alone can reach expected.size()
        List<EmotionEvent> events = KafkaTestSupport.eventsFor(broker.bootstrapServers(), "out", expected.keySet(),
            Duration.ofSeconds(5), Duration.ofSeconds(240));
        assertThat(FIRED.get()).as("injected failures that fired").isGreaterThanOrEqualTo(FAILURES);
        Map<String, String> got = new TreeMap<>();
        int duplicates = 0;
        for (EmotionEvent e : events) {
          String previous = got.put(e.getUtteranceId().toString(), e.getLabel().toString());
          if (delivery.equals("exactly-once")) {
            assertThat(previous).as("%s delivered twice", e.getUtteranceId()).isNull();
          } else if (previous != null) {
            duplicates++;
            assertThat(previous).as("a repeat of %s has its label", e.getUtteranceId()).isEqualTo(e.getLabel().toString());
          }
        }
        assertThat(got).isEqualTo(expected);
        System.out.printf("%s, transaction.version %d: %d events for %d utterances (%d repeats), %d failures%n",
            delivery, transactionVersion, events.size(), got.size(), duplicates, FIRED.get());
      } finally {
        EmotionJob.cancel(client);
      }
    }
  }
}
