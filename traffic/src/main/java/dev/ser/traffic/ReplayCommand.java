package dev.ser.traffic;

import dev.ser.cli.Cli;
import dev.ser.schemas.SampleEncoding;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ser replay}: sends WAV files to any Kafka as live two-channel calls. */
@Command(name = "ser replay", sortOptions = false,
    description = "Sends the WAV files of a directory to a Kafka topic as live calls: the files take turns on the"
        + " customer and agent channels, with silences, cut into AudioChunk records sent at real-time pace.")
public final class ReplayCommand implements Callable<Integer> {

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "the Kafka to send to")
  String bootstrap;

  @Option(names = "--topic", defaultValue = "audio-chunks", description = "input topic of the job (default: ${DEFAULT-VALUE})")
  String topic;

  @Option(names = "--audio", required = true, paramLabel = "DIR", description = "directory of .wav files (labels.csv optional)")
  Path audio;

  @Option(names = "--calls", defaultValue = "2", description = "calls the files are dealt over (default: ${DEFAULT-VALUE})")
  int calls;

  @Option(names = "--speed", defaultValue = "1", description = "1 = real time, 10 = ten times faster (default: ${DEFAULT-VALUE})")
  double speed;

  @Option(names = "--encoding", defaultValue = "PCM_S16LE",
      description = "PCM_S16LE, FLOAT32_LE, MULAW or ALAW (default: ${DEFAULT-VALUE})")
  SampleEncoding encoding;

  @Option(names = "--sample-rate", description = "Hz sent; default 8000 for MULAW/ALAW, 16000 otherwise")
  Integer sampleRate;

  @Option(names = "--chunk-ms", defaultValue = "100", description = "audio per chunk (default: ${DEFAULT-VALUE})")
  int chunkMs;

  @Option(names = "--silence-ms", defaultValue = "1000", description = "silence between turns (default: ${DEFAULT-VALUE})")
  long silenceMs;

  @Option(names = "--call-prefix", defaultValue = "replay-", description = "call ids are PREFIX1, PREFIX2, ...")
  String callPrefix;

  @Option(names = "--kafka", paramLabel = "KEY=VALUE", description = "a Kafka producer property (security ...); repeatable")
  Map<String, String> kafka = new LinkedHashMap<>();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Cli.run(new ReplayCommand(), args);
  }

  @Override
  public Integer call() throws Exception {
    if (encoding == SampleEncoding.UNKNOWN) {
      throw new IllegalArgumentException("--encoding UNKNOWN cannot be sent; use PCM_S16LE, FLOAT32_LE, MULAW or ALAW");
    }
    int rate = sampleRate != null ? sampleRate
        : encoding == SampleEncoding.MULAW || encoding == SampleEncoding.ALAW ? 8000 : 16000;
    List<SampleCalls.Call> built = SampleCalls.build(SampleCalls.clips(audio), calls, rate, silenceMs, callPrefix);
    PrintWriter out = spec.commandLine().getOut();
    long seconds = built.stream().mapToLong(SampleCalls.Call::durationMs).max().orElse(0) / 1000;
    out.printf(Locale.ROOT, "replaying %d calls (%d channels, %d utterances, %s %d Hz) to %s/%s, %d s of audio at %.1fx%n",
        built.size(), built.size() * SampleCalls.CHANNELS.size(),
        built.stream().mapToInt(c -> c.placements().size()).sum(), encoding, rate, bootstrap, topic, seconds, speed);
    out.flush();
    Map<String, Object> props = new LinkedHashMap<>(kafka);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      long sent = new ChunkReplayer(producer, topic, chunkMs, speed, encoding).replay(built, System.currentTimeMillis());
      out.printf(Locale.ROOT, "sent %d chunks%n", sent);
    }
    out.flush();
    return 0;
  }
}
