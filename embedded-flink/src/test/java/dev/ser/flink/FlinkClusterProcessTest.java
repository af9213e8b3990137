package dev.ser.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FlinkClusterProcessTest {

  @Test
  void twoTaskManagersRegisterAndAKilledOneIsDroppedByTheJobManager() throws Exception {
    Path dir;
    try (FlinkClusterProcess cluster = FlinkClusterProcess.builder().taskManagers(2).slotsPerTaskManager(1).build()
        .start()) {
      dir = cluster.directory();
      assertThat(cluster.registeredTaskManagers()).containsExactlyInAnyOrder("tm-0", "tm-1");
      assertThat(cluster.get("/overview").path("slots-total").asInt()).isEqualTo(2);
      long pid = cluster.taskManagerPid(1);
      assertThat(pid).isNotEqualTo(cluster.taskManagerPid(0)).isNotEqualTo(ProcessHandle.current().pid());
      cluster.killTaskManager(1);
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      cluster.awaitTaskManagers(1, Duration.ofSeconds(60));
      assertThat(cluster.registeredTaskManagers()).containsExactly("tm-0");
      assertThat(Files.readString(cluster.logFile("jobmanager"))).contains("tm-1");
    }
    assertThat(dir).doesNotExist();
  }

  @Test
  void refusesAClusterWithoutSlots() {
    assertThatThrownBy(() -> FlinkClusterProcess.builder().slotsPerTaskManager(0).build())
        .hasMessage("a cluster needs at least one TaskManager with one slot, got 2 TaskManagers with 0 slots");
  }
}
