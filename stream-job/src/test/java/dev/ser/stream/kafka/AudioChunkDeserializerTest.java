package dev.ser.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.WireFormat;
import dev.ser.stream.chunk.ChunkOrDeadLetter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class AudioChunkDeserializerTest {

  static List<ChunkOrDeadLetter> read(AudioChunkDeserializer d, byte[] value) throws Exception {
    List<ChunkOrDeadLetter> out = new ArrayList<>();
    d.deserialize(new ConsumerRecord<>("audio-chunks", 1, 42, new byte[] {'k'}, value), new Collector<>() {
      @Override
      public void collect(ChunkOrDeadLetter r) {
        out.add(r);
      }

      @Override
      public void close() {}
    });
    return out;
  }

  @Test
  void confluentFramedChunksAreReadThroughTheRegistry() throws Exception {
    try (TestSchemaRegistry registry = new TestSchemaRegistry()) {
      int id = registry.register("audio-chunks-value", WireFormat.history("AudioChunk").get(0));
      var d = new AudioChunkDeserializer(1000, Long.MAX_VALUE, new RegistryFraming(registry.url(), true, 5000));
      List<ChunkOrDeadLetter> out = read(d, ConfluentFraming.frame(RegistryFramingTest.chunk(), id));
      assertThat(out).hasSize(1);
      assertThat(out.get(0).deadLetter).isNull();
      assertThat(out.get(0).chunk.callId).isEqualTo("call-9");
      assertThat(out.get(0).chunk.sequence).isEqualTo(4);
      // single-object encoding is still read alongside
      assertThat(read(d, RegistryFramingTest.chunk()).get(0).chunk.callId).isEqualTo("call-9");
    }
  }

  @Test
  void anUnknownIdIsADeadLetterThatKeepsTheRecordAsWritten() throws Exception {
    try (TestSchemaRegistry registry = new TestSchemaRegistry()) {
      var d = new AudioChunkDeserializer(1000, Long.MAX_VALUE, new RegistryFraming(registry.url(), true, 5000));
      byte[] framed = ConfluentFraming.frame(RegistryFramingTest.chunk(), 9);
      ChunkOrDeadLetter r = read(d, framed).get(0);
      assertThat(r.chunk).isNull();
      assertThat(r.deadLetter.kind).isEqualTo(DeadLetterKind.UNKNOWN_SCHEMA);
      assertThat(r.deadLetter.message).isEqualTo("the schema registry " + registry.url()
          + "/ has no schema with id 9: {\"error_code\":40403,\"message\":\"Schema 9 not found\"}");
      assertThat(r.deadLetter.value).isEqualTo(framed);
      assertThat(r.deadLetter.sourceOffset).isEqualTo(42);
    }
  }

  @Test
  void aFramedChunkThatFailsValidationKeepsItsOwnBytesInTheDeadLetter() throws Exception {
    try (TestSchemaRegistry registry = new TestSchemaRegistry()) {
      int id = registry.register("audio-chunks-value", WireFormat.history("AudioChunk").get(0));
      var d = new AudioChunkDeserializer(1000, Long.MAX_VALUE, new RegistryFraming(registry.url(), true, 5000));
      byte[] single = WireFormat.encode(RegistryFramingTest.chunkBuilder().setSequence(-1).build());
      byte[] framed = ConfluentFraming.frame(single, id);
      ChunkOrDeadLetter r = read(d, framed).get(0);
      assertThat(r.deadLetter.kind).isEqualTo(DeadLetterKind.BAD_SEQUENCE);
      assertThat(r.deadLetter.value).isEqualTo(framed);
    }
  }

  @Test
  void withoutARegistryAFramedChunkIsADeadLetterSayingWhatToSet() throws Exception {
    var d = new AudioChunkDeserializer(1000, Long.MAX_VALUE, null);
    ChunkOrDeadLetter r = read(d, ConfluentFraming.frame(RegistryFramingTest.chunk(), 258)).get(0);
    assertThat(r.deadLetter.kind).isEqualTo(DeadLetterKind.UNKNOWN_SCHEMA);
    assertThat(r.deadLetter.message).isEqualTo("Confluent-framed (schema registry id 258, header 00 00 00 01 02) but"
        + " this job has no schema-registry-url; set it, or write single-object encoding (schemas/README.md)");
  }

  @Test
  void anUnreachableRegistryFailsTheReadInsteadOfRefusingTheChunk() throws Exception {
    String url;
    try (TestSchemaRegistry registry = new TestSchemaRegistry()) {
      url = registry.url();
    }
    var d = new AudioChunkDeserializer(1000, Long.MAX_VALUE, new RegistryFraming(url, true, 2000));
    assertThatThrownBy(() -> read(d, ConfluentFraming.frame(RegistryFramingTest.chunk(), 100)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("cannot resolve schema id 100 of audio-chunks/1@42: the schema registry " + url);
  }
}
