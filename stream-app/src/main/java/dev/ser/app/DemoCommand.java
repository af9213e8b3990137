package dev.ser.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ser.cli.Cli;
import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.CallAlert;
import dev.ser.schemas.CallSummary;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.SampleEncoding;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.EmotionJob;
import dev.ser.stream.StreamJobConfig;
import dev.ser.stream.scoring.ScoredChannels;
import dev.ser.traffic.ChunkReplayer;
import dev.ser.traffic.SampleCalls;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ser demo}: the whole platform on this machine with nothing installed but Java. A real Kafka
 * broker in a child JVM, the stream job in a local Flink, sample calls replayed at real-time pace,
 * events printed as they arrive, and a summary at the end.
 */
@Command(name = "ser demo", sortOptions = false,
    description = "Starts a Kafka broker, runs the stream job with the bundled model, replays sample calls"
        + " (EmoDB utterances taking turns on two channels) and prints every emotion event and a summary.")
public final class DemoCommand implements Callable<Integer> {

  @Option(names = "--audio", paramLabel = "DIR",
      description = "replay these .wav files instead of the bundled samples (labels.csv with file,label optional)")
  Path audio;

  @Option(names = "--speed", defaultValue = "1", description = "1 = real time, 4 = four times faster (default: ${DEFAULT-VALUE})")
  double speed;

  @Option(names = "--calls", defaultValue = "2", description = "calls the files are dealt over (default: ${DEFAULT-VALUE})")
  int calls;

  @Option(names = "--model", paramLabel = "FILE.onnx[,FILE.onnx]",
      description = "model, or models with the same labels, each stream scored by the one of its band (default: the"
          + " shipped models: " + DEFAULT_MODELS + ", those present)")
  String model;

  /** The shipped wideband model, then the narrowband (8 kHz) one when it is there. */
  static final String DEFAULT_MODELS = "models/ms-senet-emodb.onnx,models/ms-senet-emodb-8k.onnx";

  @Option(names = "--delivery-guarantee", defaultValue = "exactly-once",
      description = "exactly-once or at-least-once (default: ${DEFAULT-VALUE})")
  String delivery;

  @Option(names = "--checkpoint-interval-ms", defaultValue = "1000",
      description = "with exactly-once, events become visible at each checkpoint (default: ${DEFAULT-VALUE})")
  long checkpointMs;

  @Option(names = "--encoding", defaultValue = "PCM_S16LE",
      description = "how the calls are sent: PCM_S16LE (16 kHz) or MULAW/ALAW (8 kHz telephony) (default: ${DEFAULT-VALUE})")
  SampleEncoding encoding;

  @Option(names = "--score-agents", description = "score the agent channels too. Off by default, as in production:"
      + " inferring the emotions of people at work is prohibited in the EU (AI Act Art. 5(1)(f)); the sample calls are"
      + " actors, so the demo may show it")
  boolean scoreAgents;

  @Option(names = "--summary-json", paramLabel = "FILE", description = "also write the summary as JSON")
  Path summaryJson;

  @Option(names = "--dashboard-port", defaultValue = "8080",
      description = "port of the live supervisor page on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any free port)")
  int dashboardPort;

  @Option(names = "--keep", description = "after the calls, keep the broker, the job and the page up until Ctrl-C")
  boolean keep;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Cli.run(new DemoCommand(), args);
  }

  static Path home() {
    return Path.of(System.getProperty("ser.home", "."));
  }

  /** {@link #DEFAULT_MODELS} that exist under {@code home}; the wideband one always (its absence is reported by the job). */
  static String defaultModels(Path home) {
    List<String> present = new ArrayList<>();
    for (String m : DEFAULT_MODELS.split(",")) {
      if (present.isEmpty() || Files.isRegularFile(home.resolve(m))) {
        present.add(home.resolve(m).toString());
      }
    }
    return String.join(",", present);
  }

  /** One event as it arrived. */
  record Seen(EmotionEvent event, long arrivedMs, String expected, long latencyMs) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = audio != null ? audio : home().resolve("samples/emodb");
    String models = model != null ? model : defaultModels(home());
    if (!(speed > 0) || speed > 1000) {
      throw new IllegalArgumentException("--speed must be above 0 and at most 1000, got " + speed);
    }
    int rate = encoding == SampleEncoding.MULAW || encoding == SampleEncoding.ALAW ? 8000 : 16000;
    List<SampleCalls.Call> built = SampleCalls.build(SampleCalls.clips(dir), calls, rate, 1000, "demo-call-");
    String scoreChannels = scoreAgents ? "*" : ScoredChannels.DEFAULT;
    ScoredChannels scored = ScoredChannels.parse(scoreChannels);
    List<SampleCalls.Placement> all = built.stream().flatMap(c -> c.placements().stream()).toList();
    List<SampleCalls.Placement> placements = all.stream().filter(p -> scored.scores(p.channel())).toList();
    boolean labelled = placements.stream().allMatch(p -> p.clip().label() != null);

    Demo demo = new Demo();
    Thread cleanup = new Thread(demo::close, "ser-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C: stop the job and the broker
    try {
      out.println("starting a Kafka broker (child JVM) ...");
      out.flush();
      demo.broker = KafkaBrokerProcess.builder().build().start();
      for (String t : List.of("audio-chunks", "emotion-events", "audio-dead-letters", "call-alerts", "call-summaries")) {
        demo.broker.createTopic(t, t.equals("audio-chunks") ? 2 : 1);
      }
      StreamJobConfig config = StreamJobConfig.builder().set("bootstrap-servers", demo.broker.bootstrapServers())
          .set("model", models).set("delivery-guarantee", delivery)
          .set("checkpoint-interval-ms", Long.toString(checkpointMs)).set("starting-offsets", "earliest")
          .set("score-channels", scoreChannels)
          // replayed live, the two channels of a call are processed in step: a short wait for a late channel
          .set("call-end-grace-ms", "5000")
          .set("parallelism", "2").set("checkpoint-dir", demo.broker.directory().resolve("checkpoints").toUri().toString())
          .build();
      EmotionJob job = EmotionJob.onKafka(config);
      out.printf(Locale.ROOT, "broker at %s; starting the stream job (%s, %s %s, %s) ...%n",
          demo.broker.bootstrapServers(), delivery, job.models().size() == 1 ? "model" : "models by band:",
          job.models().stream().map(m -> m.name() + " " + m.version() + " (" + m.features().sampleRate() + " Hz)")
              .collect(java.util.stream.Collectors.joining(", ")), config.get(dev.ser.stream.StreamJobOptions.DEVICE));
      out.flush();
      Configuration conf = new Configuration();
      conf.set(PipelineOptions.GENERIC_TYPES, false);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
      job.addTo(env);
      demo.job = env.executeAsync("ser demo");
      waitRunning(demo.job);

      demo.dashboard = startDashboard(config, demo.broker.bootstrapServers(), dashboardPort);
      out.println("live supervisor page: " + demo.dashboard.server().url());

      long seconds = built.stream().mapToLong(SampleCalls.Call::durationMs).max().orElse(0) / 1000;
      out.printf(Locale.ROOT, "replaying %d calls x 2 channels, %d utterances from %s, %s %d Hz, %d s of audio at %.1fx%n",
          built.size(), all.size(), dir, encoding, rate, seconds, speed);
      out.println(scoreAgents ? "scoring every channel (--score-agents)"
          : "scoring the customer channels only (" + placements.size() + " utterances); agents are not scored (EU AI Act"
              + " Art. 5(1)(f)), --score-agents to include them");
      out.println();
      out.printf(Locale.ROOT, "%-12s %-9s %3s %15s  %-9s %6s  %-9s %8s%n", "call", "channel", "#", "time in call (s)",
          "label", "conf", "expected", "latency");
      out.flush();

      List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
      List<CallAlert> alerts = Collections.synchronizedList(new ArrayList<>());
      List<CallSummary> summaries = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean reading = new AtomicBoolean(true);
      ChunkReplayer replayer;
      long start = System.currentTimeMillis() + 500;
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, demo.broker.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 2),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        replayer = new ChunkReplayer(producer, config.get(dev.ser.stream.StreamJobOptions.INPUT_TOPIC), 100, speed, encoding);
        ChunkReplayer r = replayer;
        Thread reader = new Thread(() -> read(config, demo.broker.bootstrapServers(), placements, r, start, seen,
            alerts, summaries, reading, out), "ser-demo-reader");
        reader.start();
        r.replay(built, start);
        // wait for the last events: every utterance seen, or checkpoint + 15 s of silence
        long deadline = System.currentTimeMillis() + checkpointMs + 15_000;
        while (System.currentTimeMillis() < deadline && seen.size() < placements.size()) {
          Thread.sleep(100);
        }
        Thread.sleep(Math.min(2000, checkpointMs + 500)); // anything extra (a split utterance) shows up too
        // each call's summary comes once both its channels ended (call-end-grace-ms) and is committed
        long summariesDue = System.currentTimeMillis() + 5_000 + checkpointMs + 10_000;
        while (System.currentTimeMillis() < summariesDue && summaries.size() < built.size()) {
          Thread.sleep(100);
        }
        reading.set(false);
        reader.join(5000);
      }
      Map<String, Object> summary = summary(seen, placements, labelled);
      summary.put("score_channels", scoreChannels);
      summary.put("unscored_utterances", all.size() - placements.size());
      addClipsInTraining(summary, job.models(), placements);
      summary.put("alerts", alerts.stream().map(DemoCommand::json).toList());
      summary.put("summaries", summaries.stream().map(DemoCommand::json).toList());
      printSummary(out, summary);
      if (summaryJson != null) {
        Files.writeString(summaryJson, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(summary) + "\n");
        out.println("summary written to " + summaryJson);
      }
      out.flush();
      if (keep) {
        out.println("--keep: the page stays at " + demo.dashboard.server().url() + " until Ctrl-C");
        out.flush();
        new java.util.concurrent.CountDownLatch(1).await(); // Ctrl-C runs the cleanup hook
      }
    } finally {
      demo.close();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running already
      }
    }
    return 0;
  }

  /** The supervisor page over the demo's topics, and its reader. */
  record Dashboard(dev.ser.dashboard.DashboardServer server, dev.ser.dashboard.TopicReader reader) {}

  /** Starts the page on 127.0.0.1 and its reader of the job's output topics (the whole run is in the window). */
  static Dashboard startDashboard(StreamJobConfig config, String bootstrap, int port) {
    long window = Duration.ofHours(1).toMillis();
    var board = new dev.ser.dashboard.CallBoard(window, 1000,
        dev.ser.stream.StreamJobOptions.labels(config.get(dev.ser.stream.StreamJobOptions.CALL_NEGATIVE_LABELS)));
    dev.ser.dashboard.DashboardServer server;
    try {
      server = dev.ser.dashboard.DashboardServer.start(board, "127.0.0.1", port,
          new dev.ser.dashboard.DashboardServer.Access.Open());
    } catch (io.javalin.util.JavalinBindException busy) {
      if (port == 0) {
        throw busy;
      }
      // the port is taken (another demo, another server): any free one, printed with the URL
      server = dev.ser.dashboard.DashboardServer.start(board, "127.0.0.1", 0,
          new dev.ser.dashboard.DashboardServer.Access.Open());
    }
    var topics = new dev.ser.dashboard.TopicReader.Topics(config.get(dev.ser.stream.StreamJobOptions.OUTPUT_TOPIC),
        config.get(dev.ser.stream.StreamJobOptions.ALERT_TOPIC), config.get(dev.ser.stream.StreamJobOptions.SUMMARY_TOPIC));
    var reader = new dev.ser.dashboard.TopicReader(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topics,
        board, window).start();
    return new Dashboard(server, reader);
  }

  /** Everything the demo started, stopped once. */
  static final class Demo {
    volatile KafkaBrokerProcess broker;
    volatile JobClient job;
    volatile Dashboard dashboard;
    private final AtomicBoolean closed = new AtomicBoolean();

    void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      if (dashboard != null) {
        try {
          dashboard.reader().close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        dashboard.server().close();
      }
      if (job != null) {
        try {
          EmotionJob.cancel(job);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (broker != null) {
        broker.close();
      }
    }
  }

  static void waitRunning(JobClient job) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (job.getJobStatus().get() != JobStatus.RUNNING) {
      if (job.getJobStatus().get().isGloballyTerminalState() || System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("the stream job did not start: " + job.getJobStatus().get());
      }
      Thread.sleep(100);
    }
  }

  static void read(StreamJobConfig config, String bootstrap, List<SampleCalls.Placement> placements,
      ChunkReplayer replayer, long start, List<Seen> seen, List<CallAlert> alerts, List<CallSummary> summaries,
      AtomicBoolean reading, PrintWriter out) {
    var decoder = WireFormat.decoder(EmotionEvent.class);
    var alertDecoder = WireFormat.decoder(CallAlert.class);
    var summaryDecoder = WireFormat.decoder(CallSummary.class);
    String alertTopic = config.get(dev.ser.stream.StreamJobOptions.ALERT_TOPIC);
    String summaryTopic = config.get(dev.ser.stream.StreamJobOptions.SUMMARY_TOPIC);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "ser-demo-printer",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(config.get(dev.ser.stream.StreamJobOptions.OUTPUT_TOPIC), alertTopic, summaryTopic));
      while (reading.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          if (r.topic().equals(alertTopic)) {
            CallAlert a = alertDecoder.decode(r.value());
            alerts.add(a);
            out.println(describe(a));
            out.flush();
            continue;
          }
          if (r.topic().equals(summaryTopic)) {
            CallSummary c = summaryDecoder.decode(r.value());
            summaries.add(c);
            out.print(describe(c));
            out.flush();
            continue;
          }
          long now = System.currentTimeMillis();
          EmotionEvent e = decoder.decode(r.value());
          long from = e.getStartTime().toEpochMilli() - start;
          long to = e.getEndTime().toEpochMilli() - start;
          SampleCalls.Placement p = SampleCalls.match(placements, e.getCallId().toString(), e.getChannel().toString(),
              from, to);
          String expected = p == null ? null : p.clip().label();
          long latency = now - replayer.sentAt(start, to);
          seen.add(new Seen(e, now, expected, latency));
          out.printf(Locale.ROOT, "%-12s %-9s %3d %6.2f - %6.2f  %-9s %6.3f  %-9s %6d ms%n", e.getCallId(),
              e.getChannel(), e.getUtteranceIndex(), from / 1000.0, to / 1000.0, e.getLabel(), e.getConfidence(),
              expected == null ? "-" : expected + (expected.equals(e.getLabel().toString()) ? " ok" : ""), latency);
          out.flush();
        }
      }
    } catch (Exception e) {
      out.println("ser demo: reading events failed: " + e);
      out.flush();
    }
  }

  /** One line a supervisor can read. */
  static String describe(CallAlert a) {
    return String.format(Locale.ROOT, "%s ALERT %s %s/%s at %.1f s in the call: %s, negative-affect score %.2f (%s %.2f)"
        + " after %s", a.getStatus() == dev.ser.schemas.AlertStatus.RAISED ? ">>" : "<<", a.getStatus(), a.getCallId(),
        a.getChannel(), a.getTimeInCallMs() / 1000.0, a.getRule(), a.getScore(),
        a.getStatus() == dev.ser.schemas.AlertStatus.CLEARED ? "under" : a.getRule().name().startsWith("RISING")
            ? "rose by more than" : "above", a.getThreshold(), a.getUtteranceIds());
  }

  /** A few lines per call: per channel its speech, shares, peak and alerts. */
  static String describe(CallSummary c) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "== SUMMARY %s (%s)%n", c.getCallId(),
        c.getEndReason()));
    for (var ch : c.getChannels()) {
      b.append(String.format(Locale.ROOT, "   %-9s %d utterances, %.1f s of speech", ch.getChannel(), ch.getUtterances(),
          ch.getSpeechMs() / 1000.0));
      if (!ch.getScored()) {
        b.append(", not scored\n");
        continue;
      }
      StringBuilder shares = new StringBuilder();
      for (var share : ch.getClassShares()) {
        if (share.getShare() > 0) {
          shares.append(shares.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.0f %%",
              share.getLabel(), 100 * share.getShare()));
        }
      }
      b.append(String.format(Locale.ROOT, "; %s; %d uncertain; peak negative %.2f; %d alert(s)%s%n", shares,
          ch.getUncertainEvents(), ch.getPeakNegativeScore(), ch.getAlertsRaised(),
          ch.getMissingEvents() > 0 ? "; " + ch.getMissingEvents() + " not scored (failures)" : ""));
    }
    return b.toString();
  }

  /** An Avro record as a JSON-ready map (its own JSON form). */
  static Object json(org.apache.avro.specific.SpecificRecord r) {
    try {
      return new ObjectMapper().readValue(r.toString(), Map.class);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Map<String, Object> summary(List<Seen> seen, List<SampleCalls.Placement> placements, boolean labelled) {
    Map<String, Object> s = new LinkedHashMap<>();
    List<Seen> events;
    synchronized (seen) {
      events = new ArrayList<>(seen);
    }
    s.put("events", events.size());
    s.put("utterances", events.stream().map(x -> x.event().getUtteranceId().toString()).distinct().count());
    s.put("expected_utterances", placements.size());
    Map<String, Integer> labels = new TreeMap<>();
    for (Seen x : events) {
      labels.merge(x.event().getLabel().toString(), 1, Integer::sum);
    }
    s.put("label_counts", labels);
    long known = events.stream().filter(x -> x.expected() != null).count();
    long agree = events.stream().filter(x -> x.expected() != null && x.expected().equals(x.event().getLabel().toString()))
        .count();
    s.put("agreement", labelled && known > 0 ? (double) agree / known : null);
    s.put("agreeing_events", labelled ? agree : null);
    Map<String, Map<String, Object>> byModel = new TreeMap<>();
    for (Seen x : events) {
      Map<String, Object> m = byModel.computeIfAbsent(x.event().getModelName() + "/" + x.event().getModelVersion(),
          k -> new LinkedHashMap<>(Map.of("events", 0L, "agreeing_events", 0L)));
      m.merge("events", 1L, (a, b) -> (Long) a + (Long) b);
      if (x.expected() != null && x.expected().equals(x.event().getLabel().toString())) {
        m.merge("agreeing_events", 1L, (a, b) -> (Long) a + (Long) b);
      }
    }
    for (Map<String, Object> m : byModel.values()) {
      m.put("agreement", labelled ? (double) (Long) m.get("agreeing_events") / (Long) m.get("events") : null);
      if (!labelled) {
        m.put("agreeing_events", null);
      }
    }
    s.put("by_model", byModel);
    List<Long> latencies = events.stream().map(Seen::latencyMs).sorted().toList();
    s.put("latency_ms_p50", percentile(latencies, 0.50));
    s.put("latency_ms_p99", percentile(latencies, 0.99));
    s.put("latency_ms_max", latencies.isEmpty() ? null : latencies.get(latencies.size() - 1));
    return s;
  }

  /** Nearest-rank percentile; null for no data. */
  static Long percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return null;
    }
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /**
   * How many of the replayed clips the model may have trained on: those its training summary does
   * not list under {@code final_model_excluded} (ser train --final-exclude); all of them when the
   * model lists none (version 1 was trained on every EmoDB clip).
   */
  static long clipsInTraining(String trainingSummary, List<SampleCalls.Placement> placements) {
    java.util.Set<String> excluded = new java.util.HashSet<>();
    try {
      new ObjectMapper().readTree(trainingSummary).path("final_model_excluded").forEach(n -> excluded.add(n.asText()));
    } catch (java.io.IOException e) {
      // no readable summary: nothing is known to be excluded
    }
    return placements.stream().map(p -> p.clip().file().getFileName().toString()).distinct()
        .filter(name -> !excluded.contains(name)).count();
  }

  /**
   * Per model (its {@code by_model} entry, when it scored anything) how many of the replayed clips it
   * may have trained on, and overall the most of any loaded model, so the headline agreement is
   * called a measure on unseen clips only when no model saw any.
   */
  static void addClipsInTraining(Map<String, Object> summary, List<dev.ser.core.scoring.ModelMetadata> models,
      List<SampleCalls.Placement> placements) {
    long most = 0;
    for (var m : models) {
      long n = clipsInTraining(m.crossValidation(), placements);
      most = Math.max(most, n);
      if (summary.get("by_model") instanceof Map<?, ?> byModel && byModel.get(m.name() + "/" + m.version())
          instanceof Map<?, ?> entry) {
        @SuppressWarnings("unchecked")
        Map<String, Object> e = (Map<String, Object>) entry;
        e.put("clips_in_model_training", n);
      }
    }
    summary.put("clips_in_model_training", most);
  }

  static void printSummary(PrintWriter out, Map<String, Object> s) {
    out.println();
    Object unscored = s.get("unscored_utterances");
    out.printf(Locale.ROOT, "events: %s for %s utterances (%s placed on scored channels%s)%n", s.get("events"),
        s.get("utterances"), s.get("expected_utterances"),
        unscored instanceof Number n && n.longValue() > 0 ? "; " + n + " on agent channels, not scored" : "");
    out.println("labels: " + s.get("label_counts"));
    Object agreement = s.get("agreement");
    Object inTraining = s.get("clips_in_model_training");
    String basis = inTraining == null ? "" : ((Number) inTraining).longValue() == 0
        ? ", on clips the model did not train on"
        : ", but the model's training data included " + inTraining + " of these clips, so this is not a measure of"
            + " its accuracy (see models/README.md)";
    out.println("agreement with the known labels: " + (agreement == null ? "unknown (no labels.csv)"
        : String.format(Locale.ROOT, "%.1f %% (%s of %s)", 100 * (Double) agreement, s.get("agreeing_events"),
            s.get("events")) + basis));
    if (agreement != null && s.get("by_model") instanceof Map<?, ?> byModel && !byModel.isEmpty()) {
      StringBuilder line = new StringBuilder("agreement by model:");
      byModel.forEach((name, m) -> {
        Map<?, ?> v = (Map<?, ?>) m;
        Object seenClips = v.get("clips_in_model_training");
        line.append(String.format(Locale.ROOT, " %s %.1f %% (%s of %s%s);", name, 100 * (Double) v.get("agreement"),
            v.get("agreeing_events"), v.get("events"), seenClips instanceof Number c && c.longValue() > 0
                ? "; its training data included " + c + " of these clips" : ""));
      });
      out.println(line.substring(0, line.length() - 1));
    }
    out.printf(Locale.ROOT, "end of utterance to event latency: p50 %s ms, p99 %s ms%n", s.get("latency_ms_p50"),
        s.get("latency_ms_p99"));
    if (s.get("alerts") instanceof List<?> alerts && s.get("summaries") instanceof List<?> summaries) {
      out.printf(Locale.ROOT, "alerts: %d; call summaries: %d%n", alerts.size(), summaries.size());
    }
  }
}
