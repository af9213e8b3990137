package dev.ser.flink;

import dev.ser.childjvm.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real standalone Flink session cluster on this machine: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}),
 * each in its own JVM, started from the jars the Flink distribution is assembled from (listed in
 * {@code dev/ser/flink/cluster.classpath} when this module is built). Jobs are submitted through
 * its REST port like to any cluster; a TaskManager can be killed with SIGKILL as a crash would.
 * Every JVM halts by itself when this one dies ({@code WatchedMain}).
 *
 * <pre>{@code
 * try (FlinkClusterProcess cluster = FlinkClusterProcess.builder().taskManagers(2).build().start()) {
 *   var env = StreamExecutionEnvironment.createRemoteEnvironment("localhost", cluster.restPort(), jobJar);
 * }
 * }</pre>
 */
public final class FlinkClusterProcess implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final boolean deleteOnClose;
  private final int taskManagers;
  private final Map<String, String> config;
  private final Duration startTimeout;
  private final int restPort;
  private final int rpcPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Process jobManager;
  private final List<Process> taskManagerProcesses = new ArrayList<>();
  /** TaskManagers killed on purpose: their death is no startup failure. */
  private final java.util.Set<Integer> killed = new java.util.HashSet<>();

  private FlinkClusterProcess(Builder b) throws IOException {
    this.deleteOnClose = b.dir == null;
    this.dir = b.dir != null ? Files.createDirectories(b.dir) : Files.createTempDirectory("ser-flink-");
    this.taskManagers = b.taskManagers;
    this.startTimeout = b.startTimeout;
    int[] ports = ChildJvm.freePorts(2); // distinct, unlike two calls of freePort()
    this.restPort = ports[0];
    this.rpcPort = ports[1];
    this.config = new LinkedHashMap<>();
    config.put("jobmanager.rpc.address", "localhost");
    config.put("jobmanager.rpc.port", Integer.toString(rpcPort));
    config.put("jobmanager.bind-host", "localhost");
    config.put("rest.address", "localhost");
    config.put("rest.bind-address", "localhost");
    config.put("rest.port", Integer.toString(restPort));
    config.put("taskmanager.host", "localhost");
    config.put("taskmanager.bind-host", "localhost");
    config.put("taskmanager.numberOfTaskSlots", Integer.toString(b.slotsPerTaskManager));
    config.put("jobmanager.memory.process.size", "1024m");
    config.put("taskmanager.memory.process.size", "1280m");
    config.put("taskmanager.memory.managed.fraction", "0.05");
    // a killed TaskManager is noticed in seconds, not the default 50 s
    config.put("heartbeat.interval", "1000");
    config.put("heartbeat.timeout", "6000");
    config.put("io.tmp.dirs", dir.resolve("tmp").toString());
    config.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
    config.putAll(b.config);
  }

  public static Builder builder() {
    return new Builder();
  }

  public int restPort() {
    return restPort;
  }

  /** {@code http://localhost:PORT}, the REST API and web UI. */
  public String restAddress() {
    return "http://localhost:" + restPort;
  }

  public Path directory() {
    return dir;
  }

  /** The log file of the JobManager ({@code jobmanager}) or of TaskManager {@code tm-N}. */
  public Path logFile(String name) {
    return dir.resolve("log").resolve(name + ".log");
  }

  /** Starts the JobManager and the TaskManagers and waits until every TaskManager registered. */
  public synchronized FlinkClusterProcess start() throws IOException, InterruptedException {
    Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(dir.resolve("log"));
    Files.createDirectories(dir.resolve("tmp"));
    StringBuilder yaml = new StringBuilder("# written by " + FlinkClusterProcess.class.getName() + "\n");
    config.forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
    Files.writeString(dir.resolve("conf/config.yaml"), yaml);
    Files.writeString(dir.resolve("conf/log4j.properties"), String.join("\n",
        "rootLogger.level = INFO", "rootLogger.appenderRef.file.ref = FileAppender",
        "appender.file.name = FileAppender", "appender.file.type = File", "appender.file.fileName = ${sys:log.file}",
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-40c{1.} [%t] %m%n", ""));
    jobManager = launch("jobmanager", resourceParams("GET_JM_RESOURCE_PARAMS"),
        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
    List<List<String>> tm = resourceParams("GET_TM_RESOURCE_PARAMS");
    for (int i = 0; i < taskManagers; i++) {
      List<String> args = new ArrayList<>(tm.get(1));
      args.addAll(List.of("-D", "taskmanager.resource-id=tm-" + i));
      taskManagerProcesses.add(launch("tm-" + i, List.of(tm.get(0), args),
          "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"));
    }
    awaitTaskManagers(taskManagers, startTimeout);
    return this;
  }

  /**
   * Waits until the job ({@code /jobs/ID}, as {@link #get} takes it) is RUNNING with every task of
   * every vertex RUNNING: only then does it read its sources.
   *
   * @throws IOException when that has not happened within {@code timeout}, naming the job's last state
   */
  public void awaitAllTasksRunning(String job, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      JsonNode details = get(job);
      boolean running = details.path("state").asText().equals("RUNNING");
      for (JsonNode v : details.path("vertices")) {
        running &= v.path("status").asText().equals("RUNNING")
            && v.path("tasks").path("RUNNING").asInt() == v.path("parallelism").asInt();
      }
      if (running) {
        return;
      }
      last = details.path("state").asText();
      Thread.sleep(250);
    }
    throw new IOException("the job's tasks were not all RUNNING within " + timeout + " (job state " + last + ")");
  }

  /** Process ids of the cluster's JVMs: the JobManager's first, then each TaskManager's in order. */
  public synchronized java.util.List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    pids.add(jobManager.pid());
    taskManagerProcesses.forEach(p -> pids.add(p.pid()));
    return pids;
  }

  /** Process id of TaskManager {@code index} ({@code tm-INDEX}). */
  public long taskManagerPid(int index) {
    return taskManagerProcesses.get(index).pid();
  }

  public boolean isTaskManagerAlive(int index) {
    return taskManagerProcesses.get(index).isAlive();
  }

  /** Kills TaskManager {@code index} with SIGKILL and waits until the process is gone. */
  public void killTaskManager(int index) throws InterruptedException {
    Process p = taskManagerProcesses.get(index);
    killed.add(index);
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  /** The ids of the TaskManagers registered at the JobManager now. */
  public List<String> registeredTaskManagers() throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
    return ids;
  }

  /** GET {@code path} of the REST API, as a JSON tree. */
  public JsonNode get(String path) throws IOException, InterruptedException {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(new URI(restAddress() + path))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
      }
      return JSON.readTree(r.body());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(path, e);
    }
  }

  /** Waits until exactly {@code count} TaskManagers are registered. */
  public void awaitTaskManagers(int count, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!jobManager.isAlive()) {
        throw new IOException("the JobManager exited with status " + jobManager.exitValue() + "; its log ends with:\n"
            + ChildJvm.tail(logFile("jobmanager")));
      }
      for (int i = 0; i < taskManagerProcesses.size(); i++) {
        if (!killed.contains(i) && !taskManagerProcesses.get(i).isAlive()) {
          throw new IOException("TaskManager tm-" + i + " exited with status " + taskManagerProcesses.get(i).exitValue()
              + "; its log ends with:\n" + ChildJvm.tail(logFile("tm-" + i)));
        }
      }
      try {
        if (registeredTaskManagers().size() == count) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(250);
    }
    throw new IOException("not " + count + " TaskManagers registered within " + timeout.toSeconds() + " s (last error: "
        + last + "); the JobManager's log " + logFile("jobmanager") + " ends with:\n" + ChildJvm.tail(logFile("jobmanager")));
  }

  @Override
  public synchronized void close() {
    for (Process p : taskManagerProcesses) {
      p.destroyForcibly();
    }
    if (jobManager != null) {
      jobManager.destroyForcibly();
    }
    try {
      for (Process p : taskManagerProcesses) {
        p.waitFor(30, TimeUnit.SECONDS);
      }
      if (jobManager != null) {
        jobManager.waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (deleteOnClose) {
      ChildJvm.deleteRecursively(dir);
    }
  }

  /**
   * What Flink's start scripts compute with {@code BashJavaUtils}: the JVM's memory flags
   * ({@code -Xmx} ...) and the derived memory settings as dynamic properties ({@code -D k=v}),
   * which the entry points require.
   */
  private List<List<String>> resourceParams(String command) throws IOException, InterruptedException {
    Path out = dir.resolve("log").resolve(command.toLowerCase(java.util.Locale.ROOT) + ".out");
    Process p = ChildJvm.plain(classpath(), List.of(ChildJvm.javaExecutable(),
        "org.apache.flink.runtime.util.bash.BashJavaUtils", command, "--configDir", dir.resolve("conf").toString()), dir)
        .redirectOutput(out.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("BashJavaUtils " + command + " failed; see " + out + ":\n" + ChildJvm.tail(out));
    }
    List<List<String>> results = new ArrayList<>();
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
        results.add(List.of(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim().split("\\s+")));
      }
    }
    if (results.size() < 2) {
      throw new IOException("BashJavaUtils " + command + " printed " + results.size() + " results, expected 2: " + out);
    }
    return results;
  }

  private Process launch(String name, List<List<String>> jvmAndDynamic, String mainClass) throws IOException {
    List<String> jvm = new ArrayList<>(jvmAndDynamic.get(0));
    jvm.add("-Dlog.file=" + logFile(name));
    jvm.add("-Dlog4j.configurationFile=" + dir.resolve("conf/log4j.properties").toUri());
    // the module system opens Flink needs on Java 17 (as flink-dist's config.yaml sets env.java.opts.all)
    for (String pkg : List.of("java.base/java.lang", "java.base/java.util", "java.base/java.net", "java.base/java.io",
        "java.base/java.nio", "java.base/sun.nio.ch", "java.base/java.lang.reflect", "java.base/java.text",
        "java.base/java.time", "java.base/java.util.concurrent", "java.base/java.util.concurrent.atomic",
        "java.base/java.util.concurrent.locks")) {
      jvm.add("--add-opens=" + pkg + "=ALL-UNNAMED");
    }
    List<String> args = new ArrayList<>(List.of("--configDir", dir.resolve("conf").toString()));
    args.addAll(jvmAndDynamic.get(1));
    return ChildJvm.watched(classpath(), jvm, dir, mainClass, args)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log").resolve(name + ".out").toFile())).start();
  }

  /** The distribution's jars and {@link ChildJvm}'s module (for the watchdog main). */
  static String classpath() throws IOException {
    try (InputStream in = FlinkClusterProcess.class.getResourceAsStream("cluster.classpath")) {
      if (in == null) {
        throw new IOException("dev/ser/flink/cluster.classpath is missing; build ser-embedded-flink with Maven");
      }
      return ChildJvm.ownLocation() + java.io.File.pathSeparator
          + new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }

  private static String quote(String v) {
    return "'" + v.replace("'", "''") + "'";
  }

  /** Settings; {@link #build()} checks them. */
  public static final class Builder {
    private Path dir;
    private int taskManagers = 2;
    private int slotsPerTaskManager = 2;
    private final Map<String, String> config = new LinkedHashMap<>();
    private Duration startTimeout = Duration.ofSeconds(120);

    private Builder() {}

    /** Configuration, logs, temp files and checkpoints; kept on close. Default: a temp dir, deleted. */
    public Builder directory(Path dir) {
      this.dir = dir;
      return this;
    }

    public Builder taskManagers(int count) {
      this.taskManagers = count;
      return this;
    }

    public Builder slotsPerTaskManager(int slots) {
      this.slotsPerTaskManager = slots;
      return this;
    }

    /** Any Flink configuration entry (config.yaml), over the defaults. */
    public Builder config(String key, String value) {
      config.put(key, value);
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    public FlinkClusterProcess build() throws IOException {
      if (taskManagers < 1 || slotsPerTaskManager < 1) {
        throw new IllegalArgumentException("a cluster needs at least one TaskManager with one slot, got "
            + taskManagers + " TaskManagers with " + slotsPerTaskManager + " slots");
      }
      classpath(); // fails here, with what to do, when the module was not built
      return new FlinkClusterProcess(this);
    }
  }
}
