package dev.ser.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.core.features.ReferenceVectors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavFileTest {

  @Test
  void readsTheEmoDbFixture() throws Exception {
    DecodedAudio audio = WavFile.read(ReferenceVectors.bundled().resolve("data/emodb/wav/03a01Fa.wav"));
    assertThat(audio.sampleRate()).isEqualTo(22050);
    assertThat(audio.channelCount()).isEqualTo(1);
    assertThat(audio.frameCount()).isEqualTo(44100);
  }

  @Test
  void stereoIsTwoChannelsAndSurvivesARoundTrip(@TempDir Path dir) throws Exception {
    float[] left = {0f, 0.5f, -0.25f};
    float[] right = {-1f, 0.125f, 0.75f};
    Path file = dir.resolve("call.wav");
    WavFile.writePcm16(file, new DecodedAudio(8000, new float[][] {left, right}));
    DecodedAudio back = WavFile.read(file);
    assertThat(back.sampleRate()).isEqualTo(8000);
    assertThat(back.channel(0)).containsExactly(left);
    assertThat(back.channel(1)).containsExactly(right);
    assertThatThrownBy(() -> back.channel(2)).hasMessage("channel 2 does not exist; the audio has 2 channels");
  }

  /** A WAV with the given fmt fields and data bytes, plus an unrelated LIST chunk before fmt. */
  static byte[] wav(int format, int channels, int rate, int blockAlign, int bits, byte[] data, int declaredDataSize) {
    ByteBuffer b = ByteBuffer.allocate(12 + 8 + 4 + 8 + 16 + 8 + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(0).put("WAVE".getBytes(StandardCharsets.US_ASCII));
    b.put("LIST".getBytes(StandardCharsets.US_ASCII)).putInt(3).put(new byte[] {1, 2, 3, 0}); // odd size, padded
    b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) format).putShort((short) channels)
        .putInt(rate).putInt(rate * blockAlign).putShort((short) blockAlign).putShort((short) bits);
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(declaredDataSize).put(data);
    return b.array();
  }

  @Test
  void readsEveryEncoding() {
    byte[] pcm24 = {0, 0, 0x40, 0, 0, (byte) 0xC0}; // +0.5, -0.5
    assertThat(WavFile.decode(wav(1, 1, 16000, 3, 24, pcm24, 6)).channel(0)).containsExactly(0.5f, -0.5f);
    byte[] pcm8 = {(byte) 128, (byte) 192, 0};
    assertThat(WavFile.decode(wav(1, 1, 8000, 1, 8, pcm8, 3)).channel(0)).containsExactly(0f, 0.5f, -1f);
    byte[] f32 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.75f).array();
    assertThat(WavFile.decode(wav(3, 1, 8000, 4, 32, f32, 4)).channel(0)).containsExactly(0.75f);
    assertThat(WavFile.decode(wav(7, 1, 8000, 1, 8, new byte[] {(byte) 0x80}, 1)).channel(0))
        .containsExactly(32124 / 32768f);
    assertThat(WavFile.decode(wav(6, 1, 8000, 1, 8, new byte[] {(byte) 0xAA}, 1)).channel(0))
        .containsExactly(32256 / 32768f);
  }

  @Test
  void aStreamingWriterUnknownSizeMeansUntilTheEnd() {
    byte[] data = {0, 0x40, 0, (byte) 0xC0};
    assertThat(WavFile.decode(wav(1, 1, 8000, 2, 16, data, -1)).channel(0)).containsExactly(0.5f, -0.5f);
  }

  @Test
  void badFilesGetClearErrors() {
    assertThatThrownBy(() -> WavFile.decode("ID3\u0004 not a wav file".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(AudioFormatException.class).hasMessage("not a WAV file: starts with \"ID3\\x04\" instead of \"RIFF\"");
    assertThatThrownBy(() -> WavFile.decode(new byte[5])).hasMessage("not a WAV file: 5 bytes is shorter than a RIFF header");
    byte[] avi = wav(1, 1, 8000, 2, 16, new byte[2], 2);
    System.arraycopy("AVI ".getBytes(StandardCharsets.US_ASCII), 0, avi, 8, 4);
    assertThatThrownBy(() -> WavFile.decode(avi)).hasMessage("not a WAV file: RIFF form type is \"AVI \" instead of \"WAVE\"");
    assertThatThrownBy(() -> WavFile.decode(wav(1, 1, 8000, 2, 16, new byte[3], 3)))
        .hasMessage("data chunk has 3 bytes, not a whole number of 2-byte sample frames")
        .extracting(e -> ((AudioFormatException) e).reason()).isEqualTo(AudioFormatException.Reason.ODD_BYTE_COUNT);
    assertThatThrownBy(() -> WavFile.decode(wav(1, 1, 8000, 2, 16, new byte[4], 400)))
        .hasMessage("data chunk declares 400 bytes but only 4 follow: the file is truncated");
    assertThatThrownBy(() -> WavFile.decode(wav(2, 1, 8000, 2, 16, new byte[2], 2)))
        .hasMessage("unsupported WAV encoding: format code 0x0002; supported are 8/16/24/32-bit PCM, 32/64-bit float,"
            + " mu-law and A-law")
        .extracting(e -> ((AudioFormatException) e).reason()).isEqualTo(AudioFormatException.Reason.UNSUPPORTED_FORMAT);
    assertThatThrownBy(() -> WavFile.decode(wav(1, 2, 8000, 2, 16, new byte[4], 4)))
        .hasMessage("block align is 2 bytes but 2 channel(s) of 16-bit samples need 4");
    byte[] nan = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(Float.POSITIVE_INFINITY).array();
    assertThatThrownBy(() -> WavFile.decode(wav(3, 1, 8000, 4, 32, nan, 4)))
        .hasMessage("sample 0 of channel 0 is Infinity; float samples must be finite");
    byte[] noData = Arrays.copyOf(wav(1, 1, 8000, 2, 16, new byte[0], 0), 12 + 12 + 24);
    assertThatThrownBy(() -> WavFile.decode(noData)).hasMessage("no data chunk found");
  }

  @Test
  void pathIsNamedInFileErrors(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.wav");
    java.nio.file.Files.write(file, new byte[20]);
    assertThatThrownBy(() -> WavFile.read(file)).hasMessageStartingWith(file + ": not a WAV file");
  }
}
