package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.EmotionEvent;
import dev.ser.traffic.SampleCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job stopped with a savepoint mid-call (utterances half received, chunks waiting in the
 * reorder buffers) and started again from it with a different parallelism: every utterance's
 * event exactly once.
 */
class SavepointRescaleITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

  static JobClient start(StreamJobConfig config, String savepoint) throws Exception {
    Configuration conf = new Configuration();
    if (savepoint != null) {
      conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
    }
    return KafkaTestSupport.submit(EmotionJob.onKafka(config), "rescale", conf);
  }

  @Test
  void stopWithSavepointAndResumeWithAnotherParallelism(@TempDir Path dir) throws Exception {
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().build().start()) {
      broker.createTopic("in", 3);
      broker.createTopic("out", 1);
      broker.createTopic("dlq", 1);
      broker.createTopic("call-alerts", 1);
      broker.createTopic("call-summaries", 1);
      StreamJobConfig.Builder settings = StreamJobConfig.builder().set("bootstrap-servers", broker.bootstrapServers())
          .set("input-topic", "in").set("output-topic", "out").set("dead-letter-topic", "dlq")
          .set("model", TestAudio.model().toString()).set("checkpoint-interval-ms", "500")
          .set("checkpoint-dir", dir.resolve("checkpoints").toUri().toString())
          .set("score-channels", "*"); // every channel: all 21 utterances of the calls
      List<SampleCalls.Call> calls = SampleCalls.build(TestAudio.clips(21), 3, 22050, 1000, "sp-");
      Map<String, String> expected = TestAudio.expectedLabels(calls);

      JobClient first = start(settings.set("parallelism", "2").build(), null);
      CompletableFuture<Void> replay = KafkaTestSupport.replayInBackground(broker.bootstrapServers(), "in", calls, 2);
      Thread.sleep(6000); // a few utterances done, many open
      String savepoint = first.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
          SavepointFormatType.CANONICAL).get();
      assertThat(replay).as("stopped mid-stream").isNotDone();
      assertThat(Files.list(Path.of(java.net.URI.create(savepoint)))).isNotEmpty();
      List<EmotionEvent> before = KafkaTestSupport.events(broker.bootstrapServers(), "out", 0, Duration.ZERO,
          Duration.ofSeconds(2));

      JobClient second = start(settings.set("parallelism", "3").build(), savepoint);
      try {
        replay.get(120, TimeUnit.SECONDS);
        List<EmotionEvent> events = KafkaTestSupport.events(broker.bootstrapServers(), "out", expected.size(),
            Duration.ofSeconds(3), Duration.ofSeconds(120));
        assertThat(KafkaTestSupport.labelsOnce(events)).isEqualTo(expected);
        assertThat(before.size()).as("events before the savepoint").isBetween(1, expected.size() - 1);
        System.out.printf("savepoint after %d of %d events; resumed with parallelism 3%n", before.size(),
            expected.size());
      } finally {
        EmotionJob.cancel(second);
      }
    }
  }
}
