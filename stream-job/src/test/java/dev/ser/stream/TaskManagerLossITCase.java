package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.flink.FlinkClusterProcess;
import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.EmotionEvent;
import dev.ser.traffic.SampleCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job jar submitted over REST to a real multi-process Flink cluster (a JobManager and two
 * TaskManagers, each its own JVM); one TaskManager process is killed with SIGKILL mid-stream. The
 * job must recover on the survivor and every event must be read exactly once (read_committed).
 */
class TaskManagerLossITCase {

  static KafkaBrokerProcess broker;
  static FlinkClusterProcess cluster;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBrokerProcess.builder().build().start();
    cluster = twoTaskManagers(Map.of());
  }

  /** A JobManager and two TaskManagers of two slots, restarting jobs every second, plus {@code config}. */
  static FlinkClusterProcess twoTaskManagers(Map<String, String> config) throws Exception {
    FlinkClusterProcess.Builder b = FlinkClusterProcess.builder().taskManagers(2).slotsPerTaskManager(2)
        .config("taskmanager.load-balance.mode", "SLOTS")
        .config("restart-strategy.type", "fixed-delay")
        .config("restart-strategy.fixed-delay.attempts", "20")
        .config("restart-strategy.fixed-delay.delay", "1 s");
    config.forEach(b::config);
    return b.build().start();
  }

  /**
   * The job's settings for a test named {@code name} on this broker and cluster (topics of two
   * partitions created), every channel scored, plus {@code extra}.
   */
  static StreamJobConfig jobConfig(KafkaBrokerProcess broker, FlinkClusterProcess cluster, String name,
      Map<String, String> extra) {
    for (String t : List.of("in-", "out-", "dlq-", "alerts-", "summaries-")) {
      broker.createTopic(t + name, 2);
    }
    StreamJobConfig.Builder b = StreamJobConfig.builder().set("bootstrap-servers", broker.bootstrapServers())
        .set("input-topic", "in-" + name).set("output-topic", "out-" + name).set("dead-letter-topic", "dlq-" + name)
        .set("alert-topic", "alerts-" + name).set("summary-topic", "summaries-" + name)
        .set("group-id", "job-" + name).set("transactional-id-prefix", "tx-" + name)
        .set("model", TestAudio.model().toAbsolutePath().toString()).set("checkpoint-interval-ms", "1000")
        .set("checkpoint-dir", cluster.directory().resolve("job-checkpoints-" + name).toUri().toString())
        .set("parallelism", "2").set("max-batch-wait-ms", "5").set("score-channels", "*");
    extra.forEach(b::set);
    return b.build();
  }

  /** Submits the job jar with these settings to the cluster over REST. */
  static JobClient submit(FlinkClusterProcess cluster, StreamJobConfig config, String name) throws Exception {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("localhost",
        cluster.restPort(), conf, jobJar().toString());
    EmotionJob.onKafka(config).addTo(env);
    return env.executeAsync(name);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  static Path jobJar() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files.filter(p -> p.getFileName().toString().matches("ser-stream-job-.*-job\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no job jar in target/: run mvn verify (after package)"))
          .toAbsolutePath();
    }
  }

  @Test
  void aKilledTaskManagerLosesAndDuplicatesNothing() throws Exception {
    StreamJobConfig config = jobConfig(broker, cluster, "tm", Map.of());
    JobClient client = submit(cluster, config, "task manager loss");
    String job = "/jobs/" + client.getJobID().toHexString();
    try {
      awaitAllTasksRunning(job, Duration.ofSeconds(90));
      assertThat(taskManagersRunning(job)).as("tasks on both TaskManagers").containsExactly("tm-0", "tm-1");

      List<SampleCalls.Call> calls = SampleCalls.build(SampleCalls.clips(TestAudio.samplesDir()), 3, 22050, 1000,
          "call-");
      CompletableFuture<Void> replay = KafkaTestSupport.replayInBackground(broker.bootstrapServers(), "in-tm", calls, 1);
      // mid-stream: the first events are committed, most of the calls still to come
      int before = KafkaTestSupport.events(broker.bootstrapServers(), "out-tm", 1, Duration.ZERO,
          Duration.ofSeconds(60)).size();
      assertThat(before).isPositive();
      assertThat(replay).as("the calls are still being replayed when the TaskManager dies").isNotDone();

      long killed = cluster.taskManagerPid(1);
      long killedAt = System.nanoTime();
      cluster.killTaskManager(1);
      assertThat(ProcessHandle.of(killed).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      cluster.awaitTaskManagers(1, Duration.ofSeconds(60));
      long droppedMs = (System.nanoTime() - killedAt) / 1_000_000;
      awaitRestarts(job, 1, Duration.ofSeconds(60));
      awaitAllTasksRunning(job, Duration.ofSeconds(90));
      long runningMs = (System.nanoTime() - killedAt) / 1_000_000;
      assertThat(taskManagersRunning(job)).as("every task on the survivor").containsExactly("tm-0");
      System.out.printf("TaskManagerLossITCase: tm-1 (pid %d) killed after %d committed event(s); the JobManager"
          + " dropped it after %d ms; every task RUNNING on tm-0 after %d ms%n", killed, before, droppedMs, runningMs);

      replay.get(120, TimeUnit.SECONDS);
      List<EmotionEvent> events = KafkaTestSupport.events(broker.bootstrapServers(), "out-tm", 21,
          Duration.ofSeconds(5), Duration.ofSeconds(180));
      EmotionJobITCase.assertEventsMatch(events, calls, config);
      assertThat(cluster.get(job + "/exceptions").toString()).as("the failure the job recovered from")
          .contains("tm-1");
    } finally {
      EmotionJob.cancel(client);
    }
  }

  /** Waits until the job is RUNNING with every task of every vertex RUNNING. */
  static void awaitAllTasksRunning(String job, Duration timeout) throws Exception {
    cluster.awaitAllTasksRunning(job, timeout);
  }

  /** The TaskManagers running some task of the job. */
  static Set<String> taskManagersRunning(String job) throws Exception {
    return taskManagersRunning(cluster, job);
  }

  static Set<String> taskManagersRunning(FlinkClusterProcess cluster, String job) throws Exception {
    Set<String> ids = new TreeSet<>();
    for (JsonNode v : cluster.get(job).path("vertices")) {
      for (JsonNode tm : cluster.get(job + "/vertices/" + v.path("id").asText() + "/taskmanagers")
          .path("taskmanagers")) {
        if (tm.path("status").asText().equals("RUNNING")) {
          ids.add(tm.path("taskmanager-id").asText());
        }
      }
    }
    return ids;
  }

  static void awaitRestarts(String job, int atLeast, Duration timeout) throws Exception {
    awaitRestarts(cluster, job, atLeast, timeout);
  }

  static void awaitRestarts(FlinkClusterProcess cluster, String job, int atLeast, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode metrics = cluster.get(job + "/metrics?get=numRestarts");
      if (metrics.size() > 0 && metrics.get(0).path("value").asLong() >= atLeast) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the job did not restart " + atLeast + " time(s) within " + timeout);
  }
}
