package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.ghosthunt.agent.host.DnsClient;
import io.ghosthunt.agent.host.ForeignRoot;
import io.ghosthunt.agent.host.HostsFile;
import io.ghosthunt.agent.host.PodResolver;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.Http2Spec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An http2 URL's host resolved as the pod resolves it: through the pod's hosts file, never the
 * probe's (whose lookup knows no {@code .test} name), the URL's host still sent as Host. A plain
 * HTTP/1.1 server on loopback stands in for the service; no nameserver is asked.
 */
class Http2PodNamesTest {

  static final String NAME = "web.shop.test";

  @TempDir Path dir;
  Path pod;
  HttpServer server;
  final List<String> hostHeaders = new CopyOnWriteArrayList<>();

  @BeforeEach
  void aPodAndItsService() throws Exception {
    pod = Files.createDirectories(dir.resolve("proc/4242/root"));
    Files.createDirectories(pod.resolve("etc"));
    Files.writeString(pod.resolve("etc/hosts"), "# hostAliases\n127.0.0.1 " + NAME + "\n");
    // A link that leads nowhere: a name not in the hosts file cannot reach any server.
    Files.createSymbolicLink(pod.resolve("etc/resolv.conf"), Path.of("/run/missing/resolv.conf"));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          hostHeaders.add(exchange.getRequestHeaders().getFirst("Host"));
          byte[] body = "ok\n".getBytes();
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private Finding hunt(String url) throws Exception {
    Http2Spec http2 = new Http2Spec();
    http2.setUrls(List.of(url));
    ChecksSpec checks = new ChecksSpec();
    checks.setHttp2(http2);
    ForeignRoot root = ForeignRoot.whole(pod);
    PodResolver names =
        new PodResolver(
            new HostsFile(root, "/etc/hosts"), root, "/etc/resolv.conf", new DnsClient());
    List<Finding> findings =
        new Http2Check(names)
            .run(checks, new CheckContext("node-a", Instant.now().plusSeconds(20)));
    assertEquals(1, findings.size());
    return findings.get(0);
  }

  private int port() {
    return server.getAddress().getPort();
  }

  @Test
  void aNameInThePodsHostsFileReachesItsAddressAndKeepsItsHost() throws Exception {
    Finding f = hunt("http://" + NAME + ":" + port() + "/health");
    assertTrue(
        f.getEvidence().get("HTTP/1.1").startsWith("200, http/1.1, "), f.getEvidence().toString());
    assertEquals(pod.resolve("etc/hosts") + " line 2", f.getEvidence().get("resolvedBy"));
    assertEquals("127.0.0.1", f.getEvidence().get("resolvedTo"));
    assertTrue(hostHeaders.contains(NAME + ":" + port()), hostHeaders.toString());
  }

  @Test
  void aNameNoSourceResolvesFailsWithThePodsReason() throws Exception {
    Finding f = hunt("http://nope.shop.test:" + port() + "/health");
    assertEquals(FindingVerdict.Inconclusive, f.getVerdict(), f.getSummary());
    String http1 = f.getEvidence().get("HTTP/1.1");
    assertTrue(
        http1.startsWith(
            "failed: cannot resolve the host: nope.shop.test: not in "
                + pod.resolve("etc/hosts")
                + "; cannot read /etc/resolv.conf -> /run/missing/resolv.conf"),
        http1);
    assertFalse(f.getEvidence().containsKey("resolvedBy"), f.getEvidence().toString());
    assertEquals(List.of(), hostHeaders);
  }

  @Test
  void anAddressNeedsNoName() throws Exception {
    Finding f = hunt("http://127.0.0.1:" + port() + "/health");
    assertTrue(
        f.getEvidence().get("HTTP/1.1").startsWith("200, http/1.1, "), f.getEvidence().toString());
    assertFalse(f.getEvidence().containsKey("resolvedBy"), f.getEvidence().toString());
  }
}
