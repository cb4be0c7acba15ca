package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ghosthunt.agent.host.ProcessTable;
import io.ghosthunt.agent.host.SocketTable;
import io.ghosthunt.api.HuntResolver;
import io.ghosthunt.api.ResolvedHunt;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.GhostHuntSpec;
import io.ghosthunt.api.spec.PortOwnerSpec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.NodeStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * portOwner on a /proc and /proc/net written by the test (no root, no real process): a squatter
 * whose command line carries secrets comes out of the runner with its PID, its program and its
 * flags, without the secrets.
 */
class PortOwnerCheckTest {

  private static final List<String> SECRETS = List.of("hunter2", "s3cr3t-abc", ":p@", "zzz");

  @Test
  void aSquattersCommandLineLeavesTheProbeRedacted(@TempDir Path root) throws Exception {
    NodeStatus node =
        hunt(
            root,
            "postgres",
            "--db-password=hunter2",
            "--token",
            "s3cr3t-abc",
            "postgres://u:p@h/db",
            "-Dapi.key=zzz");

    Finding f = node.getFindings().get(0);
    assertEquals(FindingVerdict.Ghost, f.getVerdict(), f.toString());
    assertEquals("4242", f.getEvidence().get("pid"));
    assertEquals("postgres", f.getEvidence().get("process"));
    assertEquals(
        "postgres --db-password=*** --token *** postgres://***@h/db -Dapi.key=***",
        f.getEvidence().get("command"));
    assertTrue(
        f.getSummary().startsWith("port 8080 is held by PID 4242 (postgres "), f.getSummary());
    String all = new ObjectMapper().writeValueAsString(node);
    for (String secret : SECRETS) {
      assertFalse(all.contains(secret), secret + " in " + all);
    }
  }

  @Test
  void aCommandLongerThanTheEvidenceBoundLeavesNoPartOfASecret(@TempDir Path root)
      throws Exception {
    // Cut to 512 characters before it is redacted, this command would end in "u:hunter…".
    String padding = "--opt=" + "x".repeat(478);
    NodeStatus node = hunt(root, "worker", padding, "postgres://u:hunter2secret@h/db");

    String command = node.getFindings().get(0).getEvidence().get("command");
    assertTrue(command.endsWith("postgres://***@h/db"), command);
    assertFalse(new ObjectMapper().writeValueAsString(node).contains("hunter"));
  }

  /** Port 8080 held by PID 4242 running {@code argv}, hunted for java. */
  private static NodeStatus hunt(Path root, String... argv) throws Exception {
    Path procNet = Files.createDirectories(root.resolve("net"));
    Files.writeString(
        procNet.resolve("tcp"),
        """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7001 1 0000000036e2c97f 100 0 0 10 0
        """);
    Path proc = Files.createDirectories(root.resolve("proc"));
    Files.writeString(proc.resolve("stat"), "btime 1700000000\n");
    Path pid = Files.createDirectories(proc.resolve("4242"));
    Files.createSymbolicLink(
        Files.createDirectories(pid.resolve("fd")).resolve("3"), Path.of("socket:[7001]"));
    Files.writeString(
        pid.resolve("stat"),
        "4242 (" + argv[0] + ") S 1 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0");
    Files.write(
        pid.resolve("cmdline"), (String.join("\0", argv) + "\0").getBytes(StandardCharsets.UTF_8));
    Files.writeString(pid.resolve("cgroup"), "0::/system.slice/" + argv[0] + ".service\n");

    PortOwnerSpec portOwner = new PortOwnerSpec();
    portOwner.setPorts(List.of(8080));
    portOwner.setExpectedProcess("java");
    ChecksSpec checks = new ChecksSpec();
    checks.setPortOwner(portOwner);
    GhostHuntSpec spec = new GhostHuntSpec();
    spec.setChecks(checks);
    ResolvedHunt hunt = HuntResolver.resolve(spec);

    return new CheckRunner(
            List.of(new PortOwnerCheck(new SocketTable(procNet), new ProcessTable(proc))))
        .run(hunt, "node-a", Duration.ofSeconds(10));
  }
}
