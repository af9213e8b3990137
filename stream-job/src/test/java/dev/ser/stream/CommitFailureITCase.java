package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.EmotionEvent;
import dev.ser.stream.kafka.KafkaConnectors;
import dev.ser.stream.scoring.EventRecord;
import dev.ser.traffic.SampleCalls;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15, item 7: a task fails after a checkpoint completed and before its Kafka transaction was
 * committed (the events sink's committer throws on its first commit, before committing). The
 * restored job must commit that transaction: every event exactly once, none lost with it.
 */
class CommitFailureITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

  static KafkaBrokerProcess broker;
  static final AtomicInteger INJECTED = new AtomicInteger();

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

  /** The Kafka sink, but the first commit of the job's life fails before it commits anything. */
  static final class FirstCommitFails implements TwoPhaseCommittingStatefulSink<EventRecord, KafkaWriterState,
      KafkaCommittable>, SupportsPostCommitTopology<KafkaCommittable> {
    private static final long serialVersionUID = 1L;
    private final KafkaSink<EventRecord> kafka;

    FirstCommitFails(KafkaSink<EventRecord> kafka) {
      this.kafka = kafka;
    }

    @Override
    public PrecommittingStatefulSinkWriter<EventRecord, KafkaWriterState, KafkaCommittable> createWriter(
        WriterInitContext context) throws IOException {
      return kafka.createWriter(context);
    }

    @Override
    public PrecommittingStatefulSinkWriter<EventRecord, KafkaWriterState, KafkaCommittable> restoreWriter(
        WriterInitContext context, Collection<KafkaWriterState> states) throws IOException {
      return kafka.restoreWriter(context, states);
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
      return kafka.getWriterStateSerializer();
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) throws IOException {
      Committer<KafkaCommittable> committer = kafka.createCommitter(context);
      return new Committer<>() {
        @Override
        public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
            throws IOException, InterruptedException {
          if (!requests.isEmpty() && INJECTED.compareAndSet(0, 1)) {
            throw new IllegalStateException("injected: the task fails after checkpoint completion, before the commit of "
                + requests.size() + " transaction(s)");
          }
          committer.commit(requests);
        }

        @Override
        public void close() throws Exception {
          committer.close();
        }
      };
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
      return kafka.getCommittableSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
      kafka.addPostCommitTopology(committables);
    }
  }

  @Test
  void aFailureBetweenCheckpointAndCommitLosesAndDuplicatesNothing() throws Exception {
    StreamJobConfig config = EmotionJobITCase.config(broker, "commit", "exactly-once").toBuilder()
        .set("score-channels", "*").build();
    Configuration restart = new Configuration();
    restart.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 4);
    restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
    EmotionJob job = new EmotionJob(config, KafkaConnectors.chunkSource(config),
        new FirstCommitFails(KafkaConnectors.eventSink(config)), KafkaConnectors.deadLetterSink(config),
        KafkaConnectors.alertSink(config), KafkaConnectors.summarySink(config));
    INJECTED.set(0);
    JobClient client = KafkaTestSupport.submit(job, "commit failure", restart);
    try {
      List<SampleCalls.Call> calls = EmotionJobITCase.replay(broker, config, TestAudio.clips(21), 3, 10);
      List<EmotionEvent> events = KafkaTestSupport.events(broker.bootstrapServers(),
          config.get(StreamJobOptions.OUTPUT_TOPIC), 21, Duration.ofSeconds(4), Duration.ofSeconds(120));
      assertThat(INJECTED.get()).as("the commit failure fired").isEqualTo(1);
      assertThat(events).as("no event twice").hasSize(21);
      EmotionJobITCase.assertEventsMatch(events, calls, config);
    } finally {
      EmotionJob.cancel(client);
    }
  }
}
