package dev.ser.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The published fingerprints (history/fingerprints.json and the table in README.md) are those of
 * the released schemas: a reader in any language can check its header bytes against them.
 */
class FingerprintsTest {

  static final Path SCHEMAS = Path.of(System.getProperty("user.dir"));

  static Map<String, String> computed() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : WireFormat.RECORD_NAMES) {
      List<org.apache.avro.Schema> versions = WireFormat.history(name);
      for (int v = 0; v < versions.size(); v++) {
        out.put(name + "/v" + (v + 1), WireFormat.headerHex(versions.get(v)));
      }
    }
    return out;
  }

  @Test
  void theHeaderOfAnEncodedRecordIsWhatIsPublishedForItsSchema() throws Exception {
    byte[] encoded = WireFormat.encode(EmotionEvent.newBuilder().setCallId("c").setChannel("customer")
        .setUtteranceId("c/customer/0").setUtteranceIndex(0).setStartTime(java.time.Instant.EPOCH)
        .setEndTime(java.time.Instant.EPOCH).setLabel("sad").setConfidence(1f).setScores(List.of())
        .setModelName("m").setModelVersion("1").setProcessingLatencyMs(0).build());
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      hex.append(i == 0 ? "" : " ").append(String.format("%02x", encoded[i] & 0xff));
    }
    assertThat(computed().get("EmotionEvent/v2")).isEqualTo(hex.toString());
  }

  @Test
  void thePublishedFileAndTableMatchTheHistory() throws Exception {
    JsonNode file = new ObjectMapper().readTree(SCHEMAS.resolve("history/fingerprints.json").toFile());
    Map<String, String> published = new LinkedHashMap<>();
    file.fields().forEachRemaining(e -> published.put(e.getKey(), e.getValue().path("header").asText()));
    assertThat(published).isEqualTo(computed());
    String readme = Files.readString(SCHEMAS.resolve("README.md"));
    computed().forEach((version, header) -> assertThat(readme).contains("| `" + version + "` | `" + header + "` |"));
  }
}
