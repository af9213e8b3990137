package dev.ser.stream;

import dev.ser.schemas.DeadLetter;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Producing and reading (read_committed) the job's topics in tests. */
public final class KafkaTestSupport {

  private KafkaTestSupport() {}

  /**
   * Submits the job to the MiniCluster of the calling test with {@code conf} (restart strategy,
   * savepoint to resume from ...) and Kryo fallbacks forbidden.
   */
  public static org.apache.flink.core.execution.JobClient submit(dev.ser.stream.EmotionJob job, String name,
      org.apache.flink.configuration.Configuration conf) throws Exception {
    conf.set(org.apache.flink.configuration.PipelineOptions.GENERIC_TYPES, false);
    org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment();
    env.configure(conf);
    job.addTo(env);
    return env.executeAsync(name);
  }

  /**
   * Replays {@code calls} into {@code topic} as 100 ms PCM16 chunks at {@code speed} times real time,
   * on another thread; the future completes when the last chunk is sent.
   */
  public static java.util.concurrent.CompletableFuture<Void> replayInBackground(String bootstrap, String topic,
      List<dev.ser.traffic.SampleCalls.Call> calls, double speed) {
    return java.util.concurrent.CompletableFuture.runAsync(() -> {
      try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
        new dev.ser.traffic.ChunkReplayer(producer, topic, 100, speed, dev.ser.schemas.SampleEncoding.PCM_S16LE)
            .replay(calls, System.currentTimeMillis());
      } catch (Exception e) {
        throw new IllegalStateException("replaying into " + topic + " failed", e);
      }
    });
  }

  /** Utterance id to label of {@code events}, asserting that no utterance came twice. */
  public static Map<String, String> labelsOnce(List<EmotionEvent> events) {
    Map<String, String> labels = new java.util.TreeMap<>();
    for (EmotionEvent e : events) {
      String previous = labels.put(e.getUtteranceId().toString(), e.getLabel().toString());
      if (previous != null) {
        throw new AssertionError(e.getUtteranceId() + " delivered twice");
      }
    }
    return labels;
  }

  public static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    return producer(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }

  /** A producer with these client properties (bootstrap, security ...). */
  public static KafkaProducer<byte[], byte[]> producer(Map<String, String> client) {
    Map<String, Object> props = new java.util.HashMap<>(client);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Reads {@code topic} from the start as a read_committed consumer until {@code expected} records
   * arrived (then {@code settle} longer, to catch duplicates) or {@code timeout} passed.
   */
  public static <T> List<T> read(String bootstrap, String topic, int expected, Duration settle, Duration timeout,
      Function<ConsumerRecord<byte[], byte[]>, T> decode) {
    return read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topic, expected, settle, timeout, decode);
  }

  /** {@link #read(String, String, int, Duration, Duration, Function)} with these client properties. */
  public static <T> List<T> read(Map<String, String> client, String topic, int expected, Duration settle,
      Duration timeout, Function<ConsumerRecord<byte[], byte[]>, T> decode) {
    return read(client, topic, out -> out.size() >= expected, settle, timeout, decode);
  }

  /**
   * Reads {@code topic} (read_committed, from the start) until {@code complete} holds for what came,
   * then for {@code settle} more (so extra records are seen), or until {@code timeout}.
   */
  public static <T> List<T> read(Map<String, String> client, String topic,
      java.util.function.Predicate<List<T>> complete, Duration settle, Duration timeout,
      Function<ConsumerRecord<byte[], byte[]>, T> decode) {
    List<T> out = new ArrayList<>();
    Map<String, Object> props = new java.util.HashMap<>(client);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + System.nanoTime());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      long settleUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, settleUntil)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(decode.apply(r));
        }
        if (settleUntil == Long.MAX_VALUE && complete.test(out)) {
          settleUntil = System.nanoTime() + settle.toNanos();
        }
      }
    }
    return out;
  }

  public static List<EmotionEvent> events(String bootstrap, String topic, int expected, Duration settle,
      Duration timeout) {
    return events(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topic, expected, settle, timeout);
  }

  public static List<EmotionEvent> events(Map<String, String> client, String topic, int expected, Duration settle,
      Duration timeout) {
    return read(client, topic, expected, settle, timeout, eventDecoder());
  }

  /** Decodes an event and checks that its key is its utterance id. */
  private static Function<ConsumerRecord<byte[], byte[]>, EmotionEvent> eventDecoder() {
    var decoder = WireFormat.decoder(EmotionEvent.class);
    return r -> {
      try {
        EmotionEvent e = decoder.decode(r.value());
        if (!new String(r.key(), java.nio.charset.StandardCharsets.UTF_8).equals(e.getUtteranceId().toString())) {
          throw new AssertionError("event key " + new String(r.key()) + " is not its utterance id " + e.getUtteranceId());
        }
        return e;
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    };
  }

  /**
   * Events until every one of {@code ids} has arrived at least once (then {@code settle} more): under
   * at-least-once, repeats let a plain count reach the expected number before the last utterances came.
   */
  public static List<EmotionEvent> eventsFor(String bootstrap, String topic, java.util.Set<String> ids,
      Duration settle, Duration timeout) {
    return read(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), topic,
        out -> out.stream().map(e -> e.getUtteranceId().toString()).collect(java.util.stream.Collectors.toSet())
            .containsAll(ids),
        settle, timeout, eventDecoder());
  }

  public static List<DeadLetter> deadLetters(String bootstrap, String topic, int expected, Duration settle,
      Duration timeout) {
    var decoder = WireFormat.decoder(DeadLetter.class);
    return read(bootstrap, topic, expected, settle, timeout, r -> {
      try {
        return decoder.decode(r.value());
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    });
  }
}
