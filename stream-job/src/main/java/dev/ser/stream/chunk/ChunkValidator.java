package dev.ser.stream.chunk;

import dev.ser.core.audio.AudioResampler;
import dev.ser.schemas.AudioChunk;
import dev.ser.schemas.DeadLetterKind;
import dev.ser.schemas.DeclaredLengths;
import dev.ser.schemas.SampleEncoding;
import dev.ser.schemas.WireFormat;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.MissingSchemaException;

/**
 * Turns a raw Kafka record of the input topic into a {@link ChunkRecord}, or into a
 * {@link DeadLetterRecord} naming exactly what is wrong. Everything a chunk can be refused for
 * without knowing its stream's history is checked here, so later stages only see valid audio.
 * Not thread-safe (one per source reader).
 */
public final class ChunkValidator implements Serializable {

  private static final long serialVersionUID = 1L;
  /** Avro header and field overhead allowed on top of the payload limit. */
  private static final int ENVELOPE_BYTES = 64 * 1024;
  private static final int MAX_ID_LENGTH = 256;
  /** The header bytes of every released AudioChunk schema, for UNKNOWN_SCHEMA messages (parsed once, not per record). */
  private static final String KNOWN_HEADERS = String.join(", ", WireFormat.history("AudioChunk").stream()
      .map(WireFormat::headerHex).toList());

  private final int maxChunkBytes;
  private final long maxCaptureAheadMs;
  private transient BinaryMessageDecoder<AudioChunk> decoder;

  /**
   * @param maxChunkBytes     largest payload accepted
   * @param maxCaptureAheadMs how far ahead of this job's clock a capture time may be (clock skew)
   */
  public ChunkValidator(int maxChunkBytes, long maxCaptureAheadMs) {
    if (maxChunkBytes <= 0) {
      throw new IllegalArgumentException("maxChunkBytes must be positive, got " + maxChunkBytes);
    }
    if (maxCaptureAheadMs < 0) {
      throw new IllegalArgumentException("maxCaptureAheadMs must not be negative, got " + maxCaptureAheadMs);
    }
    this.maxChunkBytes = maxChunkBytes;
    this.maxCaptureAheadMs = maxCaptureAheadMs;
  }

  public ChunkOrDeadLetter validate(byte[] key, byte[] value, String topic, int partition, long offset,
      long recordTimestamp, long now) {
    String problem;
    DeadLetterKind kind;
    if (value == null) {
      return dead(key, null, topic, partition, offset, recordTimestamp, now, DeadLetterKind.BAD_AVRO,
          "the record has no value (a tombstone); expected an AudioChunk");
    }
    if (value.length > maxChunkBytes + ENVELOPE_BYTES) {
      return dead(key, null, topic, partition, offset, recordTimestamp, now, DeadLetterKind.OVERSIZED,
          "the record has " + value.length + " bytes, over the limit of " + maxChunkBytes
              + " payload bytes (max-chunk-bytes); value not kept");
    }
    AudioChunk chunk;
    try {
      if (decoder == null) {
        decoder = WireFormat.decoder(AudioChunk.class);
      }
      WireFormat.checkDeclaredLengths(value); // Avro would allocate a declared length before reading it
      chunk = decoder.decode(value);
    } catch (BadHeaderException e) {
      return dead(key, value, topic, partition, offset, recordTimestamp, now, DeadLetterKind.BAD_AVRO,
          "not an Avro single-object-encoded AudioChunk: " + e.getMessage());
    } catch (MissingSchemaException e) {
      return dead(key, value, topic, partition, offset, recordTimestamp, now, DeadLetterKind.UNKNOWN_SCHEMA,
          "written with a schema this job does not know: the header is " + WireFormat.hex(value, 10)
              + "; the released AudioChunk schemas have " + KNOWN_HEADERS + " (schemas/README.md)");
    } catch (DeclaredLengths.Exceeded e) {
      return dead(key, value, topic, partition, offset, recordTimestamp, now, DeadLetterKind.BAD_AVRO,
          "the AudioChunk cannot be decoded (truncated or corrupt): " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      return dead(key, value, topic, partition, offset, recordTimestamp, now, DeadLetterKind.BAD_AVRO,
          "the AudioChunk cannot be decoded (truncated or corrupt): " + e);
    }
    int payloadBytes = chunk.getPayload().remaining();
    if ((problem = badId("callId", chunk.getCallId())) != null || (problem = badId("channel", chunk.getChannel())) != null) {
      kind = DeadLetterKind.INVALID_FIELD;
    } else if (chunk.getSequence() < 0) {
      kind = DeadLetterKind.BAD_SEQUENCE;
      problem = "sequence is " + chunk.getSequence() + "; it must not be negative";
    } else if (chunk.getCaptureTimestamp() == null || chunk.getCaptureTimestamp().toEpochMilli() <= 0) {
      kind = DeadLetterKind.INVALID_FIELD;
      problem = "captureTimestamp is " + chunk.getCaptureTimestamp() + "; it must be after 1970-01-01";
    } else if (chunk.getCaptureTimestamp().toEpochMilli() - now > maxCaptureAheadMs) {
      // a chunk from the future would move event time ahead and make every later chunk late
      kind = DeadLetterKind.INVALID_FIELD;
      problem = "captureTimestamp is " + chunk.getCaptureTimestamp() + ", "
          + (chunk.getCaptureTimestamp().toEpochMilli() - now) + " ms ahead of this job's clock; at most "
          + maxCaptureAheadMs + " ms ahead is accepted (max-capture-ahead-ms): check the producer's clock";
    } else if (chunk.getEncoding() == SampleEncoding.UNKNOWN) {
      kind = DeadLetterKind.UNKNOWN_ENCODING;
      problem = "the sample encoding is not one this job knows (read as UNKNOWN); expected PCM_S16LE, FLOAT32_LE,"
          + " MULAW or ALAW";
    } else if (chunk.getSampleRate() < AudioResampler.MIN_RATE || chunk.getSampleRate() > AudioResampler.MAX_RATE) {
      kind = DeadLetterKind.BAD_SAMPLE_RATE;
      problem = "sampleRate is " + chunk.getSampleRate() + " Hz; expected " + AudioResampler.MIN_RATE + ".."
          + AudioResampler.MAX_RATE;
    } else if (payloadBytes > maxChunkBytes) {
      kind = DeadLetterKind.OVERSIZED;
      problem = "payload has " + payloadBytes + " bytes, over the limit of " + maxChunkBytes + " (max-chunk-bytes)";
    } else if (payloadBytes == 0 && !chunk.getEndOfStream()) {
      kind = DeadLetterKind.INVALID_FIELD;
      problem = "payload is empty; only the end-of-stream chunk may be empty";
    } else if ((problem = oddBytes(chunk.getEncoding(), payloadBytes)) != null) {
      kind = DeadLetterKind.ODD_BYTE_COUNT;
    } else if ((problem = nonFinite(chunk)) != null) {
      kind = DeadLetterKind.NON_FINITE_SAMPLE;
    } else {
      return ChunkOrDeadLetter.chunk(toRecord(chunk, key, topic, partition, offset));
    }
    return dead(key, value, topic, partition, offset, recordTimestamp, now, kind, problem);
  }

  /** A record refused before decoding, for a reason found outside this validator (its framing, say). */
  public ChunkOrDeadLetter refuse(byte[] key, byte[] value, String topic, int partition, long offset,
      long recordTimestamp, long now, DeadLetterKind kind, String message) {
    return dead(key, value == null || value.length > maxChunkBytes + ENVELOPE_BYTES ? null : value, topic, partition,
        offset, recordTimestamp, now, kind, message);
  }

  private static ChunkOrDeadLetter dead(byte[] key, byte[] value, String topic, int partition, long offset,
      long recordTimestamp, long now, DeadLetterKind kind, String message) {
    return ChunkOrDeadLetter.deadLetter(DeadLetterRecord.of(key, value, topic, partition, offset, kind, message, now),
        recordTimestamp);
  }

  private static String badId(String field, CharSequence id) {
    if (id == null || id.length() == 0) {
      return field + " is empty";
    }
    if (id.length() > MAX_ID_LENGTH) {
      return field + " has " + id.length() + " characters; at most " + MAX_ID_LENGTH + " are allowed";
    }
    for (int i = 0; i < id.length(); i++) {
      if (id.charAt(i) == '\uFFFD') {
        return field + " contains U+FFFD, which is what invalid UTF-8 decodes to; ids must be valid UTF-8 (two"
            + " different invalid ids would otherwise become one call)";
      }
      if (Character.isISOControl(id.charAt(i))) {
        return field + " contains the control character U+" + String.format("%04X", (int) id.charAt(i));
      }
    }
    return null;
  }

  private static String oddBytes(SampleEncoding encoding, int bytes) {
    int width = dev.ser.core.audio.PcmDecoder.bytesPerSample(encoding);
    return bytes % width == 0 ? null
        : "payload has " + bytes + " bytes; " + encoding + " needs a multiple of " + width;
  }

  private static String nonFinite(AudioChunk chunk) {
    if (chunk.getEncoding() != SampleEncoding.FLOAT32_LE) {
      return null;
    }
    ByteBuffer b = chunk.getPayload().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int n = b.remaining() / 4;
    int base = b.position();
    for (int i = 0; i < n; i++) {
      float v = b.getFloat(base + 4 * i);
      if (!Float.isFinite(v)) {
        return "sample " + i + " of " + n + " is " + v + "; FLOAT32_LE samples must be finite";
      }
    }
    return null;
  }

  private static ChunkRecord toRecord(AudioChunk chunk, byte[] key, String topic, int partition, long offset) {
    ChunkRecord r = new ChunkRecord();
    r.callId = chunk.getCallId().toString();
    r.channel = chunk.getChannel().toString();
    r.sequence = chunk.getSequence();
    r.captureTimestamp = chunk.getCaptureTimestamp().toEpochMilli();
    r.sampleRate = chunk.getSampleRate();
    r.encoding = chunk.getEncoding();
    ByteBuffer p = chunk.getPayload();
    r.payload = new byte[p.remaining()];
    p.duplicate().get(r.payload);
    r.endOfStream = chunk.getEndOfStream();
    r.sourceKey = key;
    r.sourceTopic = topic;
    r.sourcePartition = partition;
    r.sourceOffset = offset;
    return r;
  }
}
