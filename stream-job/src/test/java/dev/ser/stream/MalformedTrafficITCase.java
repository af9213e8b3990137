package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.AudioChunk;
import dev.ser.schemas.DeadLetter;
import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.SampleEncoding;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.traffic.SampleCalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * More than 10 000 malformed records of every kind, mixed one to one with the chunks of valid calls:
 * each lands in the dead-letter topic with its specific kind, the job never fails (it runs without
 * a restart strategy, so one failure would end it), and the valid calls' events are exactly those
 * of a clean run.
 */
class MalformedTrafficITCase {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final int BAD = 10_000;

  /** The malformed record number {@code i}, and the kind its dead letter must carry. */
  record Bad(byte[] key, byte[] value, DeadLetterKind kind, Long recordTimestamp) {
    Bad(byte[] key, byte[] value, DeadLetterKind kind) {
      this(key, value, kind, null);
    }
  }

  static Bad bad(int i, Random random, long now) {
    byte[] key = ("bad-" + i).getBytes(StandardCharsets.UTF_8);
    AudioChunk.Builder ok = AudioChunk.newBuilder().setCallId("bad-call-" + i).setChannel("customer").setSequence(0)
        .setCaptureTimestamp(Instant.ofEpochMilli(now)).setSampleRate(8000).setEncoding(SampleEncoding.PCM_S16LE)
        .setPayload(ByteBuffer.wrap(new byte[160]));
    switch (i % 12) {
      case 0 -> {
        if (i % 24 == 12) { // a valid header, then the call id declaring up to 2 GB: reaches the Avro decoder
          try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.write(WireFormat.encode(ok.build()), 0, 10);
            var e = org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(out, null);
            e.writeLong(1_000_000_000L + random.nextInt(1_000_000_000));
            e.writeFixed(new byte[random.nextInt(64)]);
            e.flush();
            return new Bad(key, out.toByteArray(), DeadLetterKind.BAD_AVRO);
          } catch (java.io.IOException impossible) {
            throw new java.io.UncheckedIOException(impossible);
          }
        }
        byte[] noise = new byte[1 + random.nextInt(400)];
        random.nextBytes(noise);
        noise[0] = 0x42; // never the single-object marker by chance
        // stamped 50 minutes ahead by its producer (the broker accepts up to an hour): a refused record
        // must not move event time, or every later chunk would be 40 minutes past the lateness window
        return new Bad(key, noise, DeadLetterKind.BAD_AVRO, now + 50 * 60_000L);
      }
      case 1 -> {
        byte[] v = WireFormat.encode(ok.build());
        return new Bad(key, java.util.Arrays.copyOf(v, 10 + random.nextInt(v.length - 20)), DeadLetterKind.BAD_AVRO);
      }
      case 2 -> {
        byte[] v = WireFormat.encode(ok.build());
        v[2 + random.nextInt(8)] ^= (byte) (1 + random.nextInt(255));
        return new Bad(key, v, DeadLetterKind.UNKNOWN_SCHEMA);
      }
      case 3 -> {
        return new Bad(key, WireFormat.encode(ok.setEncoding(SampleEncoding.UNKNOWN).build()), DeadLetterKind.UNKNOWN_ENCODING);
      }
      case 4 -> {
        return new Bad(key, WireFormat.encode(ok.setSampleRate(i % 24 == 4 ? 0 : 10_000_000).build()),
            DeadLetterKind.BAD_SAMPLE_RATE);
      }
      case 5 -> {
        return new Bad(key, WireFormat.encode(ok.setPayload(ByteBuffer.wrap(new byte[0])).build()),
            DeadLetterKind.INVALID_FIELD);
      }
      case 6 -> {
        return new Bad(key, WireFormat.encode(ok.setPayload(ByteBuffer.wrap(new byte[2 * random.nextInt(50) + 1]))
            .build()), DeadLetterKind.ODD_BYTE_COUNT);
      }
      case 7 -> {
        return new Bad(key, WireFormat.encode(ok.setSequence(-1 - random.nextInt(1000)).build()),
            DeadLetterKind.BAD_SEQUENCE);
      }
      case 8 -> {
        return new Bad(key, WireFormat.encode(ok.setSequence(Long.MAX_VALUE - random.nextInt(1000)).build()),
            DeadLetterKind.BAD_SEQUENCE);
      }
      case 9 -> {
        float bad = i % 24 == 9 ? Float.NaN : Float.POSITIVE_INFINITY;
        byte[] p = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(0f).putFloat(bad).putFloat(0f)
            .putFloat(0f).array();
        return new Bad(key, WireFormat.encode(ok.setEncoding(SampleEncoding.FLOAT32_LE).setPayload(ByteBuffer.wrap(p))
            .build()), DeadLetterKind.NON_FINITE_SAMPLE);
      }
      case 10 -> {
        if (i % 24 == 22) { // captured a day ahead of the clock: refused before it can move event time
          return new Bad(key, WireFormat.encode(ok.setCaptureTimestamp(Instant.ofEpochMilli(now + 86_400_000L))
              .build()), DeadLetterKind.INVALID_FIELD);
        }
        // a chunk of a call captured a day ago: far behind the watermark
        return new Bad(key, WireFormat.encode(ok.setCaptureTimestamp(Instant.ofEpochMilli(now - 86_400_000L)).build()),
            DeadLetterKind.LATE_CHUNK);
      }
      default -> {
        int size = i < 30 ? 50 << 20 : 1_100_000; // a few of 50 MB, the others just over the limit
        return new Bad(key, WireFormat.encode(ok.setPayload(ByteBuffer.wrap(new byte[size])).build()),
            DeadLetterKind.OVERSIZED);
      }
    }
  }

  @Test
  void tenThousandBadRecordsAreDeadLettersAndValidCallsAreUnaffected() throws Exception {
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().brokerProperty("message.max.bytes", "60000000")
        .build().start()) {
      broker.createTopic("in", 2);
      broker.createTopic("out", 1);
      broker.createTopic("dlq", 1);
      broker.createTopic("call-alerts", 1);
      broker.createTopic("call-summaries", 1);
      StreamJobConfig config = StreamJobConfig.builder().set("bootstrap-servers", broker.bootstrapServers())
          .set("input-topic", "in").set("output-topic", "out").set("dead-letter-topic", "dlq")
          .set("model", TestAudio.model().toString()).set("checkpoint-interval-ms", "1000")
          .set("delivery-guarantee", "exactly-once").set("parallelism", "2").set("score-channels", "*").build();

      // the valid calls: the 21 clips on 3 calls, 10 ms chunks (about 13 800 of them), and ser score's labels
      List<SampleCalls.Call> calls = SampleCalls.build(TestAudio.clips(21), 3, 22050, 1000, "good-");
      Map<String, String> expected = TestAudio.expectedLabels(calls);
      List<ChunkRecord> good = new ArrayList<>();
      List<List<ChunkRecord>> streams = new ArrayList<>();
      for (SampleCalls.Call call : calls) {
        for (Map.Entry<String, float[]> ch : call.channels().entrySet()) {
          List<ChunkRecord> chunks = TestAudio.chunks(call.callId(), ch.getKey(), ch.getValue(), 22050, 10,
              SampleEncoding.PCM_S16LE);
          long base = System.currentTimeMillis() - TestAudio.START;
          chunks.forEach(c -> c.captureTimestamp += base); // live timestamps
          streams.add(chunks);
        }
      }
      for (int k = 0; good.size() < streams.stream().mapToInt(List::size).sum(); k++) {
        for (List<ChunkRecord> s : streams) {
          if (k < s.size()) {
            good.add(s.get(k));
          }
        }
      }
      assertThat(good.size()).isGreaterThan(BAD); // at least one to one

      Map<DeadLetterKind, Integer> sentKinds = new EnumMap<>(DeadLetterKind.class);
      Random random = new Random(12);
      int sentBad = 0;
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 5,
          ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 60_000_000, ProducerConfig.BUFFER_MEMORY_CONFIG, 256L << 20),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < Math.max(good.size(), BAD); i++) {
          if (i < good.size()) {
            ChunkRecord c = good.get(i);
            producer.send(new ProducerRecord<>("in", c.callId.getBytes(StandardCharsets.UTF_8),
                WireFormat.encode(c.toAvro())));
          }
          if (i < BAD) {
            Bad b = bad(i, random, System.currentTimeMillis());
            producer.send(new ProducerRecord<>("in", null, b.recordTimestamp(), b.key(), b.value()));
            sentKinds.merge(b.kind(), 1, Integer::sum);
            sentBad++;
          }
        }
        // and chunks for the valid calls after they ended
        for (SampleCalls.Call call : calls) {
          AudioChunk late = AudioChunk.newBuilder().setCallId(call.callId()).setChannel("agent").setSequence(900_000)
              .setCaptureTimestamp(Instant.now()).setSampleRate(22050).setEncoding(SampleEncoding.PCM_S16LE)
              .setPayload(ByteBuffer.wrap(new byte[882])).build();
          producer.send(new ProducerRecord<>("in", call.callId().getBytes(StandardCharsets.UTF_8),
              WireFormat.encode(late)));
          sentKinds.merge(DeadLetterKind.LATE_CHUNK, 1, Integer::sum);
          sentBad++;
        }
        producer.flush();
      }

      Configuration conf = new Configuration();
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // any failure ends the job: none may happen
      JobClient client = KafkaTestSupport.submit(EmotionJob.onKafka(config), "malformed traffic", conf);
      try {
        List<DeadLetter> dead = KafkaTestSupport.deadLetters(broker.bootstrapServers(), "dlq", sentBad,
            Duration.ofSeconds(2), Duration.ofSeconds(240));
        List<EmotionEvent> events = KafkaTestSupport.events(broker.bootstrapServers(), "out", expected.size(),
            Duration.ofSeconds(2), Duration.ofSeconds(120));
        assertThat(client.getJobStatus().get()).as("the job never failed").isEqualTo(JobStatus.RUNNING);

        Map<DeadLetterKind, Integer> gotKinds = new EnumMap<>(DeadLetterKind.class);
        for (DeadLetter d : dead) {
          gotKinds.merge(d.getKind(), 1, Integer::sum);
          assertThat(d.getMessage().toString()).isNotBlank();
          // call audio is personal data: by default (dead-letter-value=head) a dead letter keeps 64 bytes at most
          assertThat(d.getValue() == null ? 0 : d.getValue().remaining()).isLessThanOrEqualTo(64);
        }
        assertThat(sentBad).isGreaterThanOrEqualTo(BAD);
        assertThat(dead).hasSize(sentBad);
        assertThat(gotKinds).isEqualTo(sentKinds);
        assertThat(sentKinds.keySet()).hasSize(10); // every kind but OTHER

        Map<String, String> got = new TreeMap<>();
        for (EmotionEvent e : events) {
          assertThat(got.put(e.getUtteranceId().toString(), e.getLabel().toString())).as("duplicate").isNull();
        }
        assertThat(got).isEqualTo(expected);
      } finally {
        EmotionJob.cancel(client);
      }
    }
  }
}
