package dev.ser.traffic;

import dev.ser.core.audio.PcmEncoder;
import dev.ser.schemas.AudioChunk;
import dev.ser.schemas.SampleEncoding;
import dev.ser.schemas.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends calls to the input topic as a telephony platform would: every channel cut into chunks of
 * {@code chunkMs}, each sent when its last sample has been "captured" (real time, or {@code speed}
 * times faster), keyed by call id, with an end-of-stream chunk at the end. Capture timestamps are
 * the call's start plus the chunk's offset, so event times are those of a live call.
 */
public final class ChunkReplayer {

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final int chunkMs;
  private final double speed;
  private final SampleEncoding encoding;

  public ChunkReplayer(Producer<byte[], byte[]> producer, String topic, int chunkMs, double speed,
      SampleEncoding encoding) {
    if (chunkMs < 1 || !(speed > 0)) {
      throw new IllegalArgumentException("chunk length must be >= 1 ms and speed > 0");
    }
    this.producer = producer;
    this.topic = topic;
    this.chunkMs = chunkMs;
    this.speed = speed;
    this.encoding = encoding;
  }

  /** Wall-clock time at which the audio at {@code offsetMs} of a call started at {@code startMs} was sent. */
  public long sentAt(long startMs, long offsetMs) {
    long chunkEnd = ((offsetMs + chunkMs - 1) / chunkMs) * chunkMs;
    return startMs + Math.round(chunkEnd / speed);
  }

  private record Stream(String callId, String channel, float[] audio, int sampleRate, int samplesPerChunk,
      long callStartMs) {}

  private record Due(long atMs, Stream stream, long sequence) {}

  /**
   * Replays the calls, all starting at {@code startMs} (wall clock), and returns the number of
   * chunks sent. Blocks until every chunk is acknowledged.
   */
  public long replay(List<SampleCalls.Call> calls, long startMs) throws Exception {
    PriorityQueue<Due> queue = new PriorityQueue<>((a, b) -> Long.compare(a.atMs(), b.atMs()));
    for (SampleCalls.Call call : calls) {
      for (Map.Entry<String, float[]> ch : call.channels().entrySet()) {
        int perChunk = call.sampleRate() * chunkMs / 1000;
        Stream s = new Stream(call.callId(), ch.getKey(), ch.getValue(), call.sampleRate(), perChunk, startMs);
        queue.add(new Due(startMs + Math.round(chunkMs / speed), s, 0));
      }
    }
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    long count = 0;
    while (!queue.isEmpty()) {
      Due d = queue.poll();
      long wait = d.atMs() - System.currentTimeMillis();
      if (wait > 0) {
        Thread.sleep(wait);
      }
      Stream s = d.stream();
      int from = (int) Math.min((long) s.samplesPerChunk() * d.sequence(), s.audio().length);
      int to = Math.min(from + s.samplesPerChunk(), s.audio().length);
      boolean last = to >= s.audio().length;
      AudioChunk chunk = AudioChunk.newBuilder().setCallId(s.callId()).setChannel(s.channel())
          .setSequence(d.sequence()).setCaptureTimestamp(Instant.ofEpochMilli(s.callStartMs() + d.sequence() * chunkMs))
          .setSampleRate(s.sampleRate()).setEncoding(encoding)
          .setPayload(ByteBuffer.wrap(PcmEncoder.encode(encoding, s.audio(), from, to - from)))
          .setEndOfStream(last).build();
      sent.add(producer.send(new ProducerRecord<>(topic, s.callId().getBytes(StandardCharsets.UTF_8),
          WireFormat.encode(chunk))));
      count++;
      if (!last) {
        queue.add(new Due(startMs + Math.round((d.sequence() + 2) * chunkMs / speed), s, d.sequence() + 1));
      }
      if (sent.size() >= 10_000) {
        for (Future<RecordMetadata> f : sent) {
          f.get();
        }
        sent.clear();
      }
    }
    producer.flush();
    for (Future<RecordMetadata> f : sent) {
      f.get();
    }
    return count;
  }
}
