package dev.ser.traffic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.cli.Cli;
import dev.ser.schemas.ClassScore;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.WireFormat;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ser events}: a console consumer of the events topic that prints each event as a JSON line. */
@Command(name = "ser events", sortOptions = false,
    description = "Prints the EmotionEvent records of a topic as JSON lines (read_committed), until stopped.")
public final class EventsCommand implements Callable<Integer> {

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT") String bootstrap;

  @Option(names = "--topic", defaultValue = "emotion-events", description = "(default: ${DEFAULT-VALUE})") String topic;

  @Option(names = "--from-beginning", description = "start at the earliest event instead of new ones") boolean fromBeginning;

  @Option(names = "--max", defaultValue = "0", description = "stop after this many events; 0 = never") long max;

  @Option(names = "--kafka", paramLabel = "KEY=VALUE", description = "a Kafka consumer property; repeatable")
  Map<String, String> kafka = new LinkedHashMap<>();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit") boolean help;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Cli.run(new EventsCommand(), args);
  }

  /** The event as one JSON object (scores as a label -> probability map). */
  public static ObjectNode toJson(ObjectMapper json, EmotionEvent e) {
    ObjectNode o = json.createObjectNode();
    o.put("utteranceId", e.getUtteranceId().toString());
    o.put("callId", e.getCallId().toString());
    o.put("channel", e.getChannel().toString());
    o.put("utteranceIndex", e.getUtteranceIndex());
    o.put("startTime", e.getStartTime().toString());
    o.put("endTime", e.getEndTime().toString());
    o.put("label", e.getLabel().toString());
    o.put("confidence", e.getConfidence());
    ObjectNode scores = o.putObject("scores");
    for (ClassScore s : e.getScores()) {
      scores.put(s.getLabel().toString(), s.getScore());
    }
    o.put("model", e.getModelName() + " " + e.getModelVersion());
    o.put("processingLatencyMs", e.getProcessingLatencyMs());
    return o;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, Object> props = new LinkedHashMap<>(kafka);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "ser-events-" + ProcessHandle.current().pid());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    var decoder = WireFormat.decoder(EmotionEvent.class);
    ObjectMapper json = new ObjectMapper();
    long seen = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (max == 0 || seen < max) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          try {
            out.println(json.writeValueAsString(toJson(json, decoder.decode(r.value()))));
          } catch (java.io.IOException | RuntimeException e) {
            spec.commandLine().getErr().println("ser events: skipping " + r.topic() + "/" + r.partition() + "/"
                + r.offset() + ", not an EmotionEvent: " + e.getMessage());
          }
          seen++;
        }
        out.flush();
      }
    }
    return 0;
  }
}
