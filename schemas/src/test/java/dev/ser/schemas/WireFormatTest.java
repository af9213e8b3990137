package dev.ser.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.junit.jupiter.api.Test;

class WireFormatTest {

  static AudioChunk chunk() {
    return AudioChunk.newBuilder()
        .setCallId("call-42")
        .setChannel("customer")
        .setSequence(7)
        .setCaptureTimestamp(Instant.ofEpochMilli(1_700_000_000_123L))
        .setSampleRate(8000)
        .setEncoding(SampleEncoding.MULAW)
        .setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3, (byte) 0xff}))
        .build();
  }

  @Test
  void valuesStartWithTheSingleObjectHeaderAndFingerprint() {
    byte[] bytes = WireFormat.encode(chunk());
    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint).isEqualTo(SchemaNormalization.parsingFingerprint64(AudioChunk.getClassSchema()));
  }

  @Test
  void roundTripsEveryRecordType() throws Exception {
    AudioChunk chunk = chunk();
    assertThat(WireFormat.decoder(AudioChunk.class).decode(WireFormat.encode(chunk))).isEqualTo(chunk);
    assertThat(chunk.getEndOfStream()).isFalse();

    EmotionEvent event = EmotionEvent.newBuilder()
        .setCallId("call-42").setChannel("customer").setUtteranceId("call-42/customer/3").setUtteranceIndex(3)
        .setStartTime(Instant.ofEpochMilli(1000)).setEndTime(Instant.ofEpochMilli(2500))
        .setLabel("angry").setConfidence(0.75f)
        .setScores(List.of(new ClassScore("angry", 0.75f), new ClassScore("neutral", 0.25f)))
        .setModelName("ms-senet-emodb").setModelVersion("1").setProcessingLatencyMs(42)
        .build();
    assertThat(WireFormat.decoder(EmotionEvent.class).decode(WireFormat.encode(event))).isEqualTo(event);

    DeadLetter dead = DeadLetter.newBuilder()
        .setKey(null).setValue(ByteBuffer.wrap(new byte[] {9}))
        .setSourceTopic("audio").setSourcePartition(2).setSourceOffset(99)
        .setKind(DeadLetterKind.ODD_BYTE_COUNT).setMessage("payload has 1 byte, PCM_S16LE needs an even count")
        .setTimestamp(Instant.ofEpochMilli(5)).build();
    assertThat(WireFormat.decoder(DeadLetter.class).decode(WireFormat.encode(dead))).isEqualTo(dead);
  }

  @Test
  void notSingleObjectEncodedIsABadHeader() {
    assertThatThrownBy(() -> WireFormat.decoder(AudioChunk.class).decode(new byte[] {0x00, 0x01, 2, 3, 4, 5, 6, 7, 8, 9, 10}))
        .isInstanceOf(BadHeaderException.class);
  }

  @Test
  void unknownFingerprintIsAMissingSchema() {
    byte[] bytes = WireFormat.encode(chunk());
    bytes[5] ^= 0x5a;
    assertThatThrownBy(() -> WireFormat.decoder(AudioChunk.class).decode(bytes))
        .isInstanceOf(MissingSchemaException.class);
  }

  @Test
  void truncatedBodyFails() {
    byte[] bytes = WireFormat.encode(chunk());
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);
    assertThatThrownBy(() -> WireFormat.decoder(AudioChunk.class).decode(truncated)).isInstanceOf(Exception.class)
        .isNotInstanceOf(BadHeaderException.class);
  }

  @Test
  void anOlderWriterIsResolvedOnceItsSchemaIsKnown() throws Exception {
    Schema v0 = SchemaCompatibilityTest.load("/incompatible/AudioChunk-v0-without-endOfStream.avsc");
    GenericRecord old = new GenericData.Record(v0);
    old.put("callId", "c");
    old.put("channel", "0");
    old.put("sequence", 0L);
    old.put("captureTimestamp", 10L);
    old.put("sampleRate", 16000);
    old.put("encoding", new GenericData.EnumSymbol(v0.getField("encoding").schema(), "PCM_S16LE"));
    old.put("payload", ByteBuffer.wrap(new byte[] {0, 0}));
    ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old);

    BinaryMessageDecoder<AudioChunk> decoder = WireFormat.decoder(AudioChunk.class);
    assertThatThrownBy(() -> decoder.decode(bytes.duplicate())).isInstanceOf(MissingSchemaException.class);
    decoder.addSchema(v0);
    AudioChunk read = decoder.decode(bytes.duplicate());
    assertThat(read.getEndOfStream()).isFalse();
    assertThat(read.getSampleRate()).isEqualTo(16000);
    assertThat(read.getEncoding()).isEqualTo(SampleEncoding.PCM_S16LE);
  }

  @Test
  void aKindFromANewerWriterIsReadAsOther() throws Exception {
    Schema future = SchemaCompatibilityTest.load("/incompatible/DeadLetter-with-new-kind.avsc");
    GenericRecord record = new GenericData.Record(future);
    record.put("sourceTopic", "audio");
    record.put("sourcePartition", 0);
    record.put("sourceOffset", 1L);
    record.put("kind", new GenericData.EnumSymbol(future.getField("kind").schema(), "QUOTA_EXCEEDED"));
    record.put("message", "over quota");
    record.put("timestamp", 3L);
    ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), future).encode(record);

    BinaryMessageDecoder<DeadLetter> decoder = WireFormat.decoder(DeadLetter.class);
    decoder.addSchema(future);
    assertThat(decoder.decode(bytes).getKind()).isEqualTo(DeadLetterKind.OTHER);
  }

  /** The Kafka header {@code content-type} of our records names the released schema and its header bytes. */
  @Test
  void theContentTypeNamesTheReleasedSchemaAndItsHeader() {
    assertThat(WireFormat.contentType(EmotionEvent.getClassSchema())).isEqualTo(
        "application/avro; encoding=single-object; schema=EmotionEvent/v2; header=c301d8988622efd9cd80");
    assertThat(WireFormat.contentType(DeadLetter.getClassSchema())).isEqualTo(
        "application/avro; encoding=single-object; schema=DeadLetter/v3; header=c30181ba7c797915a2e9");
  }
}
