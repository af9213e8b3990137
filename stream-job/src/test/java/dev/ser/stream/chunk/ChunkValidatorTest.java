package dev.ser.stream.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.schemas.AudioChunk;
import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.SampleEncoding;
import dev.ser.schemas.WireFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChunkValidatorTest {

  /** The clock checks are {@link #aCaptureTimeFarAheadOfTheClockIsRefused}'s: the others pass a made-up "now". */
  final ChunkValidator validator = new ChunkValidator(1000, Long.MAX_VALUE);
  static final byte[] KEY = {'k'};

  static AudioChunk.Builder chunk() {
    return AudioChunk.newBuilder().setCallId("call-9").setChannel("agent").setSequence(4)
        .setCaptureTimestamp(Instant.ofEpochMilli(1_700_000_000_123L)).setSampleRate(8000)
        .setEncoding(SampleEncoding.PCM_S16LE).setPayload(ByteBuffer.wrap(new byte[160]));
  }

  ChunkOrDeadLetter check(byte[] value) {
    return validator.validate(KEY, value, "in", 2, 77, 5, 99);
  }

  ChunkOrDeadLetter check(AudioChunk.Builder b) {
    return check(WireFormat.encode(b.build()));
  }

  static void refused(ChunkOrDeadLetter r, DeadLetterKind kind, String message) {
    assertThat(r.chunk).isNull();
    assertThat(r.deadLetter.kind).isEqualTo(kind);
    assertThat(r.deadLetter.message).isEqualTo(message);
    assertThat(r.deadLetter.key).isEqualTo(KEY);
    assertThat(r.deadLetter.sourceTopic).isEqualTo("in");
    assertThat(r.deadLetter.sourcePartition).isEqualTo(2);
    assertThat(r.deadLetter.sourceOffset).isEqualTo(77);
    assertThat(r.deadLetter.timestamp).isEqualTo(99);
    assertThat(r.eventTime).isEqualTo(5);
  }

  @Test
  void aValidChunkPassesWithItsSource() {
    ChunkOrDeadLetter r = check(chunk());
    assertThat(r.deadLetter).isNull();
    assertThat(r.chunk.streamKey()).isEqualTo("call-9\u0000agent");
    assertThat(r.chunk.sequence).isEqualTo(4);
    assertThat(r.chunk.sampleCount()).isEqualTo(80);
    assertThat(r.chunk.sourceOffset).isEqualTo(77);
    assertThat(r.eventTime).isEqualTo(1_700_000_000_123L);
    assertThat(WireFormat.encode(r.chunk.toAvro())).isEqualTo(WireFormat.encode(chunk().build()));
  }

  @Test
  void everyKindOfBadRecordIsNamed() {
    refused(check((byte[]) null), DeadLetterKind.BAD_AVRO, "the record has no value (a tombstone); expected an AudioChunk");
    assertThat(check(new byte[] {1, 2, 3}).deadLetter.kind).isEqualTo(DeadLetterKind.BAD_AVRO);
    byte[] valid = WireFormat.encode(chunk().build());
    ChunkOrDeadLetter truncated = check(java.util.Arrays.copyOf(valid, 30));
    assertThat(truncated.deadLetter.kind).isEqualTo(DeadLetterKind.BAD_AVRO);
    assertThat(truncated.deadLetter.message).startsWith("the AudioChunk cannot be decoded (truncated or corrupt)");
    assertThat(truncated.deadLetter.value).hasSize(30);
    byte[] foreign = valid.clone();
    foreign[5] ^= 1;
    assertThat(check(foreign).deadLetter.kind).isEqualTo(DeadLetterKind.UNKNOWN_SCHEMA);
    // the header bytes in hex, as schemas/README.md and history/fingerprints.json publish them
    StringBuilder header = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      header.append(i == 0 ? "" : " ").append(String.format("%02x", foreign[i] & 0xff));
    }
    assertThat(check(foreign).deadLetter.message).isEqualTo("written with a schema this job does not know: the"
        + " header is " + header + "; the released AudioChunk schemas have "
        + WireFormat.headerHex(WireFormat.history("AudioChunk").get(0)) + " (schemas/README.md)");

    refused(check(chunk().setCallId("")), DeadLetterKind.INVALID_FIELD, "callId is empty");
    refused(check(chunk().setChannel("a\u0000b")), DeadLetterKind.INVALID_FIELD,
        "channel contains the control character U+0000");
    refused(check(chunk().setSequence(-1)), DeadLetterKind.BAD_SEQUENCE, "sequence is -1; it must not be negative");
    refused(check(chunk().setCaptureTimestamp(Instant.EPOCH)), DeadLetterKind.INVALID_FIELD,
        "captureTimestamp is 1970-01-01T00:00:00Z; it must be after 1970-01-01");
    refused(check(chunk().setEncoding(SampleEncoding.UNKNOWN)), DeadLetterKind.UNKNOWN_ENCODING,
        "the sample encoding is not one this job knows (read as UNKNOWN); expected PCM_S16LE, FLOAT32_LE, MULAW or ALAW");
    refused(check(chunk().setSampleRate(0)), DeadLetterKind.BAD_SAMPLE_RATE, "sampleRate is 0 Hz; expected 4000..192000");
    refused(check(chunk().setSampleRate(10_000_000)), DeadLetterKind.BAD_SAMPLE_RATE,
        "sampleRate is 10000000 Hz; expected 4000..192000");
    refused(check(chunk().setPayload(ByteBuffer.wrap(new byte[1002]))), DeadLetterKind.OVERSIZED,
        "payload has 1002 bytes, over the limit of 1000 (max-chunk-bytes)");
    refused(check(chunk().setPayload(ByteBuffer.wrap(new byte[0]))), DeadLetterKind.INVALID_FIELD,
        "payload is empty; only the end-of-stream chunk may be empty");
    refused(check(chunk().setPayload(ByteBuffer.wrap(new byte[7]))), DeadLetterKind.ODD_BYTE_COUNT,
        "payload has 7 bytes; PCM_S16LE needs a multiple of 2");
    byte[] inf = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(0f).putFloat(0f)
        .putFloat(Float.NEGATIVE_INFINITY).array();
    refused(check(chunk().setEncoding(SampleEncoding.FLOAT32_LE).setPayload(ByteBuffer.wrap(inf))),
        DeadLetterKind.NON_FINITE_SAMPLE, "sample 2 of 3 is -Infinity; FLOAT32_LE samples must be finite");
    ChunkOrDeadLetter huge = check(new byte[1000 + 64 * 1024 + 1]);
    refused(huge, DeadLetterKind.OVERSIZED, "the record has 66537 bytes, over the limit of 1000 payload bytes"
        + " (max-chunk-bytes); value not kept");
    assertThat(huge.deadLetter.value).isNull();
  }

  @Test
  void aDeadLetterNeverCarriesAValueTooLargeToProduce() {
    ChunkValidator generous = new ChunkValidator(4 << 20, Long.MAX_VALUE);
    ChunkOrDeadLetter r = generous.validate(KEY, WireFormat.encode(chunk().setPayload(ByteBuffer.wrap(new byte[600_001]))
        .setSampleRate(0).build()), "in", 0, 1, 2, 3);
    assertThat(r.deadLetter.kind).isEqualTo(DeadLetterKind.BAD_SAMPLE_RATE);
    assertThat(r.deadLetter.value).isNull();
    assertThat(r.deadLetter.message).endsWith("(the value, 600037 bytes, is not kept: dead letters keep at most 524288)");
  }

  @Test
  void anEmptyEndOfStreamChunkIsValid() {
    assertThat(check(chunk().setPayload(ByteBuffer.wrap(new byte[0])).setEndOfStream(true)).chunk).isNotNull();
  }

  @Test
  void theLimitMustBePositive() {
    assertThatThrownBy(() -> new ChunkValidator(0, 1)).hasMessage("maxChunkBytes must be positive, got 0");
    assertThatThrownBy(() -> new ChunkValidator(1, -1)).hasMessage("maxCaptureAheadMs must not be negative, got -1");
  }

  /** A record with a valid header whose body declares {@code declared} bytes for one field, then stops. */
  static byte[] lengthBomb(boolean inPayload, long declared) throws Exception {
    byte[] real = WireFormat.encode(chunk().build());
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(real, 0, 10); // marker and fingerprint of the current AudioChunk schema
    org.apache.avro.io.BinaryEncoder e = org.apache.avro.io.EncoderFactory.get().directBinaryEncoder(out, null);
    if (inPayload) {
      e.writeString("call-9");
      e.writeString("agent");
      e.writeLong(4);
      e.writeLong(1_700_000_000_123L);
      e.writeInt(8000);
      e.writeEnum(0);
    }
    e.writeLong(declared); // the length of callId, or of the payload
    e.writeFixed(new byte[] {1, 2, 3});
    e.flush();
    return out.toByteArray();
  }

  /** Bytes this thread allocated while {@code r} ran. */
  static long allocatedBy(Runnable r) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    r.run();
    return threads.getCurrentThreadAllocatedBytes() - before;
  }

  @Test
  void aDeclaredLengthBeyondTheRecordIsRefusedBeforeAnythingIsAllocated() throws Exception {
    check(chunk()); // decoder and schema caches warm
    ChunkOrDeadLetter[] r = new ChunkOrDeadLetter[2];
    byte[] inId = lengthBomb(false, 2_000_000_000L);
    byte[] inPayload = lengthBomb(true, 2_000_000_000L);
    assertThat(inId).hasSize(18);
    // Avro would allocate the declared 2 GB before reading (an OutOfMemoryError at the chart's heap)
    assertThat(allocatedBy(() -> r[0] = check(inId))).isLessThan(1 << 20);
    assertThat(allocatedBy(() -> r[1] = check(inPayload))).isLessThan(1 << 20);
    refused(r[0], DeadLetterKind.BAD_AVRO, "the AudioChunk cannot be decoded (truncated or corrupt): field callId"
        + " declares 2000000000 bytes, but only 3 bytes of the record follow");
    refused(r[1], DeadLetterKind.BAD_AVRO, "the AudioChunk cannot be decoded (truncated or corrupt): field payload"
        + " declares 2000000000 bytes, but only 3 bytes of the record follow");
    assertThat(r[0].deadLetter.value).isEqualTo(inId);
  }

  @Test
  void anIdWithInvalidUtf8IsRefusedInsteadOfMergedIntoAnotherCall() {
    // Avro decodes invalid UTF-8 to U+FFFD: "caf\xE9" and "caf\xFF" would both become "caf\uFFFD"
    byte[] value = WireFormat.encode(chunk().setCallId("caf\uFFFD").build());
    refused(check(value), DeadLetterKind.INVALID_FIELD, "callId contains U+FFFD, which is what invalid UTF-8"
        + " decodes to; ids must be valid UTF-8 (two different invalid ids would otherwise become one call)");
  }

  @Test
  void aCaptureTimeFarAheadOfTheClockIsRefused() {
    ChunkValidator validator = new ChunkValidator(1000, 300_000);
    long now = 1_700_000_000_000L;
    ChunkOrDeadLetter ok = validator.validate(KEY, WireFormat.encode(chunk().setCaptureTimestamp(
        Instant.ofEpochMilli(now + 300_000)).build()), "in", 2, 77, 5, now);
    assertThat(ok.chunk).as("at the limit").isNotNull();
    ChunkOrDeadLetter r = validator.validate(KEY, WireFormat.encode(chunk().setCaptureTimestamp(
        Instant.ofEpochMilli(now + 86_400_000L)).build()), "in", 2, 77, now + 86_400_000L, now);
    assertThat(r.deadLetter.kind).isEqualTo(DeadLetterKind.INVALID_FIELD);
    assertThat(r.deadLetter.message).isEqualTo("captureTimestamp is 2023-11-15T22:13:20Z, 86400000 ms ahead of"
        + " this job's clock; at most 300000 ms ahead is accepted (max-capture-ahead-ms): check the producer's"
        + " clock");
  }
}
