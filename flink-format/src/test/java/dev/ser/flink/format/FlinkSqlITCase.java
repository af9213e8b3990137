package dev.ser.flink.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.kafka.KafkaBrokerProcess;
import dev.ser.schemas.WireFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Flink SQL on a local cluster over the events topic of a real broker, through {@code 'format' = 'ser-avro'}. */
class FlinkSqlITCase {

  private static String table(String name, String bootstrap, boolean ignoreParseErrors) {
    return "CREATE TABLE " + name + " (\n"
        + "  callId STRING, channel STRING, utteranceIndex INT, label STRING, confidence FLOAT,\n"
        + "  endTime TIMESTAMP_LTZ(3), scores ARRAY<ROW<label STRING, score FLOAT>>, uncertain BOOLEAN\n"
        + ") WITH (\n"
        + "  'connector' = 'kafka', 'topic' = 'emotion-events',\n"
        + "  'properties.bootstrap.servers' = '" + bootstrap + "',\n"
        + "  'properties.isolation.level' = 'read_committed',\n"
        + "  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',\n"
        + "  'format' = 'ser-avro', 'ser-avro.record' = 'EmotionEvent'"
        + (ignoreParseErrors ? ", 'ser-avro.ignore-parse-errors' = 'true'" : "") + "\n)";
  }

  private static Map<String, Long> labelCounts(TableEnvironment sql, String table) throws Exception {
    Map<String, Long> counts = new TreeMap<>();
    try (CloseableIterator<Row> rows = sql.executeSql("SELECT label, COUNT(*) AS n FROM " + table
        + " WHERE NOT uncertain AND channel = 'customer' GROUP BY label").collect()) {
      rows.forEachRemaining(r -> counts.put((String) r.getField("label"), (Long) r.getField("n")));
    }
    return counts;
  }

  @Test
  void aQueryOverTheEventsTopicCountsTheLabels() throws Exception {
    try (KafkaBrokerProcess broker = KafkaBrokerProcess.builder().build().start()) {
      broker.createTopic("emotion-events", 2);
      List<byte[]> records = new ArrayList<>();
      records.add(WireFormat.encode(SerAvroDeserializationSchemaTest.event("call-1", 0, "neutral", false)));
      records.add(WireFormat.encode(SerAvroDeserializationSchemaTest.event("call-1", 1, "angry", false)));
      records.add(WireFormat.encode(SerAvroDeserializationSchemaTest.event("call-1", 2, "angry", false)));
      records.add(WireFormat.encode(SerAvroDeserializationSchemaTest.event("call-2", 0, "angry", true)));
      records.add(WireFormat.encode(SerAvroDeserializationSchemaTest.event("call-2", 1, "sad", false)));
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new ByteArraySerializer(),
          new ByteArraySerializer())) {
        for (byte[] r : records) {
          producer.send(new ProducerRecord<>("emotion-events", r)).get();
        }
      }
      TableEnvironment sql = TableEnvironment.create(EnvironmentSettings.inBatchMode());
      sql.executeSql(table("events", broker.bootstrapServers(), false));
      // the uncertain angry utterance of call-2 is not counted
      assertThat(labelCounts(sql, "events")).isEqualTo(Map.of("angry", 2L, "neutral", 1L, "sad", 1L));
      try (CloseableIterator<Row> rows = sql.executeSql("SELECT callId, utteranceIndex, scores[1].label, scores[1].score,"
          + " endTime FROM events WHERE callId = 'call-2' AND utteranceIndex = 1").collect()) {
        Row r = rows.next();
        assertThat(r.getField(2)).isEqualTo("sad");
        assertThat(r.getField(3)).isEqualTo(0.75f);
        assertThat(r.getField(4)).isEqualTo(java.time.Instant.ofEpochMilli(1_700_000_005_500L));
        assertThat(rows.hasNext()).isFalse();
      }

      // a record that is no released version: the query fails naming it, unless told to skip such records
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new ByteArraySerializer(),
          new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>("emotion-events", "not avro".getBytes())).get();
      }
      assertThatThrownBy(() -> labelCounts(sql, "events")).hasStackTraceContaining(
          "not a EmotionEvent in the single-object encoding of a released version (first bytes 6e 6f 74 20 61 76 72 6f)");
      sql.executeSql(table("lenient", broker.bootstrapServers(), true));
      assertThat(labelCounts(sql, "lenient")).isEqualTo(Map.of("angry", 2L, "neutral", 1L, "sad", 1L));
    }
  }
}
