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
    ProducerRecord<byte[], byte[]> r = KafkaSerializers.events("emotion-events", null)
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
    ProducerRecord<byte[], byte[]> r = KafkaSerializers.deadLetters("audio-dead-letters", DeadLetterValue.HEAD, null)
        .serialize(d, null, 5L);
    assertThat(header(r, "content-type")).isEqualTo(
        "application/avro; encoding=single-object; schema=DeadLetter/v3; header=c30181ba7c797915a2e9");
    assertThat(r.headers().toArray()).hasSize(1);
  }

  @Test
  void inRegistryModeEventsAndDeadLettersAreFramedWithTheirIds() throws Exception {
    try (TestSchemaRegistry registry = new TestSchemaRegistry()) {
      RegistryFraming framing = new RegistryFraming(registry.url(), true, 5000);
      byte[] event = dev.ser.schemas.WireFormat.encode(RegistryFramingTest.event());
      ProducerRecord<byte[], byte[]> r = KafkaSerializers.events("emotion-events", framing)
          .serialize(new EventRecord("c/customer/0", event, "ms-senet-emodb/2"), null, 1_700_000_000_000L);
      assertThat(r.value()).isEqualTo(ConfluentFraming.frame(event, 100));
      assertThat(header(r, "content-type")).isEqualTo(
          "application/avro; encoding=confluent; schema=EmotionEvent/v2; id=100");
      assertThat(header(r, "ser-model")).isEqualTo("ms-senet-emodb/2");

      DeadLetterRecord d = DeadLetterRecord.of("k".getBytes(StandardCharsets.UTF_8), null, "audio-chunks", 0, 7,
          DeadLetterKind.BAD_AVRO, "truncated", 5L);
      ProducerRecord<byte[], byte[]> dl = KafkaSerializers.deadLetters("audio-dead-letters", DeadLetterValue.HEAD,
          framing).serialize(d, null, 5L);
      assertThat(ConfluentFraming.schemaId(dl.value())).isEqualTo(101);
      assertThat(header(dl, "content-type")).isEqualTo(
          "application/avro; encoding=confluent; schema=DeadLetter/v3; id=101");
      assertThat(registry.requests).containsExactly("POST /subjects/emotion-events-value/versions",
          "POST /subjects/audio-dead-letters-value/versions");
    }
  }
}
