package dev.ser.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.schemas.AudioChunk;
import dev.ser.schemas.EmotionEvent;
import dev.ser.schemas.SampleEncoding;
import dev.ser.schemas.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RegistryFramingTest {

  static byte[] chunk() {
    return WireFormat.encode(chunkBuilder().build());
  }

  static AudioChunk.Builder chunkBuilder() {
    return AudioChunk.newBuilder().setCallId("call-9").setChannel("customer").setSequence(4)
        .setCaptureTimestamp(Instant.ofEpochMilli(1_700_000_000_123L)).setSampleRate(8000)
        .setEncoding(SampleEncoding.MULAW).setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3}));
  }

  static EmotionEvent event() {
    return EmotionEvent.newBuilder().setCallId("call").setChannel("customer").setUtteranceId("call/customer/0")
        .setUtteranceIndex(0).setStartTime(Instant.ofEpochMilli(1_700_000_000_000L))
        .setEndTime(Instant.ofEpochMilli(1_700_000_002_000L)).setLabel("anger").setConfidence(0.9f).setUncertain(false)
        .setScores(java.util.List.of(new dev.ser.schemas.ClassScore("anger", 0.9f), new dev.ser.schemas.ClassScore("neutral", 0.1f))).setModelName("ms-senet-emodb")
        .setModelVersion("2").setProcessingLatencyMs(10).build();
  }

  @Test
  void framingSwapsOnlyTheHeader() {
    byte[] singleObject = chunk();
    byte[] framed = ConfluentFraming.frame(singleObject, 0x01020304);
    assertThat(Arrays.copyOf(framed, 5)).containsExactly(0, 1, 2, 3, 4);
    assertThat(Arrays.copyOfRange(framed, 5, framed.length))
        .isEqualTo(Arrays.copyOfRange(singleObject, 10, singleObject.length));
    assertThat(ConfluentFraming.isFramed(framed)).isTrue();
    assertThat(ConfluentFraming.isFramed(singleObject)).isFalse();
    assertThat(ConfluentFraming.schemaId(framed)).isEqualTo(0x01020304);
    assertThat(ConfluentFraming.unframe(framed, ConfluentFraming.fingerprint(singleObject))).isEqualTo(singleObject);
    assertThatThrownBy(() -> ConfluentFraming.frame(new byte[] {0, 0, 0, 0, 1, 9}, 1))
        .hasMessage("not single-object encoded: the value starts 00 00");
    assertThatThrownBy(() -> ConfluentFraming.schemaId(new byte[] {0, 0, 1}))
        .hasMessage("not Confluent-framed: the value starts 00 00 01; expected 00 and a 4-byte schema id");
  }

  @Test
  void outputsAreRegisteredOncePerSubjectAndFramedWithTheirId() throws Exception {
    try (TestSchemaRegistry registry = new TestSchemaRegistry()) {
      RegistryFraming framing = new RegistryFraming(registry.url(), true, 5000);
      byte[] event = WireFormat.encode(event());
      byte[] first = framing.frame("emotion-events", event);
      byte[] second = framing.frame("emotion-events", event);
      assertThat(ConfluentFraming.schemaId(first)).isEqualTo(100);
      assertThat(second).isEqualTo(first);
      assertThat(framing.contentType("emotion-events", event))
          .isEqualTo("application/avro; encoding=confluent; schema=EmotionEvent/v2; id=100");
      assertThat(registry.requests).containsExactly("POST /subjects/emotion-events-value/versions");
      // the registry hands the same schema under another subject the same id, asked for once more
      assertThat(ConfluentFraming.schemaId(framing.frame("events-copy", event))).isEqualTo(100);
      assertThat(registry.requests).hasSize(2).last().isEqualTo("POST /subjects/events-copy-value/versions");
    }
  }

  @Test
  void withoutAutoRegistrationAMissingSubjectStopsWithItsName() throws Exception {
    try (TestSchemaRegistry registry = new TestSchemaRegistry()) {
      RegistryFraming framing = new RegistryFraming(registry.url(), false, 5000);
      byte[] event = WireFormat.encode(event());
      assertThatThrownBy(() -> framing.frame("emotion-events", event)).isInstanceOf(IOException.class)
          .hasMessage("the schema dev.ser.schemas.EmotionEvent is not registered under subject emotion-events-value"
              + " (register it, or let the job do it with schema-registry-auto-register): the schema registry "
              + registry.url() + "/ answered 404 {\"error_code\":40401,\"message\":\"Subject 'emotion-events-value' not found.\"}");
      int id = registry.register("emotion-events-value", EmotionEvent.getClassSchema());
      assertThat(ConfluentFraming.schemaId(framing.frame("emotion-events", event))).isEqualTo(id);
      assertThat(registry.requests).containsExactly("POST /subjects/emotion-events-value",
          "POST /subjects/emotion-events-value");
    }
  }

  @Test
  void framedInputResolvesToAReleasedSchemaOfTheExpectedRecord() throws Exception {
    try (TestSchemaRegistry registry = new TestSchemaRegistry()) {
      // a producer registered the released v1 history file (what schemas/README.md tells producers to use)
      int chunkId = registry.register("audio-chunks-value", WireFormat.history("AudioChunk").get(0));
      int eventId = registry.register("other-value", EmotionEvent.getClassSchema());
      RegistryFraming framing = new RegistryFraming(registry.url(), true, 5000);
      byte[] singleObject = chunk();
      byte[] framed = ConfluentFraming.frame(singleObject, chunkId);
      assertThat(framing.unframe(framed, "AudioChunk")).isEqualTo(singleObject);
      assertThat(framing.unframe(framed, "AudioChunk")).isEqualTo(singleObject);
      assertThat(registry.requests).containsExactly("GET /schemas/ids/" + chunkId);

      assertThatThrownBy(() -> framing.unframe(ConfluentFraming.frame(singleObject, eventId), "AudioChunk"))
          .isInstanceOf(SchemaRegistryClient.UnknownSchemaIdException.class)
          .hasMessage("schema id " + eventId + " in the schema registry holds EmotionEvent/v2; expected one of the"
              + " released AudioChunk schemas in schemas/history");
      assertThatThrownBy(() -> framing.unframe(ConfluentFraming.frame(singleObject, 7), "AudioChunk"))
          .isInstanceOf(SchemaRegistryClient.UnknownSchemaIdException.class)
          .hasMessage("the schema registry " + registry.url() + "/ has no schema with id 7: "
              + "{\"error_code\":40403,\"message\":\"Schema 7 not found\"}");
      // an unknown id is not asked for again on every record
      assertThatThrownBy(() -> framing.unframe(ConfluentFraming.frame(singleObject, 7), "AudioChunk"))
          .hasMessage("schema id 7 was unknown to the schema registry " + registry.url() + " less than a minute ago");
      assertThat(registry.requests).containsExactly("GET /schemas/ids/" + chunkId, "GET /schemas/ids/" + eventId,
          "GET /schemas/ids/7");
    }
  }

  @Test
  void anUnreachableRegistryIsAnIoErrorNotBadInput() throws Exception {
    String url;
    try (TestSchemaRegistry registry = new TestSchemaRegistry()) {
      url = registry.url();
    }
    RegistryFraming framing = new RegistryFraming(url, true, 2000);
    assertThatThrownBy(() -> framing.unframe(ConfluentFraming.frame(chunk(), 100), "AudioChunk"))
        .isInstanceOf(IOException.class).hasMessageStartingWith("the schema registry " + url + "/ cannot be reached: ");
  }

  @Test
  void onlyHttpRegistriesAreAccepted() {
    assertThatThrownBy(() -> new RegistryFraming("registry:8081", true, 1000))
        .hasMessage("schema-registry-url must be an http(s) URL, got \"registry:8081\"");
  }
}
