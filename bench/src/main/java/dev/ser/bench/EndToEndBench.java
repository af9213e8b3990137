package dev.ser.bench;

import dev.ser.core.audio.PcmEncoder;
import dev.ser.core.audio.WavFile;
import dev.ser.flink.FlinkClusterProcess;
import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.AudioChunk;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.SampleEncoding;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.EmotionJob;
import dev.ser.stream.StreamJobConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * N concurrent channels of real speech (the sample clips in random order with 1-3 s silences, the
 * first 0-8 s so that calls do not start talking in lockstep) sent
 * at real-time pace, in 100 ms chunks, through a real broker (child JVM) and the stream job (local
 * Flink, parallelism 2; or, with {@code taskManagers} > 0, a standalone cluster of one JobManager and that
 * many TaskManager JVMs, the job jar submitted over REST), events read with read_committed. Reports
 * end-of-utterance-to-event latency
 * (from the moment the chunk holding the utterance's end was due to be sent to the moment its event
 * is read), whether the pipeline kept up, and where the CPU went.
 */
final class EndToEndBench {

  record Settings(int channels, double seconds, double warmupSeconds, String delivery, long checkpointMs,
      SampleEncoding encoding, int sampleRate, int chunkMs, Path clipsDir, Path model, int parallelism,
      int taskManagers, int onnxThreads) {

    Settings {
      if (taskManagers < 0) {
        throw new IllegalArgumentException("--taskmanagers must be 0 (the job in this JVM) or more, got " + taskManagers);
      }
    }
  }

  /** One channel's endless script of clips and silences, rendered to payload bytes on demand. */
  static final class Channel {
    final String callId;
    final String channel;
    final long startMs;
    long sequence;
    long dueMs;
    final List<byte[]> pieces = new ArrayList<>();
    int piece;
    int offset;

    Channel(String callId, String channel, long startMs) {
      this.callId = callId;
      this.channel = channel;
      this.startMs = startMs;
      this.dueMs = startMs;
    }
  }

  /**
   * The job under test: every channel scored, agents too (the production default scores customers
   * only), so each count's load is the same as in the figures measured before that default and
   * every placed utterance is expected back.
   */
  static StreamJobConfig jobConfig(Settings s, String bootstrap, java.nio.file.Path checkpoints) {
    return StreamJobConfig.builder().set("bootstrap-servers", bootstrap)
        .set("model", s.model().toString()).set("delivery-guarantee", s.delivery())
        .set("checkpoint-interval-ms", Long.toString(s.checkpointMs())).set("starting-offsets", "earliest")
        .set("parallelism", Integer.toString(s.parallelism())).set("onnx-threads", Integer.toString(s.onnxThreads()))
        .set("score-channels", "*")
        .set("checkpoint-dir", checkpoints.toUri().toString()).build();
  }

  static Map<String, Object> run(Settings s) throws Exception {
    int bytesPerSample = dev.ser.core.audio.PcmDecoder.bytesPerSample(s.encoding());
    List<byte[]> clips = new ArrayList<>();
    try (Stream<Path> files = Files.list(s.clipsDir())) {
      for (Path f : files.filter(p -> p.toString().endsWith(".wav")).sorted().toList()) {
        clips.add(PcmEncoder.encode(s.encoding(), WavFile.readMono(f, s.sampleRate())));
      }
    }
    byte silenceByte = s.encoding() == SampleEncoding.MULAW ? (byte) 0xFF
        : s.encoding() == SampleEncoding.ALAW ? (byte) 0xD5 : 0;
    int chunkBytes = s.sampleRate() * s.chunkMs() / 1000 * bytesPerSample;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("channels", s.channels());
    out.put("delivery", s.delivery());
    out.put("encoding", s.encoding() + " " + s.sampleRate() + " Hz");
    out.put("onnx_threads", s.onnxThreads());

    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().javaOptions("-Xms512m -Xmx1g -XX:+UseParallelGC")
        .build().start()) {
      broker.createTopic("audio-chunks", 4);
      broker.createTopic("emotion-events", 2);
      broker.createTopic("audio-dead-letters", 1);
      broker.createTopic("call-alerts", 1);
      broker.createTopic("call-summaries", 1);
      StreamJobConfig config = jobConfig(s, broker.bootstrapServers(), broker.directory().resolve("checkpoints"));
      EmotionJob job = EmotionJob.onKafka(config);
      Configuration conf = new Configuration();
      conf.set(PipelineOptions.GENERIC_TYPES, false);
      // null (no cluster) when the job runs in this JVM; closed on every way out, failures included
      try (FlinkClusterProcess cluster = s.taskManagers() == 0 ? null : startCluster(s)) {
        StreamExecutionEnvironment env;
        if (cluster == null) {
          env = StreamExecutionEnvironment.createLocalEnvironment(s.parallelism(), conf);
        } else {
          env = StreamExecutionEnvironment.createRemoteEnvironment("localhost", cluster.restPort(), conf,
              jobJar().toString());
          env.setParallelism(s.parallelism());
          out.put("taskmanagers", s.taskManagers());
        }
        List<Long> jobPids = cluster == null ? List.of() : cluster.pids();
        job.addTo(env);
        JobClient client = env.executeAsync("ser bench e2e");
        try {
          if (cluster != null) {
            // deploying to TaskManager JVMs takes longer than a local start: the load begins when every task runs
            cluster.awaitAllTasksRunning("/jobs/" + client.getJobID().toHexString(), Duration.ofSeconds(120));
          }
          Thread.sleep(3000); // let the job start its source and scorer

          long start = System.currentTimeMillis() + 1000;
          long end = start + (long) (s.seconds() * 1000);
          Random random = new Random(7);
          PriorityQueue<Channel> due = new PriorityQueue<>((a, b) -> Long.compare(a.dueMs, b.dueMs));
          Map<String, Long> channelStart = new HashMap<>();
          AtomicLong expectedUtterances = new AtomicLong();
          for (int i = 0; i < s.channels(); i++) {
            // spread the channels' chunk boundaries over the chunk interval
            long st = start + (long) i * s.chunkMs() / s.channels();
            Channel c = new Channel("load-" + (i / 2), i % 2 == 0 ? "customer" : "agent", st);
            long audioMs = 0;
            boolean first = true;
            while (audioMs < s.seconds() * 1000 + 10_000) {
              // calls do not all start talking at the same moment: the first silence is 0-8 s
              int silenceMs = first ? random.nextInt(8000) : 1000 + random.nextInt(2000);
              first = false;
              int silence = silenceMs * s.sampleRate() / 1000 * bytesPerSample;
              byte[] gap = new byte[silence];
              java.util.Arrays.fill(gap, silenceByte);
              byte[] clip = clips.get(random.nextInt(clips.size()));
              c.pieces.add(gap);
              c.pieces.add(clip);
              audioMs += (long) (gap.length + clip.length) * 1000 / bytesPerSample / s.sampleRate();
              if (st + audioMs < end - 1000) {
                expectedUtterances.incrementAndGet(); // its end is sent within the run
              }
            }
            channelStart.put(c.callId + "/" + c.channel, st);
            c.dueMs = st + s.chunkMs();
            due.add(c);
          }

          Stats latency = new Stats();
          AtomicLong events = new AtomicLong();
          AtomicBoolean reading = new AtomicBoolean(true);
          Thread reader = new Thread(() -> read(broker.bootstrapServers(), channelStart, s, start, latency, events,
              reading), "ser-bench-reader");
          reader.start();

          Stats sendLag = new Stats();
          long chunks = 0;
          // CPU is counted over the measured part only (from the end of the warm-up to the last chunk sent), the
          // window the utterance rate is counted in: the warm-up's JIT compilation (about 0.4 cores of C2 for the
          // first minute) and the idle tail are left out, as they are from the latencies
          long warmupEnd = start + (long) (s.warmupSeconds() * 1000);
          CpuSnapshot before = null;
          try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 5,
              ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024, ProducerConfig.ACKS_CONFIG, "1",
              ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"), new ByteArraySerializer(), new ByteArraySerializer())) {
            Thread.currentThread().setName("ser-load-generator");
            while (!due.isEmpty()) {
              Channel c = due.poll();
              if (c.dueMs > end) {
                continue; // this channel is done; the others finish their turn
              }
              long wait = c.dueMs - System.currentTimeMillis();
              if (wait > 0) {
                Thread.sleep(wait);
              }
              if (before == null && System.currentTimeMillis() >= warmupEnd) {
                before = CpuSnapshot.take(broker, jobPids);
              }
              sendLag.add(System.currentTimeMillis() - c.dueMs);
              byte[] payload = new byte[chunkBytes];
              int filled = 0;
              while (filled < chunkBytes) {
                byte[] p = c.pieces.get(c.piece);
                int n = Math.min(chunkBytes - filled, p.length - c.offset);
                System.arraycopy(p, c.offset, payload, filled, n);
                filled += n;
                c.offset += n;
                if (c.offset == p.length) {
                  c.piece++;
                  c.offset = 0;
                }
              }
              AudioChunk chunk = AudioChunk.newBuilder().setCallId(c.callId).setChannel(c.channel)
                  .setSequence(c.sequence).setCaptureTimestamp(Instant.ofEpochMilli(c.startMs + c.sequence * s.chunkMs()))
                  .setSampleRate(s.sampleRate()).setEncoding(s.encoding()).setPayload(ByteBuffer.wrap(payload)).build();
              producer.send(new ProducerRecord<>("audio-chunks", c.callId.getBytes(StandardCharsets.UTF_8),
                  WireFormat.encode(chunk)));
              chunks++;
              c.sequence++;
              c.dueMs += s.chunkMs();
              due.add(c);
            }
            producer.flush();
          }
          Map<String, Object> cpu = before == null ? Map.of()
              : CpuSnapshot.take(broker, jobPids).since(before, (System.currentTimeMillis() - warmupEnd) / 1000.0);
          // wait for the last events: the hangover, a checkpoint, then some
          Thread.sleep(s.checkpointMs() + 4000);
          reading.set(false);
          reader.join(10_000);

          double measured = s.seconds() - s.warmupSeconds();
          out.put("chunks_per_second", chunks / s.seconds());
          out.put("send_lag_ms_p99", sendLag.percentile(0.99));
          out.put("events", events.get());
          out.put("expected_utterances", expectedUtterances.get());
          out.put("events_after_warmup", latency.count());
          out.put("utterances_per_second", latency.count() / measured);
          out.put("latency_ms_p50", latency.percentile(0.50));
          out.put("latency_ms_p95", latency.percentile(0.95));
          out.put("latency_ms_p99", latency.percentile(0.99));
          Stats last = latency.tail(1 / 3.0);
          out.put("latency_ms_p50_last_third", last.percentile(0.5));
          double limit = s.delivery().equals("exactly-once") ? s.checkpointMs() + 1000 : 1000;
          out.put("latency_limit_ms", limit);
          boolean keptUp = sendLag.percentile(0.99) < 200 && latency.percentile(0.99) < limit
              && events.get() >= 0.9 * expectedUtterances.get();
          out.put("sustained", keptUp);
          out.put("cpu", cpu);
          if (cpu.get("job_cores") instanceof Double cores && latency.count() > 0) {
            out.put("job_cpu_ms_per_utterance", 1000 * cores / (latency.count() / measured));
          }
        } finally {
          EmotionJob.cancel(client);
        }
      }
    }
    return out;
  }

  static void read(String bootstrap, Map<String, Long> channelStart, Settings s, long start, Stats latency,
      AtomicLong events, AtomicBoolean reading) {
    var decoder = WireFormat.decoder(EmotionEvent.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "ser-bench",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of("emotion-events"));
      while (reading.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          long now = System.currentTimeMillis();
          EmotionEvent e = decoder.decode(r.value());
          events.incrementAndGet();
          long channelT0 = channelStart.get(e.getCallId() + "/" + e.getChannel());
          long endOffset = e.getEndTime().toEpochMilli() - channelT0;
          long sentAt = channelT0 + ((endOffset + s.chunkMs() - 1) / s.chunkMs()) * s.chunkMs();
          if (e.getEndTime().toEpochMilli() >= start + s.warmupSeconds() * 1000) {
            latency.add(now - sentAt);
          }
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("reading events failed", e);
    }
  }

  /** A JobManager and {@code taskManagers} TaskManager JVMs with slots for the parallelism, spread evenly. */
  static FlinkClusterProcess startCluster(Settings s) throws java.io.IOException, InterruptedException {
    int slots = (s.parallelism() + s.taskManagers() - 1) / s.taskManagers();
    return FlinkClusterProcess.builder().taskManagers(s.taskManagers()).slotsPerTaskManager(slots)
        .config("cluster.evenly-spread-out-slots", "true").build().start();
  }

  /** The job jar {@code ser bench e2e --taskmanagers} submits: stream-job's shaded jar of this build. */
  static Path jobJar() throws java.io.IOException {
    Path target = BenchCommand.home().resolve("stream-job/target");
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(p -> p.getFileName().toString().matches("ser-stream-job-.*-job\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no job jar in " + target
              + ": build it first (./mvnw -B -q -pl stream-job -am package -DskipTests)"))
          .toAbsolutePath();
    }
  }

  static double cpuSeconds(long pid) {
    return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(d -> d.toNanos() / 1e9)
        .orElse(Double.NaN);
  }

  /**
   * CPU time of the broker process, of this JVM, of each of this JVM's threads and of the cluster's
   * JVMs (none when the job runs in this JVM), at one moment.
   */
  record CpuSnapshot(double broker, double process, Map<Long, Double> threadSeconds, Map<Long, String> threadNames,
      Map<Long, Double> clusterSeconds) {

    static CpuSnapshot take(KafkaBrokerProcess broker, List<Long> clusterPids) {
      double brokerCpu = cpuSeconds(broker.pid());
      Map<Long, Double> cluster = new LinkedHashMap<>();
      for (long pid : clusterPids) {
        cluster.put(pid, cpuSeconds(pid));
      }
      double process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime() / 1e9;
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      Map<Long, Double> seconds = new HashMap<>();
      Map<Long, String> names = new HashMap<>();
      for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
        if (t != null) {
          long ns = threads.getThreadCpuTime(t.getThreadId());
          if (ns >= 0) {
            seconds.put(t.getThreadId(), ns / 1e9);
            names.put(t.getThreadId(), t.getThreadName());
          }
        }
      }
      return new CpuSnapshot(brokerCpu, process, seconds, names, cluster);
    }

    /** CPU seconds spent between {@code before} and this snapshot, by component, and as cores busy. */
    Map<String, Object> since(CpuSnapshot before, double wallSeconds) {
      Map<String, Double> groups = new LinkedHashMap<>();
      double javaThreads = 0;
      for (Map.Entry<Long, Double> e : threadSeconds.entrySet()) {
        double sec = e.getValue() - before.threadSeconds.getOrDefault(e.getKey(), 0.0);
        javaThreads += sec;
        groups.merge(group(threadNames.get(e.getKey())), sec, Double::sum);
      }
      double process = this.process - before.process;
      groups.put("JVM and native threads (GC, JIT, ONNX Runtime pool)", Math.max(0, process - javaThreads));
      Map<String, Object> cpu = new LinkedHashMap<>();
      cpu.put("wall_seconds", wallSeconds);
      cpu.put("broker_cores", (broker - before.broker) / wallSeconds);
      cpu.put("job_jvm_cores", process / wallSeconds);
      Map<String, Double> cores = new LinkedHashMap<>();
      groups.forEach((k, v) -> cores.put(k, v / wallSeconds));
      cpu.put("job_jvm_cores_by_part", cores);
      if (clusterSeconds.isEmpty()) {
        // the job is this JVM less the bench's own threads
        double bench = groups.getOrDefault("load generator", 0.0) + groups.getOrDefault("event reader", 0.0);
        cpu.put("job_cores", (process - bench) / wallSeconds);
      } else {
        // this JVM is only the bench (and the Flink client); the job is the cluster's JVMs
        List<Double> perJvm = new ArrayList<>();
        double all = 0;
        for (Map.Entry<Long, Double> e : clusterSeconds.entrySet()) {
          double c = (e.getValue() - before.clusterSeconds.getOrDefault(e.getKey(), 0.0)) / wallSeconds;
          perJvm.add(c);
          all += c;
        }
        cpu.put("cluster_jvm_cores", perJvm); // the JobManager first, then each TaskManager
        cpu.put("job_cores", all);
      }
      return cpu;
    }

    static String group(String n) {
      return n.startsWith("ser-load-generator") || n.equals("main") || n.startsWith("kafka-producer") ? "load generator"
          : n.startsWith("ser-bench-reader") ? "event reader"
          : n.startsWith("ser-scoring-batcher") ? "ONNX Runtime inference (batcher thread)"
          : n.contains("order, decode, segment") ? "Flink task: order, decode, segment, features"
          : n.contains("Source") || n.contains("validate") ? "Flink task: Kafka source, validation"
          : n.contains("dead letters") ? "Flink task: dead-letter sink"
          : "Flink and Kafka client runtime (other threads)";
    }
  }
}
