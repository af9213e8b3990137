package dev.ser.stream.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.avro.Schema;
import org.apache.flink.annotation.Internal;

/**
 * A client of the schema-registry REST API that Confluent Schema Registry defined and Apicurio
 * (under {@code /apis/ccompat/v7}), Karapace and Redpanda serve: register or look up an Avro schema
 * under a subject, and fetch a schema by its id. Written against the API's documentation with the
 * JDK's HTTP client; no registry vendor's library. Thread-safe: every call is one request.
 */
@Internal
public final class SchemaRegistryClient {

  /** The registry answered that no schema has this id. */
  public static final class UnknownSchemaIdException extends Exception {
    private static final long serialVersionUID = 1L;

    UnknownSchemaIdException(String message) {
      super(message);
    }
  }

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI base;
  private final Duration timeout;
  private final HttpClient http;

  /** @param base the registry's URL, e.g. {@code http://registry:8081} or {@code http://apicurio:8080/apis/ccompat/v7} */
  public SchemaRegistryClient(URI base, Duration timeout) {
    String s = base.toString();
    this.base = URI.create(s.endsWith("/") ? s : s + "/");
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** Registers {@code schema} under {@code subject} (a no-op returning the same id when it is there) and returns its id. */
  public int register(String subject, Schema schema) throws IOException {
    JsonNode answer = call("POST", "subjects/" + encode(subject) + "/versions", schemaBody(schema),
        "cannot register " + schema.getFullName() + " under subject " + subject);
    return id(answer, "subject " + subject);
  }

  /** The id of {@code schema} under {@code subject}, which must be registered already. */
  public int lookUp(String subject, Schema schema) throws IOException {
    JsonNode answer = call("POST", "subjects/" + encode(subject), schemaBody(schema),
        "the schema " + schema.getFullName() + " is not registered under subject " + subject
            + " (register it, or let the job do it with schema-registry-auto-register)");
    return id(answer, "subject " + subject);
  }

  /** The Avro schema the registry holds under {@code id}. */
  public Schema schemaById(int id) throws IOException, UnknownSchemaIdException {
    HttpResponse<String> response = send("GET", "schemas/ids/" + id, null);
    if (response.statusCode() == 404) {
      throw new UnknownSchemaIdException("the schema registry " + base + " has no schema with id " + id + ": "
          + response.body());
    }
    JsonNode answer = check(response, "cannot fetch schema id " + id);
    String type = answer.path("schemaType").asText("AVRO");
    if (!type.equals("AVRO")) {
      throw new UnknownSchemaIdException("schema id " + id + " is a " + type + " schema, not Avro");
    }
    try {
      return new Schema.Parser().parse(answer.path("schema").asText());
    } catch (RuntimeException e) {
      throw new IOException("the schema registry " + base + " returned an unreadable schema for id " + id + ": " + e, e);
    }
  }

  private JsonNode call(String method, String path, String body, String what) throws IOException {
    return check(send(method, path, body), what);
  }

  private HttpResponse<String> send(String method, String path, String body) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
        .header("Accept", CONTENT_TYPE + ", application/json");
    if (body == null) {
      request.GET();
    } else {
      request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking the schema registry " + base, e);
    } catch (IOException e) {
      throw new IOException("the schema registry " + base + " cannot be reached: " + e, e);
    }
  }

  private JsonNode check(HttpResponse<String> response, String what) throws IOException {
    if (response.statusCode() != 200) {
      throw new IOException(what + ": the schema registry " + base + " answered " + response.statusCode() + " "
          + response.body());
    }
    return JSON.readTree(response.body());
  }

  private int id(JsonNode answer, String where) throws IOException {
    if (!answer.path("id").isInt()) {
      throw new IOException("the schema registry " + base + " returned no id for " + where + ": " + answer);
    }
    return answer.path("id").asInt();
  }

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
