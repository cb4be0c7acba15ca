package io.ghosthunt.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthServerTest {

  @Test
  void healthReadinessAndMetricsOverHttp() throws Exception {
    AtomicReference<String> unready = new AtomicReference<>("the operator has not started");
    OperatorMetrics metrics = new OperatorMetrics();
    metrics.reconcileError();
    try (HealthServer server = new HealthServer(0, metrics, unready::get)) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();

      assertEquals(200, get(http, base + "/healthz").statusCode());
      HttpResponse<String> notYet = get(http, base + "/readyz");
      assertEquals(503, notYet.statusCode());
      assertEquals("the operator has not started\n", notYet.body());
      unready.set(null);
      assertEquals(200, get(http, base + "/readyz").statusCode());

      HttpResponse<String> scrape = get(http, base + "/metrics");
      assertEquals(200, scrape.statusCode());
      assertTrue(
          scrape
              .headers()
              .firstValue("Content-Type")
              .orElse("")
              .startsWith("text/plain; version=0.0.4"));
      assertTrue(scrape.body().contains("ghosthunt_reconcile_errors_total 1.0\n"), scrape.body());
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
