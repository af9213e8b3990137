package dev.ser.dashboard;

import dev.ser.schemas.CallAlert;
import dev.ser.schemas.CallSummary;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the events, alerts and summaries topics into a {@link CallBoard} on a thread of its own.
 * A view, not a consumer group member: it assigns every partition itself, starts at the records of
 * the last window (offsets by time, so a page opened mid-call shows the call so far), commits
 * nothing and reads committed records only (the job writes transactionally under exactly-once).
 * A record it cannot decode is counted on the board and skipped.
 */
public final class TopicReader implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);

  /** The three topics the page shows. */
  public record Topics(String events, String alerts, String summaries) {
    List<String> all() {
      return List.of(events, alerts, summaries);
    }
  }

  private final Map<String, Object> properties;
  private final Topics topics;
  private final CallBoard board;
  private final long windowMs;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private volatile KafkaConsumer<byte[], byte[]> consumer;

  /**
   * @param kafka Kafka client properties (bootstrap servers, security); isolation, offsets and
   *              deserializers are set here
   */
  public TopicReader(Map<String, Object> kafka, Topics topics, CallBoard board, long windowMs) {
    this.properties = new LinkedHashMap<>(kafka);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned partitions, no group, no commits
    this.topics = topics;
    this.board = board;
    this.windowMs = windowMs;
    this.thread = new Thread(this::run, "ser-dashboard-reader");
    thread.setDaemon(true);
  }

  public TopicReader start() {
    thread.start();
    return this;
  }

  private void run() {
    while (running.get()) {
      try {
        read();
      } catch (WakeupException stopping) {
        return; // close()
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // an unreachable cluster, missing rights: say so on the page and try again
        board.onReaderProblem(e.getClass().getSimpleName() + ": " + e.getMessage());
        LOG.warn("reading Kafka failed; trying again in 5 s", e);
        try {
          Thread.sleep(5000);
        } catch (InterruptedException stop) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void read() throws InterruptedException {
    var events = WireFormat.decoder(EmotionEvent.class);
    var alerts = WireFormat.decoder(CallAlert.class);
    var summaries = WireFormat.decoder(CallSummary.class);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer = c;
      if (!running.get()) {
        return;
      }
      assign(c);
      board.onReaderProblem(null);
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          long now = System.currentTimeMillis();
          try {
            if (r.topic().equals(topics.events())) {
              board.onEvent(events.decode(r.value()), now);
            } else if (r.topic().equals(topics.alerts())) {
              board.onAlert(alerts.decode(r.value()), now);
            } else {
              board.onSummary(summaries.decode(r.value()), now);
            }
          } catch (java.io.IOException | RuntimeException e) {
            board.onUndecodable(r.topic());
            LOG.warn("skipping {}/{}/{}: not a record of the topic's schema ({})", r.topic(), r.partition(), r.offset(),
                e.toString());
          }
        }
        board.evict(System.currentTimeMillis());
      }
    }
  }

  /** Every partition of the three topics, from the first record of the window (or the end). */
  private void assign(KafkaConsumer<byte[], byte[]> c) throws InterruptedException {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics.all()) {
      List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
      while (infos == null || infos.isEmpty()) {
        board.onReaderProblem("topic " + topic + " does not exist (yet)");
        LOG.warn("topic {} does not exist (yet); looking again in 5 s", topic);
        Thread.sleep(5000);
        if (!running.get()) {
          return;
        }
        infos = c.partitionsFor(topic, Duration.ofSeconds(30));
      }
      infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    c.assign(partitions);
    long from = System.currentTimeMillis() - windowMs;
    Map<TopicPartition, Long> times = new HashMap<>();
    partitions.forEach(p -> times.put(p, from));
    Map<TopicPartition, OffsetAndTimestamp> offsets = c.offsetsForTimes(times, Duration.ofSeconds(30));
    List<TopicPartition> atEnd = new ArrayList<>();
    for (TopicPartition p : partitions) {
      OffsetAndTimestamp o = offsets.get(p);
      if (o == null) {
        atEnd.add(p); // nothing in the window
      } else {
        c.seek(p, o.offset());
      }
    }
    c.seekToEnd(atEnd);
    LOG.info("reading {} partitions of {} from {} minutes ago", partitions.size(), topics.all(), windowMs / 60_000);
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    thread.join(10_000);
  }
}
