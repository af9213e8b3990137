package dev.ser.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What can be checked of the images without a Docker engine: after {@code ./mvnw package} (this
 * module builds after the stream job and the training module), every file a Dockerfile copies from
 * the build context exists, base images are pinned, the images do not run as root, and every Java
 * entry point the images and the compose file name exists in the jars they ship.
 */
class DockerfilesTest {

  static final Pattern ARG = Pattern.compile("^ARG\\s+(\\w+)=(\\S+)");
  static final Pattern VAR = Pattern.compile("\\$\\{(\\w+)}");

  /** The Dockerfile's lines with continuations joined and ARG defaults substituted. */
  static List<String> instructions(Path dockerfile) throws IOException {
    String text = Files.readString(dockerfile).replace("\\\n", " ");
    Map<String, String> args = new HashMap<>();
    List<String> out = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher a = ARG.matcher(line);
      if (a.find()) {
        args.put(a.group(1), a.group(2));
      }
      Matcher v = VAR.matcher(line);
      StringBuilder b = new StringBuilder();
      while (v.find()) {
        v.appendReplacement(b, Matcher.quoteReplacement(args.getOrDefault(v.group(1), v.group(0))));
      }
      v.appendTail(b);
      out.add(b.toString());
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"stream-job", "stream-job-gpu", "training"})
  void everyCopiedPathExistsAndTheImageIsPinnedAndNotRoot(String image) throws IOException {
    Path dockerfile = Repo.root().resolve("docker").resolve(image).resolve("Dockerfile");
    List<String> lines = instructions(dockerfile);
    int copies = 0;
    for (String line : lines) {
      if (line.startsWith("COPY ") && !line.contains("--from=")) {
        String[] parts = line.replaceAll("--chown=\\S+", "").trim().split("\\s+");
        for (int i = 1; i < parts.length - 1; i++) {
          Path source = Repo.root().resolve(parts[i]);
          assertThat(source).as("%s copies %s (run ./mvnw package first)", image, parts[i]).exists();
          copies++;
        }
      }
      if (line.startsWith("FROM ")) {
        String from = line.split("\\s+")[1];
        if (!from.equals("flink")) { // a named stage
          assertThat(from).as("base image of %s", image).matches("[\\w./-]+:[\\w.-]*\\d[\\w.-]*");
        }
      }
    }
    assertThat(copies).isGreaterThanOrEqualTo(4);
    String user = lines.stream().filter(l -> l.startsWith("USER ")).reduce((x, y) -> y).orElseThrow();
    assertThat(user).as("the last USER of %s", image).isNotIn("USER root", "USER 0");
    assertThat(lines).noneMatch(l -> l.contains("mvnw") || l.contains("maven") || l.contains("-jdk"));
  }

  @Test
  void theEntryPointsTheImagesNameExist() throws IOException {
    Path jobJar = Repo.root().resolve("stream-job/target/ser-stream-job-" + Repo.version() + "-job.jar");
    Path toolsJar = Repo.root().resolve("traffic/target/ser-traffic-" + Repo.version() + "-tools.jar");
    List<String> named = new ArrayList<>();
    named.addAll(mains(Repo.root().resolve("docker/stream-job/ser")));
    named.addAll(mains(Repo.root().resolve("docker/docker-compose.yml")));
    assertThat(named).contains("dev.ser.stream.StreamCommand", "dev.ser.traffic.ReplayCommand",
        "dev.ser.traffic.EventsCommand", "dev.ser.dashboard.DashboardCommand");
    assertThat(Files.readString(Repo.root().resolve("docker/stream-job/Dockerfile")))
        .contains("traffic/target/ser-traffic-${SER_VERSION}-tools.jar /opt/ser/lib/ser-traffic.jar")
        .contains("dashboard/target/ser-dashboard-${SER_VERSION}-app.jar /opt/ser/lib/ser-dashboard.jar");
    Path dashboardJar = Repo.root().resolve("dashboard/target/ser-dashboard-" + Repo.version() + "-app.jar");
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(jobJar.toFile());
        java.util.jar.JarFile tools = new java.util.jar.JarFile(toolsJar.toFile());
        java.util.jar.JarFile dashboard = new java.util.jar.JarFile(dashboardJar.toFile())) {
      // the page's files, uPlot and the web server travel in the dashboard's jar
      for (String entry : new String[] {"dashboard/index.html", "dashboard/app.js",
          "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js", "io/javalin/Javalin.class"}) {
        assertThat(dashboard.getEntry(entry)).as("%s in %s", entry, dashboard.getName()).isNotNull();
      }
      assertThat(dashboard.getEntry("org/apache/flink/streaming/api/datastream/DataStream.class")).isNull();
      for (String main : named) {
        String cls = main.replace('.', '/') + ".class";
        java.util.jar.JarFile where = main.startsWith("dev.ser.traffic.") ? tools
            : main.startsWith("dev.ser.dashboard.") ? dashboard : jar;
        assertThat(where.getEntry(cls)).as("%s in %s", main, where.getName()).isNotNull();
      }
      assertThat(jar.getEntry("dev/ser/traffic/ChunkReplayer.class")).as("the traffic tools stay out of the job jar")
          .isNull();
      assertThat(tools.getEntry("org/apache/kafka/clients/producer/KafkaProducer.class")).isNotNull();
      assertThat(tools.getEntry("org/apache/flink/streaming/api/datastream/DataStream.class")).isNull();
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("dev.ser.stream.StreamCommand");
      assertThat(jar.getEntry("org/apache/flink/connector/kafka/source/KafkaSource.class")).isNotNull();
      assertThat(jar.getEntry("org/apache/flink/streaming/api/datastream/DataStream.class"))
          .as("Flink itself comes from the cluster").isNull();
    }
    for (String main : mains(Repo.root().resolve("docker/training/ser"))) {
      String cls = main.replace('.', '/') + ".class";
      boolean found = Files.exists(Repo.root().resolve("model-training/target/classes").resolve(cls));
      try (Stream<Path> jars = Files.list(Repo.root().resolve("model-training/target/lib"))) {
        for (Path j : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
          try (ZipFile z = new ZipFile(j.toFile())) {
            found |= z.getEntry(cls) != null;
          }
        }
      }
      assertThat(found).as("%s in the training image's jars", main).isTrue();
    }
  }

  static List<String> mains(Path file) throws IOException {
    Matcher m = Pattern.compile("dev\\.ser\\.[\\w.]+Command").matcher(Files.readString(file));
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group());
    }
    assertThat(out).as("entry points named in %s", file).isNotEmpty();
    return out;
  }

  @Test
  void theComposeStackPinsItsImagesAndWiresTheServices() throws IOException {
    JsonNode compose = new YAMLMapper().readTree(Repo.root().resolve("docker/docker-compose.yml").toFile());
    JsonNode services = compose.get("services");
    assertThat(services.fieldNames()).toIterable().containsExactlyInAnyOrder("kafka", "topics", "jobmanager",
        "taskmanager", "events", "dashboard", "replay");
    assertThat(services.at("/dashboard/command/0").asText()).contains("ser dashboard --bootstrap-servers kafka:9092",
        "--basic-auth-file");
    assertThat(services.at("/dashboard/ports/0").asText()).isEqualTo("127.0.0.1:8080:8080");
    assertThat(services.at("/kafka/image").asText()).isEqualTo("apache/kafka:4.2.0");
    assertThat(services.at("/jobmanager/command").asText()).startsWith("standalone-job --job-classname"
        + " dev.ser.stream.StreamCommand --bootstrap-servers kafka:9092");
    assertThat(services.at("/jobmanager/healthcheck/test/1").asText()).isEqualTo("/opt/ser/bin/flink-job-healthy");
    // every topic the job's preflight requires (it refuses to start without one): the defaults of its
    // *-topic settings, as the settings table of stream-job/README.md lists them (generated, kept in step)
    String created = services.at("/topics/command/0").asText();
    assertThat(created).contains("audio-chunks:4");
    Matcher topics = Pattern.compile("(?m)^\\| `[a-z-]+-topic` \\| `([^`]+)` \\|")
        .matcher(Files.readString(Repo.root().resolve("stream-job/README.md")));
    int count = 0;
    while (topics.find()) {
      assertThat(created).contains(" " + topics.group(1) + ":");
      count++;
    }
    assertThat(count).isEqualTo(5); // input, output, dead letters, alerts, summaries
    // model updates without a restart: the compacted control and status topics, and the job reads them
    assertThat(created).contains("for t in model-updates model-status;").contains("--config cleanup.policy=compact");
    assertThat(services.at("/jobmanager/command").asText())
        .contains("--model-update-topic model-updates --model-status-topic model-status");
    assertThat(services.at("/replay/command").toString()).contains("/opt/ser/samples/emodb");
    assertThat(Repo.root().resolve("samples/emodb")).isDirectory();
  }
}
