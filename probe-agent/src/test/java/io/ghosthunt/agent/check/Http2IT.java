package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import io.ghosthunt.lab.WebLab;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One client 500s: nginx whose HTTP/2 path fails while HTTP/1.1 works, and its clean twins. */
class Http2IT {

  private static final String BASE = "https://" + WebLab.WEB;
  private static Lab lab;
  private static WebLab web;
  private static LabHost.Run run;

  @BeforeAll
  static void hunt() {
    lab = new Lab();
    web = new WebLab(lab);
    web.silentOnPreface(8081);
    // One hunt, every URL: the check runs them side by side as a user's hunt would.
    run =
        web.node.ghosthunt(
            "check",
            "-f",
            web.node
                .file(
                    "hunt.yaml",
                    Hunts.hunt(
                        "h2",
                        """
        checks:
          http2:
            urls: ["%1$s/health", "%1$s/reset", "%1$s/ok", "http://%2$s/health", "http://%2$s:8080/health",
                   "http://%2$s:8081/health", "http://%3$s/health"]
            insecureSkipTlsVerify: true
        """
                            .formatted(BASE, WebLab.WEB, NOBODY)))
                .toString(),
            "-o",
            "json");
  }

  @AfterAll
  static void cleanUp() {
    lab.close();
  }

  /** On the web segment, on no host: the node's ARP for it gets no answer. */
  static final String NOBODY = "192.0.2.81";

  @Test
  void aHostWithNoRouteIsAskedOnceAndIsNoQuirk() {
    Finding f = Hunts.finding(run, CheckKey.HTTP2, "http://" + NOBODY + "/health");
    assertEquals(FindingVerdict.Inconclusive, f.getVerdict(), f.getSummary());
    assertTrue(
        f.getEvidence().get("HTTP/2").startsWith("failed: connect: No route to host"),
        f.getEvidence().toString());
    // The same address would keep HTTP/1.1 waiting for the same ARP answer: not asked.
    assertTrue(
        f.getEvidence()
            .get("HTTP/1.1")
            .startsWith("failed: not tried: HTTP/2's connection found no route to the host"),
        f.getEvidence().toString());
    assertTrue(
        f.getSummary()
            .startsWith(
                "http://"
                    + NOBODY
                    + "/health cannot be reached: HTTP/2's connection found no route to the host"
                    + " (connect: No route to host), so HTTP/1.1"),
        f.getSummary());
  }

  @Test
  void aServerAnswering500OnlyOverHttp2IsTheQuirk() {
    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.HTTP2, BASE + "/health");
    assertEquals(FindingVerdict.Ghost, f.getVerdict());
    assertEquals(GhostName.Http2Quirk, f.getGhost());
    assertEquals(BASE + "/health answers 200 over HTTP/1.1 but HTTP/2 answers 500", f.getSummary());
    assertTrue(f.getEvidence().get("HTTP/2").startsWith("500, h2, "), f.getEvidence().toString());
    assertTrue(
        f.getEvidence().get("HTTP/1.1").startsWith("200, http/1.1, "), f.getEvidence().toString());
    assertEquals("ALPN offering h2, http/1.1", f.getEvidence().get("negotiation"));
    assertTrue(
        f.getEvidence()
            .get("tls")
            .matches("TLSv1\\.[23] CN=app\\.example\\.test \\(certificate not verified\\)"),
        f.getEvidence().toString());
    assertTrue(
        f.getRemediation().contains("curl -sv --http2 -k " + BASE + "/health"), f.getRemediation());
  }

  @Test
  void aResetHttp2StreamIsTheQuirkWithItsFrame() {
    Finding f = Hunts.finding(run, CheckKey.HTTP2, BASE + "/reset");
    assertEquals(GhostName.Http2Quirk, f.getGhost());
    assertTrue(
        f.getSummary()
            .startsWith(BASE + "/reset answers 200 over HTTP/1.1 but HTTP/2 fails: RST_STREAM"),
        f.getSummary());
    // The request failed, the negotiation did not: the reset came in an HTTP/2 frame.
    assertTrue(
        f.getEvidence().get("HTTP/2").matches("failed: RST_STREAM \\S+, h2, \\d+ ms"),
        f.getEvidence().toString());
  }

  @Test
  void cleanTwinBothProtocolsAnswer200() {
    Finding f = Hunts.finding(run, CheckKey.HTTP2, BASE + "/ok");
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary());
    assertNull(f.getGhost());
    assertEquals(BASE + "/ok answers 200 over HTTP/2 and 200 over HTTP/1.1", f.getSummary());
  }

  @Test
  void oneFailedHttp2AttemptIsConfirmedBeforeAGhostHuntAfterHunt() {
    web.resetEveryFifthConnection(8443);
    String url = "https://" + WebLab.WEB + ":8443/ok";
    List<String> confirmed = new java.util.ArrayList<>();
    // Hunt after hunt: the refused connection falls on a different attempt each time.
    for (int i = 0; i < 6; i++) {
      LabHost.Run flaky =
          web.node.ghosthunt(
              "check",
              "-f",
              web.node
                  .file(
                      "flaky.yaml",
                      Hunts.hunt(
                          "flaky",
                          """
          checks:
            http2:
              urls: ["%s"]
              insecureSkipTlsVerify: true
          """
                              .formatted(url)))
                  .toString(),
              "-o",
              "json");
      Finding f = Hunts.finding(flaky, CheckKey.HTTP2, url);
      assertTrue(f.getVerdict() != FindingVerdict.Ghost, f.getSummary() + " " + f.getEvidence());
      if (f.getEvidence().containsKey("HTTP/2 again")) {
        // The first HTTP/2 attempt was refused; the second answered (Clear), or the refusal moved
        // to
        // another attempt (Inconclusive, flaky): never the quirk.
        assertTrue(
            f.getEvidence().get("HTTP/2").startsWith("failed: "), f.getEvidence().toString());
        assertTrue(
            f.getSummary().endsWith("did not repeat, so it is no HTTP/2 quirk")
                || f.getSummary().endsWith("flaky, not an HTTP/2 quirk"),
            f.getSummary());
        confirmed.add(f.getVerdict() + ": " + f.getSummary());
      }
    }
    assertTrue(
        confirmed.stream().anyMatch(c -> c.startsWith("Clear: ")),
        "no hunt met a refused HTTP/2 connection: " + confirmed);
    assertTrue(
        !web.web.sh("nft list chain inet ghflaky input").contains("packets 0 "),
        "nothing was refused");
  }

  @Test
  void aRealQuirkIsConfirmedBySecondAttempts() {
    Finding f = Hunts.finding(run, CheckKey.HTTP2, BASE + "/health");
    assertTrue(
        f.getEvidence().get("HTTP/2 again").startsWith("500, h2, "), f.getEvidence().toString());
    assertTrue(
        f.getEvidence().get("HTTP/1.1 again").startsWith("200, http/1.1, "),
        f.getEvidence().toString());
  }

  @Test
  void aPlainPortWithoutH2cIsNotAQuirk() {
    Finding f = Hunts.finding(run, CheckKey.HTTP2, "http://" + WebLab.WEB + "/health");
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary() + f.getEvidence());
    assertTrue(
        f.getSummary()
            .endsWith(
                "does not offer HTTP/2 (no h2c on this port), so no client can hit an HTTP/2 path"),
        f.getSummary());
    assertTrue(
        f.getEvidence()
            .get("HTTP/2")
            .startsWith("failed: no HTTP/2: the server answers the h2 preface in HTTP/1 ("),
        f.getEvidence().toString());
  }

  @Test
  void aServerClosingOnThePrefaceIsSeenSoHoweverTheCloseReachesUs() throws Exception {
    // Closed at once with the preface unread, the connection is reset: the client's write breaks
    // the pipe or its read is reset, depending on timing. Read whole and closed, the read ends.
    CheckContext context = new CheckContext("n", java.time.Instant.now().plusSeconds(30));
    for (boolean reset : new boolean[] {true, false}) {
      try (java.net.ServerSocket server =
          new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
        Thread closer =
            new Thread(
                () -> {
                  while (!server.isClosed()) {
                    try (java.net.Socket c = server.accept()) {
                      if (reset) {
                        c.setSoLinger(true, 0);
                        c.getInputStream().read();
                      } else {
                        c.getInputStream().readNBytes(33);
                      }
                    } catch (java.io.IOException e) {
                      return;
                    }
                  }
                });
        closer.start();
        for (int i = 0; i < 20; i++) {
          assertEquals(
              Http2Check.CLOSES_ON_PREFACE,
              Http2Check.answerToPreface("127.0.0.1", server.getLocalPort(), context),
              (reset ? "reset" : "closed") + ", attempt " + i);
        }
      }
    }
  }

  @Test
  void aPlainServerThatClosesSilentlyOnTheH2PrefaceHasNoH2cAndNoQuirk() {
    Finding f = Hunts.finding(run, CheckKey.HTTP2, "http://" + WebLab.WEB + ":8081/health");
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary() + f.getEvidence());
    assertTrue(
        f.getSummary().endsWith("(no h2c on this port), so no client can hit an HTTP/2 path"),
        f.getSummary());
    assertTrue(
        f.getEvidence()
            .get("HTTP/2")
            .startsWith(
                "failed: no HTTP/2: the server closes the connection on the h2"
                    + " preface without a word ("),
        f.getEvidence().toString());
  }

  @Test
  void anH2cOnlyPortWhoseHttp2PathFailsIsInconclusive() {
    Finding f = Hunts.finding(run, CheckKey.HTTP2, "http://" + WebLab.WEB + ":8080/health");
    assertEquals(FindingVerdict.Inconclusive, f.getVerdict(), f.getSummary());
    assertEquals("h2c prior knowledge", f.getEvidence().get("negotiation"));
    assertTrue(
        f.getEvidence().get("HTTP/2").startsWith("500, h2_prior_knowledge, "),
        f.getEvidence().toString());
  }

  @Test
  void aCaBundleMakesThePrivateCertificateTrustedAndTheQuirkIsStillFound() {
    LabHost.Run verified =
        web.node.ghosthunt(
            "check",
            "-f",
            web.node
                .file(
                    "ca.yaml",
                    Hunts.hunt(
                        "ca",
                        "checks:\n  http2: {urls: [\""
                            + BASE
                            + "/health\", \""
                            + BASE
                            + "/ok\"], caBundleConfigMap: {name: web-ca}}\n"))
                .toString(),
            "--ca-file",
            web.cert.toString(),
            "-o",
            "json");

    assertEquals(1, verified.exitCode(), verified.stdout() + verified.stderr());
    Finding f = Hunts.finding(verified, CheckKey.HTTP2, BASE + "/health");
    assertEquals(GhostName.Http2Quirk, f.getGhost(), f.getSummary());
    assertTrue(
        f.getEvidence().get("tls").matches("TLSv1\\.[23] CN=app\\.example\\.test"),
        f.getEvidence().toString());
    assertEquals(
        "the system trust store + 1 CA certificate from ConfigMap web-ca/ca.crt",
        f.getEvidence().get("trust"));
    assertEquals(
        FindingVerdict.Clear, Hunts.finding(verified, CheckKey.HTTP2, BASE + "/ok").getVerdict());

    LabHost.Run noFile =
        web.node.ghosthunt(
            "check",
            "-f",
            web.node
                .file(
                    "ca.yaml",
                    Hunts.hunt(
                        "ca",
                        "checks:\n  http2: {urls: [\""
                            + BASE
                            + "/ok\"], caBundleConfigMap: {name: web-ca}}\n"))
                .toString(),
            "-o",
            "json");
    Finding e = Hunts.finding(noFile, CheckKey.HTTP2, BASE + "/ok");
    assertEquals(FindingVerdict.Error, e.getVerdict());
    assertTrue(
        e.getSummary()
            .startsWith(
                "cannot use the CA bundle web-ca/ca.crt: ConfigMap web-ca is read by the in-cluster agent;"
                    + " locally, pass its content with --ca-file FILE"),
        e.getSummary());
  }

  @Test
  void withoutSkippingVerificationASelfSignedCertificateFailsBothWithTheTlsReason() {
    LabHost.Run strict =
        web.node.ghosthunt(
            "check",
            "-f",
            web.node
                .file(
                    "strict.yaml",
                    Hunts.hunt("strict", "checks:\n  http2: {urls: [\"" + BASE + "/ok\"]}\n"))
                .toString(),
            "-o",
            "json");
    Finding f = Hunts.finding(strict, CheckKey.HTTP2, BASE + "/ok");
    assertEquals(FindingVerdict.Inconclusive, f.getVerdict());
    assertTrue(
        f.getEvidence().get("HTTP/2").startsWith("failed: TLS: PKIX path building failed"),
        f.getEvidence().toString());
  }
}
