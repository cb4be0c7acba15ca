package io.ghosthunt.operator.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The operator's HTTP endpoints for the kubelet and Prometheus: {@code /healthz} (the process
 * answers), {@code /readyz} (the operator has started and its informers are healthy) and {@code
 * /metrics}. The JDK's own server: three small handlers need no framework.
 */
public final class HealthServer implements AutoCloseable {

  private final HttpServer server;

  public HealthServer(int port, OperatorMetrics metrics, Supplier<String> unready)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.createContext("/healthz", x -> send(x, 200, "ok\n", "text/plain"));
    server.createContext(
        "/readyz",
        x -> {
          String why = unready.get();
          send(x, why == null ? 200 : 503, why == null ? "ready\n" : why + "\n", "text/plain");
        });
    server.createContext(
        "/metrics",
        x -> send(x, 200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8"));
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "health-http");
              t.setDaemon(true);
              return t;
            }));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void send(HttpExchange x, int status, String body, String type)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
