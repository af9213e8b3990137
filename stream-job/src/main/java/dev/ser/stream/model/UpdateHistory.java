package dev.ser.stream.model;

import dev.ser.schemas.ModelUpdate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The last model updates a job read, in the order it read them, as one value of broadcast state:
 * a restored job asks for the newest and falls back to the ones before it, so an update refused
 * before the restore does not send the job back to its first model. Bounded: the oldest are
 * dropped.
 */
public final class UpdateHistory {

  /** How many updates are kept: enough to skip a few refused ones. */
  public static final int KEPT = 5;

  private UpdateHistory() {}

  /**
   * {@code history} with {@code update} (single-object encoded) appended; null when it is already
   * the newest (the same record read again).
   */
  public static byte[] append(byte[] history, byte[] update) {
    List<byte[]> all = read(history);
    if (!all.isEmpty() && Arrays.equals(all.get(all.size() - 1), update)) {
      return null;
    }
    all.add(update);
    List<byte[]> kept = all.subList(Math.max(0, all.size() - KEPT), all.size());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(1); // format version
      out.writeInt(kept.size());
      for (byte[] u : kept) {
        out.writeInt(u.length);
        out.write(u);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The updates, newest first. */
  public static List<ModelUpdate> newestFirst(byte[] history) {
    List<byte[]> all = read(history);
    List<ModelUpdate> out = new ArrayList<>(all.size());
    for (int i = all.size() - 1; i >= 0; i--) {
      out.add(ModelUpdateOrDeadLetter.read(all.get(i)));
    }
    return out;
  }

  private static List<byte[]> read(byte[] history) {
    List<byte[]> all = new ArrayList<>();
    if (history == null) {
      return all;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(history))) {
      int version = in.readByte();
      if (version != 1) {
        throw new IllegalStateException("model update history of format " + version + ", this job reads format 1");
      }
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        byte[] u = new byte[in.readInt()];
        in.readFully(u);
        all.add(u);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("the model update history in the job's state is damaged", e);
    }
    return all;
  }
}
