package dev.ser.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.schemas.DeadLetterKind;
import dev.ser.stream.chunk.DeadLetterRecord;
import dev.ser.stream.chunk.DeadLetterValue;
import dev.ser.stream.scoring.EventRecord;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class KafkaSerializersTest {

  static String header(ProducerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void eventsCarryTheirContentTypeAndModel() {
    ProducerRecord<byte[], byte[]> r = KafkaSerializers.events("emotion-events")
        .serialize(new EventRecord("c/customer/0", new byte[] {1, 2}, "ms-senet-emodb/2"), null, 1_700_000_000_000L);
    assertThat(r.topic()).isEqualTo("emotion-events");
    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("c/customer/0");
    assertThat(r.timestamp()).isEqualTo(1_700_000_000_000L);
    assertThat(header(r, "content-type")).isEqualTo(
        "application/avro; encoding=single-object; schema=EmotionEvent/v2; header=c301d8988622efd9cd80");
    assertThat(header(r, "ser-model")).isEqualTo("ms-senet-emodb/2");
    assertThat(r.headers().toArray()).hasSize(2);
  }

  @Test
  void deadLettersCarryTheirContentType() {
    DeadLetterRecord d = DeadLetterRecord.of("k".getBytes(StandardCharsets.UTF_8), null, "audio-chunks", 0, 7,
        DeadLetterKind.BAD_AVRO, "truncated", 5L);
    ProducerRecord<byte[], byte[]> r = KafkaSerializers.deadLetters("audio-dead-letters", DeadLetterValue.HEAD)
        .serialize(d, null, 5L);
    assertThat(header(r, "content-type")).isEqualTo(
        "application/avro; encoding=single-object; schema=DeadLetter/v3; header=c30181ba7c797915a2e9");
    assertThat(r.headers().toArray()).hasSize(1);
  }
}
