package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.HuntResolver;
import io.ghosthunt.api.ResolvedHunt;
import io.ghosthunt.api.spec.GhostHuntSpec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The runner's contract, with stand-in checks (pure logic: parallelism, bounds, errors). */
class CheckRunnerTest {

  private static ResolvedHunt hunt() throws Exception {
    GhostHuntSpec spec = new GhostHuntSpec();
    spec.setTarget("http://app.example.com:8080/");
    return HuntResolver.resolve(spec);
  }

  private static Check check(CheckKey key, CheckBody body) {
    return new Check() {
      @Override
      public CheckKey key() {
        return key;
      }

      @Override
      public List<Finding> run(io.ghosthunt.api.spec.ChecksSpec checks, CheckContext context)
          throws Exception {
        return body.run();
      }
    };
  }

  private interface CheckBody {
    List<Finding> run() throws Exception;
  }

  @Test
  void checksRunInParallel() throws Exception {
    CountDownLatch bothStarted = new CountDownLatch(2);
    CheckBody waitForTheOther =
        () -> {
          bothStarted.countDown();
          // Only returns Clear when the other check runs at the same time.
          boolean together = bothStarted.await(5, TimeUnit.SECONDS);
          return List.of(
              new Finding(
                  CheckKey.PORT_OWNER,
                  "x",
                  together ? FindingVerdict.Clear : FindingVerdict.Error));
        };
    NodeStatus node =
        new CheckRunner(
                List.of(
                    check(CheckKey.PORT_OWNER, waitForTheOther),
                    check(CheckKey.LOOPBACK, waitForTheOther)))
            .run(hunt(), "n", Duration.ofSeconds(10));
    assertEquals(NodePhase.Done, node.getPhase());
    assertTrue(
        node.getFindings().stream()
            .filter(f -> f.getCheck() == CheckKey.PORT_OWNER)
            .allMatch(f -> f.getVerdict() == FindingVerdict.Clear),
        node.getFindings().toString());
  }

  @Test
  void aHangingCheckBecomesAnErrorAtTheDeadlineAndTheOthersStillReport() throws Exception {
    CheckBody hang =
        () -> {
          new CountDownLatch(1).await();
          return List.of();
        };
    CheckBody fine =
        () -> List.of(new Finding(CheckKey.LOOPBACK, "localhost:8080", FindingVerdict.Clear));
    long start = System.nanoTime();
    NodeStatus node =
        new CheckRunner(List.of(check(CheckKey.PORT_OWNER, hang), check(CheckKey.LOOPBACK, fine)))
            .run(hunt(), "n", Duration.ofMillis(300));
    assertTrue(
        (System.nanoTime() - start) / 1_000_000 < 5_000, "the runner waited past the deadline");
    Finding hung =
        node.getFindings().stream()
            .filter(f -> f.getCheck() == CheckKey.PORT_OWNER)
            .findFirst()
            .orElseThrow();
    assertEquals(FindingVerdict.Error, hung.getVerdict());
    assertTrue(hung.getSummary().startsWith("timed out"), hung.getSummary());
    Finding ok =
        node.getFindings().stream()
            .filter(f -> f.getCheck() == CheckKey.LOOPBACK)
            .findFirst()
            .orElseThrow();
    assertEquals(FindingVerdict.Clear, ok.getVerdict());
    assertTrue(ok.getDurationMs() != null);
  }

  @Test
  void aThrowingCheckBecomesAnErrorWithTheReason() throws Exception {
    CheckBody boom =
        () -> {
          throw new java.nio.file.AccessDeniedException("/proc/net/tcp");
        };
    NodeStatus node =
        new CheckRunner(List.of(check(CheckKey.PORT_OWNER, boom)))
            .run(hunt(), "n", Duration.ofSeconds(5));
    Finding f =
        node.getFindings().stream()
            .filter(x -> x.getCheck() == CheckKey.PORT_OWNER)
            .findFirst()
            .orElseThrow();
    assertEquals(FindingVerdict.Error, f.getVerdict());
    assertTrue(f.getSummary().contains("AccessDeniedException: /proc/net/tcp"), f.getSummary());
  }

  @Test
  void aCheckMissingFromTheBuildSaysSo() throws Exception {
    NodeStatus node = new CheckRunner(List.of()).run(hunt(), "n", Duration.ofSeconds(5));
    Finding dns =
        node.getFindings().stream()
            .filter(f -> f.getCheck() == CheckKey.DNS)
            .findFirst()
            .orElseThrow();
    assertEquals(FindingVerdict.Error, dns.getVerdict());
    assertEquals("the dns check is not available in this build", dns.getSummary());
  }

  @Test
  void everyFindingLeavesTheRunnerRedacted() throws Exception {
    CheckBody leaky =
        () -> {
          Finding f =
              Findings.ghost(
                  CheckKey.PORT_OWNER,
                  "tcp/8080",
                  io.ghosthunt.api.status.GhostName.OrphanedPort,
                  "port 8080 is held by PID 4242 (app --token s3cr3t-abc --port=8080), not by java",
                  "kill 4242, then restart java with --db-password=hunter2 from its unit");
          f.evidence("pid", 4242)
              .evidence(
                  "command",
                  "postgres --db-password=hunter2 --token s3cr3t-abc postgres://u:p@h/db"
                      + " -Dapi.key=zzz");
          return List.of(f);
        };
    NodeStatus node =
        new CheckRunner(List.of(check(CheckKey.PORT_OWNER, leaky)))
            .run(hunt(), "n", Duration.ofSeconds(5));
    Finding f =
        node.getFindings().stream()
            .filter(x -> x.getCheck() == CheckKey.PORT_OWNER)
            .findFirst()
            .orElseThrow();
    assertEquals(
        "port 8080 is held by PID 4242 (app --token *** --port=8080), not by java", f.getSummary());
    assertEquals(
        "kill 4242, then restart java with --db-password=*** from its unit", f.getRemediation());
    assertEquals(
        "postgres --db-password=*** --token *** postgres://***@h/db -Dapi.key=***",
        f.getEvidence().get("command"));
    assertEquals("4242", f.getEvidence().get("pid"));
  }

  @Test
  void aFailureQuotingASecretIsRedactedToo() throws Exception {
    CheckBody boom =
        () -> {
          throw new java.io.IOException("cannot reach https://admin:hunter2@app.example.com/");
        };
    NodeStatus node =
        new CheckRunner(List.of(check(CheckKey.PORT_OWNER, boom)))
            .run(hunt(), "n", Duration.ofSeconds(5));
    Finding f =
        node.getFindings().stream()
            .filter(x -> x.getCheck() == CheckKey.PORT_OWNER)
            .findFirst()
            .orElseThrow();
    assertEquals(
        "the check failed: java.io.IOException: cannot reach https://***@app.example.com/",
        f.getSummary());
    Throwable logged = CheckRunner.redacted(new java.io.IOException("token=abc"));
    assertEquals("java.io.IOException: token=***", logged.getMessage());
  }
}
