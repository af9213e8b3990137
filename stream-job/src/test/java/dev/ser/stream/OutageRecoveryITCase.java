package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.DeadLetter;
import dev.ser.schemas.EmotionEvent;
import dev.ser.traffic.SampleCalls;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job that was down longer than the idle timeout and the allowed lateness resumes its calls
 * instead of cutting them (issue 15, item 6): live calls at real-time pace, one injected failure per
 * subtask mid-call, and a restart delay of 12 s against an idle timeout of 2 s and an allowed
 * lateness of 8 s (above the job's start-up time on a loaded machine, below the outage). The waits count the job's own time, which stops while it is down, so the output
 * equals an uninterrupted run's and no chunk is a dead letter.
 */
class OutageRecoveryITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

  static KafkaBrokerProcess broker;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBrokerProcess.builder().build().start();
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aRestartLongerThanTheIdleTimeoutResumesEveryCall() throws Exception {
    StreamJobConfig config = EmotionJobITCase.config(broker, "outage", "exactly-once").toBuilder()
        .set("score-channels", "*").set("idle-timeout-ms", "2000").set("allowed-lateness-ms", "8000")
        .set("max-reorder-wait-ms", "1000").set("closed-retention-ms", "60000").build();
    EmotionJobITCase.INJECTED.set(0);
    Configuration restart = new Configuration();
    restart.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 4);
    restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(12_000));
    JobClient client = KafkaTestSupport.submit(EmotionJob.onKafka(config)
        .afterSegmentation(s -> s.map(new EmotionJobITCase.FailOnce()).name("fail once")), "outage", restart);
    try {
      long deadline = System.currentTimeMillis() + 60_000;
      while (client.getJobStatus().get() != JobStatus.RUNNING && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      List<SampleCalls.Clip> clips = TestAudio.clips(12);
      List<SampleCalls.Call> calls = EmotionJobITCase.replay(broker, config, clips, 2, 1); // real time, ~20 s
      List<EmotionEvent> events = KafkaTestSupport.events(broker.bootstrapServers(),
          config.get(StreamJobOptions.OUTPUT_TOPIC), 12, Duration.ofSeconds(4), Duration.ofSeconds(120));
      assertThat(EmotionJobITCase.INJECTED.get()).as("the failure fired").isPositive();
      List<DeadLetter> dead = KafkaTestSupport.deadLetters(broker.bootstrapServers(),
          config.get(StreamJobOptions.DEAD_LETTER_TOPIC), 0, Duration.ofSeconds(1), Duration.ofSeconds(2));
      assertThat(dead).extracting(d -> d.getKind() + ": " + d.getMessage()).isEmpty();
      EmotionJobITCase.assertEventsMatch(events, calls, config);
    } finally {
      EmotionJob.cancel(client);
    }
  }
}
