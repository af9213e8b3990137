package dev.ser.core.vad;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streaming energy-based voice activity detection that cuts a channel's audio into utterances.
 *
 * <p>Audio is analysed in fixed frames counted from the start of the stream; samples that do not
 * fill a frame wait for the next call. So the utterances found depend only on the audio, never on
 * how it was split into chunks. Per frame: energy in dBFS; speech when above both the adaptive
 * noise floor plus {@code thresholdDb} and {@code minSpeechDbfs}. The floor falls at once to a
 * quieter frame and rises at most {@code noiseRiseDbPerSecond}. An utterance starts at the first
 * speech frame (with up to {@code preRollMs} before it), ends after {@code hangoverMs} of
 * non-speech (which stays inside it), is split every {@code maxUtteranceMs}, and is dropped when it
 * holds less than {@code minUtteranceMs} of speech frames. {@link #flush()} closes the stream.
 *
 * <p>Not thread-safe: one instance per audio stream. {@link #writeTo} and {@link #readFrom} save
 * and restore the complete state (for stream-processor checkpoints): a restored segmenter continues
 * exactly as the original would have.
 */
public final class UtteranceSegmenter {

  private final SegmenterConfig config;
  private final int frameSamples;
  private final int hangoverFrames;
  private final int preRollSamples;
  private final int minSamples;
  private final int maxSamples;
  private final double riseDbPerFrame;

  /** Samples of the frame being filled. */
  private final float[] pending;
  private int pendingCount;
  /** Stream position of the first sample of {@link #pending}. */
  private long position;

  private double noiseFloorDb;

  /** Audio just before the current position while outside an utterance (ring buffer). */
  private final float[] preRoll;
  private int preRollCount;
  private int preRollHead;

  private boolean inUtterance;
  private float[] utterance;
  private int utteranceCount;
  private long utteranceStart;
  private int speechFramesInUtterance;
  private int silentRun;

  private int nextIndex;
  private long droppedUtterances;

  public UtteranceSegmenter(SegmenterConfig config) {
    this.config = config;
    this.frameSamples = config.frameSamples();
    this.hangoverFrames = config.frames(config.hangoverMs());
    this.preRollSamples = config.frames(config.preRollMs()) * frameSamples;
    this.minSamples = (int) ((long) config.minUtteranceMs() * config.sampleRate() / 1000);
    this.maxSamples = Math.max(frameSamples, config.frames(config.maxUtteranceMs()) * frameSamples);
    this.riseDbPerFrame = config.noiseRiseDbPerSecond() * config.frameMs() / 1000.0;
    this.pending = new float[frameSamples];
    this.preRoll = new float[preRollSamples];
    this.noiseFloorDb = config.initialNoiseFloorDbfs();
    this.utterance = new float[Math.min(maxSamples, 16 * frameSamples)];
  }

  public SegmenterConfig config() {
    return config;
  }

  /** Feeds all of {@code samples}; returns the utterances completed by them (often none). */
  public List<Utterance> accept(float[] samples) {
    return accept(samples, 0, samples.length);
  }

  /** Feeds {@code samples[offset .. offset+length)}; returns the utterances completed by them. */
  public List<Utterance> accept(float[] samples, int offset, int length) {
    List<Utterance> out = List.of();
    int i = offset;
    int end = offset + length;
    while (i < end) {
      int n = Math.min(frameSamples - pendingCount, end - i);
      System.arraycopy(samples, i, pending, pendingCount, n);
      pendingCount += n;
      i += n;
      if (pendingCount == frameSamples) {
        Utterance done = processFrame();
        pendingCount = 0;
        position += frameSamples;
        if (done != null) {
          if (out.isEmpty()) {
            out = new ArrayList<>(2);
          }
          out.add(done);
        }
      }
    }
    return out;
  }

  /**
   * End of stream: closes the open utterance, if any, including the samples of the last partial
   * frame, and resets to the start state (positions keep counting).
   */
  public List<Utterance> flush() {
    Utterance done = null;
    if (inUtterance) {
      append(pending, 0, pendingCount);
      done = close();
    }
    position += pendingCount;
    pendingCount = 0;
    preRollCount = 0;
    preRollHead = 0;
    noiseFloorDb = config.initialNoiseFloorDbfs();
    return done == null ? List.of() : List.of(done);
  }

  /** Stream position of the next sample to be fed. */
  public long position() {
    return position + pendingCount;
  }

  /** True while speech is open (an utterance has started and not yet ended). */
  public boolean inUtterance() {
    return inUtterance;
  }

  /** Utterances emitted so far (the index the next one gets). */
  public int emittedUtterances() {
    return nextIndex;
  }

  /** Utterances dropped so far for holding less speech than the minimum. */
  public long droppedUtterances() {
    return droppedUtterances;
  }

  public double noiseFloorDb() {
    return noiseFloorDb;
  }

  /** Format version of {@link #writeTo}; bump it when the layout changes. */
  private static final int STATE_VERSION = 1;

  /** Writes the configuration and the complete state. */
  public void writeTo(DataOutput out) throws IOException {
    out.writeByte(STATE_VERSION);
    SegmenterConfig c = config;
    out.writeInt(c.sampleRate());
    out.writeInt(c.frameMs());
    out.writeDouble(c.thresholdDb());
    out.writeDouble(c.minSpeechDbfs());
    out.writeDouble(c.initialNoiseFloorDbfs());
    out.writeDouble(c.noiseRiseDbPerSecond());
    out.writeInt(c.hangoverMs());
    out.writeInt(c.preRollMs());
    out.writeInt(c.minUtteranceMs());
    out.writeInt(c.maxUtteranceMs());
    out.writeLong(position);
    out.writeDouble(noiseFloorDb);
    writeFloats(out, pending, 0, pendingCount);
    // the pre-roll ring, oldest sample first
    out.writeInt(preRollCount);
    int start = preRollSamples == 0 ? 0 : (preRollHead - preRollCount + preRollSamples) % preRollSamples;
    for (int k = 0; k < preRollCount; k++) {
      out.writeFloat(preRoll[(start + k) % preRollSamples]);
    }
    out.writeBoolean(inUtterance);
    writeFloats(out, utterance, 0, utteranceCount);
    out.writeLong(utteranceStart);
    out.writeInt(speechFramesInUtterance);
    out.writeInt(silentRun);
    out.writeInt(nextIndex);
    out.writeLong(droppedUtterances);
  }

  /** Reads what {@link #writeTo} wrote. */
  public static UtteranceSegmenter readFrom(DataInput in) throws IOException {
    int version = in.readUnsignedByte();
    if (version != STATE_VERSION) {
      throw new IOException("unknown segmenter state version " + version + " (this build reads " + STATE_VERSION + ")");
    }
    SegmenterConfig c = new SegmenterConfig(in.readInt(), in.readInt(), in.readDouble(), in.readDouble(),
        in.readDouble(), in.readDouble(), in.readInt(), in.readInt(), in.readInt(), in.readInt());
    UtteranceSegmenter s = new UtteranceSegmenter(c);
    s.position = in.readLong();
    s.noiseFloorDb = in.readDouble();
    s.pendingCount = readFloats(in, s.pending, c.frameSamples(), "pending frame");
    s.preRollCount = in.readInt();
    if (s.preRollCount < 0 || s.preRollCount > s.preRollSamples) {
      throw new IOException("corrupt segmenter state: pre-roll of " + s.preRollCount + " samples");
    }
    for (int k = 0; k < s.preRollCount; k++) {
      s.preRoll[k] = in.readFloat();
    }
    s.preRollHead = s.preRollSamples == 0 ? 0 : s.preRollCount % s.preRollSamples;
    s.inUtterance = in.readBoolean();
    int n = in.readInt();
    if (n < 0 || n > s.maxSamples + s.frameSamples) {
      throw new IOException("corrupt segmenter state: utterance of " + n + " samples");
    }
    s.utterance = new float[Math.max(n, s.utterance.length)];
    for (int k = 0; k < n; k++) {
      s.utterance[k] = in.readFloat();
    }
    s.utteranceCount = n;
    s.utteranceStart = in.readLong();
    s.speechFramesInUtterance = in.readInt();
    s.silentRun = in.readInt();
    s.nextIndex = in.readInt();
    s.droppedUtterances = in.readLong();
    return s;
  }

  private static void writeFloats(DataOutput out, float[] a, int offset, int length) throws IOException {
    out.writeInt(length);
    for (int k = 0; k < length; k++) {
      out.writeFloat(a[offset + k]);
    }
  }

  private static int readFloats(DataInput in, float[] into, int max, String what) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IOException("corrupt segmenter state: " + what + " of " + n + " samples");
    }
    for (int k = 0; k < n; k++) {
      into[k] = in.readFloat();
    }
    return n;
  }

  private Utterance processFrame() {
    double sum = 0;
    for (int k = 0; k < frameSamples; k++) {
      sum += (double) pending[k] * pending[k];
    }
    double energyDb = 10 * Math.log10(sum / frameSamples + 1e-12);
    boolean speech = energyDb > Math.max(noiseFloorDb + config.thresholdDb(), config.minSpeechDbfs());
    noiseFloorDb = energyDb < noiseFloorDb ? energyDb : Math.min(energyDb, noiseFloorDb + riseDbPerFrame);

    if (!inUtterance) {
      if (!speech) {
        rememberForPreRoll();
        return null;
      }
      inUtterance = true;
      utteranceCount = 0;
      utteranceStart = position - preRollCount;
      drainPreRoll();
      speechFramesInUtterance = 0;
      silentRun = 0;
    }
    append(pending, 0, frameSamples);
    if (speech) {
      speechFramesInUtterance++;
      silentRun = 0;
    } else {
      silentRun++;
    }
    if (!speech && silentRun >= Math.max(1, hangoverFrames)) {
      return close();
    }
    if (utteranceCount >= maxSamples) {
      // split: this window is emitted, speech goes on in a new one starting right after it
      Utterance done = emitOrDrop();
      utteranceStart += utteranceCount;
      utteranceCount = 0;
      speechFramesInUtterance = 0;
      return done;
    }
    return null;
  }

  private Utterance close() {
    Utterance done = emitOrDrop();
    inUtterance = false;
    utteranceCount = 0;
    return done;
  }

  private Utterance emitOrDrop() {
    // the minimum counts speech, not the pre-roll and hangover around it
    if (speechFramesInUtterance == 0 || (long) speechFramesInUtterance * frameSamples < minSamples) {
      droppedUtterances++;
      return null;
    }
    float[] samples = Arrays.copyOf(utterance, utteranceCount);
    return new Utterance(nextIndex++, utteranceStart, utteranceStart + utteranceCount, samples);
  }

  private void append(float[] src, int offset, int length) {
    int needed = utteranceCount + length;
    if (needed > utterance.length) {
      utterance = Arrays.copyOf(utterance, Math.max(needed, Math.min(2 * utterance.length, maxSamples + frameSamples)));
    }
    System.arraycopy(src, offset, utterance, utteranceCount, length);
    utteranceCount += length;
  }

  private void rememberForPreRoll() {
    if (preRollSamples == 0) {
      return;
    }
    for (int k = 0; k < frameSamples; k++) {
      preRoll[preRollHead] = pending[k];
      preRollHead = (preRollHead + 1) % preRollSamples;
    }
    preRollCount = Math.min(preRollSamples, preRollCount + frameSamples);
  }

  /** Moves the remembered pre-roll, oldest first, into the utterance and empties the ring. */
  private void drainPreRoll() {
    int start = (preRollHead - preRollCount + preRollSamples) % Math.max(1, preRollSamples);
    for (int k = 0; k < preRollCount; k++) {
      float v = preRoll[(start + k) % preRollSamples];
      if (utteranceCount == utterance.length) {
        utterance = Arrays.copyOf(utterance, utterance.length * 2);
      }
      utterance[utteranceCount++] = v;
    }
    preRollCount = 0;
    preRollHead = 0;
  }
}
