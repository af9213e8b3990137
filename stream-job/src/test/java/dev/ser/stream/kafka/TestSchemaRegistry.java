package dev.ser.stream.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * A test double of a schema registry: the four calls of the Confluent REST API the job makes, as
 * that API's documentation describes them (ids per distinct schema across subjects, errors as
 * {@code {"error_code": 40403, ...}} with status 404). Not a real registry: no compatibility rules,
 * no persistence. No real registry can run on the build machines (none is on Maven Central in a
 * runnable form), so this is what the job's registry code is tested against.
 */
public final class TestSchemaRegistry implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final Map<Long, Integer> idByFingerprint = new LinkedHashMap<>();
  private final Map<Integer, String> schemaById = new LinkedHashMap<>();
  private final Map<String, List<Integer>> subjects = new LinkedHashMap<>();
  public final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private int nextId = 100;

  public TestSchemaRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Registers {@code schema} under {@code subject} as a producer's tooling would; returns its id. */
  public synchronized int register(String subject, Schema schema) {
    long fp = SchemaNormalization.parsingFingerprint64(schema);
    int id = idByFingerprint.computeIfAbsent(fp, f -> nextId++);
    schemaById.putIfAbsent(id, schema.toString());
    List<Integer> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!versions.contains(id)) {
      versions.add(id);
    }
    return id;
  }

  private void handle(HttpExchange x) throws IOException {
    String method = x.getRequestMethod();
    String path = x.getRequestURI().getRawPath();
    String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(method + " " + path);
    String[] parts = path.substring(1).split("/");
    synchronized (this) {
      if (method.equals("GET") && parts.length == 3 && parts[0].equals("schemas") && parts[1].equals("ids")) {
        String schema = schemaById.get(Integer.parseInt(parts[2]));
        if (schema == null) {
          reply(x, 404, "{\"error_code\":40403,\"message\":\"Schema " + parts[2] + " not found\"}");
        } else {
          reply(x, 200, JSON.createObjectNode().put("schema", schema).toString());
        }
        return;
      }
      if (method.equals("POST") && parts[0].equals("subjects") && (parts.length == 2 || parts.length == 3)) {
        String subject = java.net.URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
        JsonNode request = JSON.readTree(body);
        Schema schema = new Schema.Parser().parse(request.path("schema").asText());
        if (parts.length == 3) {
          reply(x, 200, "{\"id\":" + register(subject, schema) + "}");
          return;
        }
        Integer id = idByFingerprint.get(SchemaNormalization.parsingFingerprint64(schema));
        if (!subjects.containsKey(subject)) {
          reply(x, 404, "{\"error_code\":40401,\"message\":\"Subject '" + subject + "' not found.\"}");
        } else if (id == null || !subjects.get(subject).contains(id)) {
          reply(x, 404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
        } else {
          reply(x, 200, "{\"subject\":\"" + subject + "\",\"id\":" + id + ",\"version\":"
              + (subjects.get(subject).indexOf(id) + 1) + "}");
        }
        return;
      }
    }
    reply(x, 404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
  }

  private static void reply(HttpExchange x, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    x.sendResponseHeaders(status, bytes.length);
    x.getResponseBody().write(bytes);
    x.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
