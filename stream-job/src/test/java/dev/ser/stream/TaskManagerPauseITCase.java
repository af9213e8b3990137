package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.flink.FlinkClusterProcess;
import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.DeadLetter;
import dev.ser.schemas.EmotionEvent;
import dev.ser.traffic.SampleCalls;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 6, second half: a TaskManager process is frozen (SIGSTOP) mid-call, the
 * JobManager declares it lost after its heartbeat timeout and restarts the job on the other one,
 * and the frozen process is then continued (SIGCONT). The outage is longer than the channels' idle
 * timeout; the calls must resume: every utterance once, labels as uninterrupted, no dead letter.
 */
class TaskManagerPauseITCase {

  static KafkaBrokerProcess broker;
  static FlinkClusterProcess cluster;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBrokerProcess.builder().build().start();
    // a frozen process keeps its connections: it is found lost by the heartbeat timeout (6 s here)
    cluster = TaskManagerLossITCase.twoTaskManagers(Map.of("heartbeat.interval", "1000", "heartbeat.timeout", "6000"));
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

  static void signal(String signal, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).as("kill -" + signal + " " + pid).isTrue();
  }

  @Test
  void aFrozenTaskManagerIsReplacedAndTheCallsResume() throws Exception {
    StreamJobConfig config = TaskManagerLossITCase.jobConfig(broker, cluster, "pause",
        Map.of("idle-timeout-ms", "3000"));
    JobClient client = TaskManagerLossITCase.submit(cluster, config, "task manager pause");
    String job = "/jobs/" + client.getJobID().toHexString();
    try {
      cluster.awaitAllTasksRunning(job, Duration.ofSeconds(90));
      assertThat(TaskManagerLossITCase.taskManagersRunning(cluster, job)).containsExactly("tm-0", "tm-1");

      List<SampleCalls.Call> calls = SampleCalls.build(SampleCalls.clips(TestAudio.samplesDir()), 3, 22050, 1000,
          "call-");
      CompletableFuture<Void> replay = KafkaTestSupport.replayInBackground(broker.bootstrapServers(), "in-pause",
          calls, 1);
      assertThat(KafkaTestSupport.events(broker.bootstrapServers(), "out-pause", 1, Duration.ZERO,
          Duration.ofSeconds(60))).isNotEmpty();
      assertThat(replay).as("the calls are still being replayed when the TaskManager freezes").isNotDone();

      long frozen = cluster.taskManagerPid(1);
      long frozenAt = System.nanoTime();
      signal("STOP", frozen);
      try {
        // the job's exception history names the lost TaskManager once it failed over (the metric
        // queries of the restart count would ask the frozen process too)
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!cluster.get(job + "/exceptions").toString().contains("tm-1") && System.nanoTime() < deadline) {
          Thread.sleep(250);
        }
        assertThat(cluster.get(job + "/exceptions").toString()).as("the failover").contains("tm-1");
        cluster.awaitAllTasksRunning(job, Duration.ofSeconds(90));
      } finally {
        signal("CONT", frozen);
      }
      long downMs = (System.nanoTime() - frozenAt) / 1_000_000;
      System.out.printf("TaskManagerPauseITCase: tm-1 (pid %d) frozen; every task RUNNING again after %d ms"
          + " (idle timeout 3000 ms)%n", frozen, downMs);
      assertThat(downMs).as("the outage outlasted the idle timeout").isGreaterThan(3000);

      replay.get(120, TimeUnit.SECONDS);
      List<EmotionEvent> events = KafkaTestSupport.events(broker.bootstrapServers(), "out-pause", 21,
          Duration.ofSeconds(5), Duration.ofSeconds(180));
      EmotionJobITCase.assertEventsMatch(events, calls, config);
      List<DeadLetter> dead = KafkaTestSupport.deadLetters(broker.bootstrapServers(), "dlq-pause", 0,
          Duration.ofSeconds(1), Duration.ofSeconds(2));
      assertThat(dead).extracting(d -> d.getKind() + ": " + d.getMessage()).isEmpty();
    } finally {
      EmotionJob.cancel(client);
    }
  }
}
