package dev.ser.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The web server on a real port: page, scripts, JSON, the update stream, and who may see them. */
class DashboardServerTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static HttpResponse<String> get(URI base, String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesThePageItsScriptsTheBoardAndTheUpdateStream() throws Exception {
    CallBoard board = new CallBoard(60_000, 10, Set.of("angry"));
    board.onEvent(CallBoardTest.event("c1", 0, 0, "angry", 0.9f, 0.05f, false), System.currentTimeMillis());
    try (DashboardServer server = DashboardServer.start(board, "127.0.0.1", 0, new DashboardServer.Access.Open())) {
      URI base = server.url();
      assertThat(base.toString()).isEqualTo("http://127.0.0.1:" + server.port() + "/");
      HttpResponse<String> page = get(base, "/", null);
      assertThat(page.statusCode()).isEqualTo(200);
      // every script and style the page names is served from this process (no CDN)
      Matcher refs = Pattern.compile("(?:src|href)=\"(/[^\"]+)\"").matcher(page.body());
      int count = 0;
      while (refs.find()) {
        assertThat(get(base, refs.group(1), null).statusCode()).as(refs.group(1)).isEqualTo(200);
        count++;
      }
      assertThat(count).isEqualTo(4); // uPlot css and js, app.css, app.js
      JsonNode json = new ObjectMapper().readTree(get(base, "/api/board", null).body());
      assertThat(json.at("/live/0/callId").asText()).isEqualTo("c1");
      assertThat(get(base, "/api/calls/c1", null).statusCode()).isEqualTo(200);
      HttpResponse<String> missing = get(base, "/api/calls/nope", null);
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.body()).isEqualTo("no call nope on the board");

      // the stream: the board at once, then again after a change
      HttpResponse<java.io.InputStream> stream = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/updates"))
          .header("Accept", "text/event-stream").build(), // as EventSource asks
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
      try (BufferedReader r = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
        assertThat(nextData(r)).contains("\"callId\":\"c1\"").doesNotContain("c2");
        board.onEvent(CallBoardTest.event("c2", 0, 0, "neutral", 0.1f, 0.8f, false), System.currentTimeMillis());
        assertThat(nextData(r)).contains("\"callId\":\"c2\"");
      }
    }
  }

  private static String nextData(BufferedReader r) throws Exception {
    String line;
    boolean board = false;
    while ((line = r.readLine()) != null) {
      if (line.equals("event: board")) {
        board = true;
      } else if (board && line.startsWith("data: ")) {
        return line.substring(6);
      }
    }
    throw new AssertionError("the stream ended");
  }

  @Test
  void anAddressOtherThanLoopbackIsRefusedWithoutCredentials() {
    CallBoard board = new CallBoard(60_000, 10, Set.of("angry"));
    assertThatThrownBy(() -> DashboardServer.start(board, "0.0.0.0", 0, new DashboardServer.Access.Open()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the dashboard shows what callers feel to anyone who can open it: binding to 0.0.0.0 (not a"
            + " loopback address) needs --basic-auth-file or --bearer-token-file");
  }

  @Test
  void withCredentialsEveryPathNeedsThem() throws Exception {
    CallBoard board = new CallBoard(60_000, 10, Set.of("angry"));
    try (DashboardServer server = DashboardServer.start(board, "127.0.0.1", 0,
        new DashboardServer.Access.Basic("lead", "s3cret pass"))) {
      URI base = server.url();
      for (String path : new String[] {"/", "/app.js", "/api/board", "/api/updates"}) {
        HttpResponse<String> refused = get(base, path, null);
        assertThat(refused.statusCode()).as(path).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"ser dashboard\", charset=\"UTF-8\"");
      }
      String wrong = "Basic " + Base64.getEncoder().encodeToString("lead:guess".getBytes(StandardCharsets.UTF_8));
      assertThat(get(base, "/api/board", wrong).statusCode()).isEqualTo(401);
      String right = "Basic " + Base64.getEncoder().encodeToString("lead:s3cret pass".getBytes(StandardCharsets.UTF_8));
      assertThat(get(base, "/api/board", right).statusCode()).isEqualTo(200);
    }
    try (DashboardServer server = DashboardServer.start(board, "127.0.0.1", 0,
        new DashboardServer.Access.Bearer("0123456789abcdef-token"))) {
      assertThat(get(server.url(), "/api/board", "Bearer nope").statusCode()).isEqualTo(401);
      assertThat(get(server.url(), "/api/board", "Bearer 0123456789abcdef-token").statusCode()).isEqualTo(200);
    }
  }
}
