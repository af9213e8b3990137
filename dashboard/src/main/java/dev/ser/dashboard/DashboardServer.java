package dev.ser.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Serves the supervisor page over a {@link CallBoard}: the page and its scripts, uPlot from its
 * WebJar, {@code /api/board} and {@code /api/calls/{id}} as JSON, and {@code /api/updates}, a
 * server-sent event stream that carries the whole board whenever it changed (at most every 250 ms)
 * and a comment every 15 s so proxies keep it open. One thread writes to every stream (a new one
 * gets the board at the next push), so two writes never interleave on a connection.
 */
public final class DashboardServer implements AutoCloseable {

  /** Who may look: anyone who can reach the address, or those with the credentials. */
  public sealed interface Access {
    /** Only for a loopback address: whoever can reach it is on this machine. */
    record Open() implements Access {}

    /** HTTP basic authentication: what a browser asks a person for. */
    record Basic(String user, String password) implements Access {}

    /** A bearer token: for a reverse proxy or a script that adds the header. */
    record Bearer(String token) implements Access {}
  }

  private static final long PUSH_EVERY_MS = 250;
  private static final long KEEP_ALIVE_EVERY_MS = 15_000;

  private final Javalin app;
  private final CallBoard board;
  private final ObjectMapper json = new ObjectMapper();
  private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
  /** Connected since the last push: they get the board at the next one, whether it changed or not. */
  private final Set<SseClient> fresh = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ser-dashboard-push");
    t.setDaemon(true);
    return t;
  });
  private final String host;
  private long pushedVersion = -1;
  private long lastKeepAlive = System.currentTimeMillis();

  private DashboardServer(CallBoard board, String host, Access access) {
    this.board = board;
    this.host = host;
    this.app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.staticFiles.add("/dashboard", Location.CLASSPATH);
      config.staticFiles.enableWebjars();
      config.routes.before(ctx -> authorize(ctx, access));
      config.routes.get("/api/board", ctx -> ctx.contentType("application/json")
          .result(json.writeValueAsString(board.snapshot(json))));
      config.routes.get("/api/calls/{callId}", ctx -> board.call(ctx.pathParam("callId"), json).ifPresentOrElse(
          c -> ctx.contentType("application/json").result(c.toString()),
          () -> ctx.status(HttpStatus.NOT_FOUND).result("no call " + ctx.pathParam("callId") + " on the board")));
      config.routes.sse("/api/updates", client -> {
        client.keepAlive();
        client.onClose(() -> {
          fresh.remove(client);
          clients.remove(client);
        });
        fresh.add(client); // the pusher sends it the board first: one thread writes to every client
      });
    });
  }

  /**
   * Starts serving on {@code host:port} (port 0: any free one). A non-loopback address needs
   * credentials: the page shows who says what on live calls.
   */
  public static DashboardServer start(CallBoard board, String host, int port, Access access) {
    if (access instanceof Access.Open && !isLoopback(host)) {
      throw new IllegalArgumentException("the dashboard shows what callers feel to anyone who can open it: binding to "
          + host + " (not a loopback address) needs --basic-auth-file or --bearer-token-file");
    }
    DashboardServer server = new DashboardServer(board, host, access);
    server.app.start(host, port);
    server.pusher.scheduleWithFixedDelay(server::push, PUSH_EVERY_MS, PUSH_EVERY_MS, TimeUnit.MILLISECONDS);
    return server;
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve the bind address " + host, e);
    }
  }

  public int port() {
    return app.port();
  }

  /** The page's address. */
  public URI url() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return URI.create("http://" + (h.equals("0.0.0.0") ? "localhost" : h) + ":" + port() + "/");
  }

  private void push() {
    try {
      clients.removeIf(SseClient::terminated);
      fresh.removeIf(SseClient::terminated);
      long v = board.version();
      long now = System.currentTimeMillis();
      List<SseClient> joined = new ArrayList<>(fresh);
      fresh.removeAll(joined);
      if (v != pushedVersion || !joined.isEmpty()) {
        String snapshot = board.snapshot(json).toString();
        if (v != pushedVersion) {
          pushedVersion = v;
          clients.forEach(c -> c.sendEvent("board", snapshot));
        }
        joined.forEach(c -> c.sendEvent("board", snapshot));
        clients.addAll(joined);
      } else if (now - lastKeepAlive >= KEEP_ALIVE_EVERY_MS) {
        lastKeepAlive = now;
        clients.forEach(c -> c.sendComment("keep-alive"));
      }
    } catch (RuntimeException e) {
      // one failed push must not end the schedule; the next one sends the board again
      pushedVersion = -1;
    }
  }

  private static void authorize(Context ctx, Access access) {
    if (access instanceof Access.Open) {
      return;
    }
    String header = ctx.header("Authorization");
    boolean ok;
    if (access instanceof Access.Basic b) {
      ok = header != null && header.startsWith("Basic ") && same(header.substring(6).trim(),
          Base64.getEncoder().encodeToString((b.user() + ":" + b.password()).getBytes(StandardCharsets.UTF_8)));
    } else {
      ok = header != null && header.startsWith("Bearer ") && same(header.substring(7).trim(), ((Access.Bearer) access).token());
    }
    if (!ok) {
      if (access instanceof Access.Basic) {
        ctx.header("WWW-Authenticate", "Basic realm=\"ser dashboard\", charset=\"UTF-8\"");
      } else {
        ctx.header("WWW-Authenticate", "Bearer realm=\"ser dashboard\"");
      }
      ctx.status(HttpStatus.UNAUTHORIZED).result("credentials needed");
      ctx.skipRemainingHandlers();
    }
  }

  /** Compares in time that does not depend on where they differ. */
  private static boolean same(String given, String expected) {
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    pusher.shutdownNow();
    clients.forEach(SseClient::close);
    app.stop();
  }
}
