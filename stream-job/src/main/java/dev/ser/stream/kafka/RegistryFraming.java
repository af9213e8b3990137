package dev.ser.stream.kafka;

import dev.ser.schemas.WireFormat;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.flink.annotation.Internal;

/**
 * The job's side of schema-registry mode ({@code wire-format: confluent}): values leave in the
 * registry framing ({@link ConfluentFraming}) under the id their released schema has in the subject
 * {@code TOPIC-value} (the registry serializers' default subject naming), and Confluent-framed
 * input is accepted when its id holds a released schema of the expected record. Ids are asked for
 * once per schema and subject (or per unknown id, once a minute) and cached; the registry is not on
 * the path of every record. A registry that cannot be reached is an {@link IOException} (the task
 * fails and restarts from its checkpoint: nothing is lost, nothing is dead-lettered for it); an id
 * the registry does not know, or one holding a schema we never released, is bad input.
 *
 * <p>Serializable settings; the client and caches are made in the task that first uses them.
 */
@Internal
public final class RegistryFraming implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final long UNKNOWN_ID_RETRY_MS = 60_000;
  private static final Map<Long, Schema> RELEASED = released();

  private final String url;
  private final boolean autoRegister;
  private final long timeoutMs;
  private transient SchemaRegistryClient client;
  private transient Map<String, Integer> ids;
  private transient Map<Integer, Long> fingerprints;
  private transient Map<Integer, Long> unknownUntil;

  /**
   * @param url          the registry's REST API (Confluent's; Apicurio: {@code .../apis/ccompat/v7})
   * @param autoRegister whether the job registers its output schemas itself (else they must be registered)
   * @param timeoutMs    the longest one request to the registry may take
   */
  public RegistryFraming(String url, boolean autoRegister, long timeoutMs) {
    URI uri = URI.create(url);
    if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
      throw new IllegalArgumentException("schema-registry-url must be an http(s) URL, got \"" + url + "\"");
    }
    this.url = url;
    this.autoRegister = autoRegister;
    this.timeoutMs = timeoutMs;
  }

  /** The subject a topic's values are registered under. */
  public static String subject(String topic) {
    return topic + "-value";
  }

  /** {@code singleObject} (one of our released schemas) framed for {@code topic}. */
  public byte[] frame(String topic, byte[] singleObject) throws IOException {
    return ConfluentFraming.frame(singleObject, id(topic, schemaOf(singleObject)));
  }

  /** The {@code content-type} header of a value framed by {@link #frame}. */
  public String contentType(String topic, byte[] singleObject) throws IOException {
    Schema schema = schemaOf(singleObject);
    return "application/avro; encoding=confluent; schema=" + WireFormat.release(schema) + "; id=" + id(topic, schema);
  }

  /**
   * A Confluent-framed value of {@code recordName} as single-object bytes our decoders read.
   *
   * @throws SchemaRegistryClient.UnknownSchemaIdException the id is unknown to the registry, or holds a schema
   *     that is not a released {@code recordName}
   * @throws IOException the registry cannot be reached or answers with an error
   */
  public byte[] unframe(byte[] framed, String recordName) throws IOException, SchemaRegistryClient.UnknownSchemaIdException {
    int id = ConfluentFraming.schemaId(framed);
    init();
    Long fingerprint = fingerprints.get(id);
    if (fingerprint == null) {
      Long retry = unknownUntil.get(id);
      if (retry != null && System.currentTimeMillis() < retry) {
        throw new SchemaRegistryClient.UnknownSchemaIdException("schema id " + id + " was unknown to the schema registry "
            + url + " less than a minute ago");
      }
      Schema schema;
      try {
        schema = client.schemaById(id);
      } catch (SchemaRegistryClient.UnknownSchemaIdException e) {
        unknownUntil.put(id, System.currentTimeMillis() + UNKNOWN_ID_RETRY_MS);
        throw e;
      }
      fingerprint = SchemaNormalization.parsingFingerprint64(schema);
      Schema released = RELEASED.get(fingerprint);
      if (released == null || !released.getName().equals(recordName)) {
        unknownUntil.put(id, System.currentTimeMillis() + UNKNOWN_ID_RETRY_MS);
        throw new SchemaRegistryClient.UnknownSchemaIdException("schema id " + id + " in the schema registry holds "
            + (released == null ? schema.getFullName() + " in a form this job never released (fingerprint "
                + Long.toHexString(fingerprint) + ")" : WireFormat.release(released))
            + "; expected one of the released " + recordName + " schemas in schemas/history");
      }
      fingerprints.put(id, fingerprint);
    }
    return ConfluentFraming.unframe(framed, fingerprint);
  }

  private int id(String topic, Schema schema) throws IOException {
    init();
    String subject = subject(topic);
    String key = subject + "|" + SchemaNormalization.parsingFingerprint64(schema);
    Integer id = ids.get(key);
    if (id == null) {
      id = autoRegister ? client.register(subject, schema) : client.lookUp(subject, schema);
      ids.put(key, id);
    }
    return id;
  }

  private static Schema schemaOf(byte[] singleObject) {
    long fingerprint = ConfluentFraming.fingerprint(singleObject);
    Schema schema = RELEASED.get(fingerprint);
    if (schema == null) {
      throw new IllegalArgumentException("written with an unreleased schema: " + WireFormat.hex(singleObject, 10));
    }
    return schema;
  }

  private synchronized void init() {
    if (client == null) {
      client = new SchemaRegistryClient(URI.create(url), Duration.ofMillis(timeoutMs));
      ids = new ConcurrentHashMap<>();
      fingerprints = new ConcurrentHashMap<>();
      unknownUntil = new ConcurrentHashMap<>();
    }
  }

  private static Map<Long, Schema> released() {
    Map<Long, Schema> out = new HashMap<>();
    for (String name : WireFormat.RECORD_NAMES) {
      for (Schema s : WireFormat.history(name)) {
        out.put(SchemaNormalization.parsingFingerprint64(s), s);
      }
    }
    return Map.copyOf(out);
  }
}
