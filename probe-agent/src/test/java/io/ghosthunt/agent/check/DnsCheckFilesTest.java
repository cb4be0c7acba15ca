package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.host.DnsClient;
import io.ghosthunt.agent.host.ForeignRoot;
import io.ghosthunt.agent.host.HostsFile;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.DnsSpec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's resolv.conf and hosts file read where their links lead on the node, and named; one
 * that cannot be read is said, never replaced by the probe's own. No resolver is asked: the hosts
 * file answers and the expected addresses are the truth.
 */
class DnsCheckFilesTest {

  static final String NAME = "app.example.test";
  static final String STUB =
      "/etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf"
          + " = /run/systemd/resolve/stub-resolv.conf";

  @TempDir Path host;

  @BeforeEach
  void aNode() throws Exception {
    Files.createDirectories(host.resolve("etc"));
    Files.createDirectories(host.resolve("run/systemd/resolve"));
    Files.writeString(host.resolve("etc/hosts"), "203.0.113.10 " + NAME + "\n");
    // No nameserver line: the check asks no resolver in a unit test.
    Files.writeString(host.resolve("run/systemd/resolve/stub-resolv.conf"), "search test\n");
  }

  private Finding hunt(ForeignRoot root) throws Exception {
    DnsSpec dns = new DnsSpec();
    dns.setNames(List.of(NAME));
    dns.setExpectedAddresses(List.of("203.0.113.10"));
    ChecksSpec checks = new ChecksSpec();
    checks.setDns(dns);
    DnsCheck check =
        new DnsCheck(new HostsFile(root, "/etc/hosts"), root, "/etc/resolv.conf", new DnsClient());
    List<Finding> findings =
        check.run(checks, new CheckContext("node-a", Instant.now().plusSeconds(5)));
    assertEquals(1, findings.size());
    return findings.get(0);
  }

  private ForeignRoot node() {
    return ForeignRoot.partial(host, List.of("/etc", "/run/systemd/resolve"));
  }

  @Test
  void aPlainResolvConfReadsAsBefore() throws Exception {
    Files.writeString(host.resolve("etc/resolv.conf"), "search test\n");
    Finding f = hunt(node());
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary());
    assertEquals(
        // The node's own path, which its user edits, not the probe's mount of it.
        NAME + " resolves to 203.0.113.10 from /etc/hosts line 1, as expected", f.getSummary());
    assertFalse(f.getEvidence().containsKey("resolvConf"), f.getEvidence().toString());
    assertFalse(f.getEvidence().containsKey("hostsFile"), f.getEvidence().toString());
  }

  @Test
  void aResolvConfLinkedIntoSystemdResolvedIsReadThereAndNamed() throws Exception {
    Files.createSymbolicLink(
        host.resolve("etc/resolv.conf"), Path.of("../run/systemd/resolve/stub-resolv.conf"));
    Finding f = hunt(node());
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary());
    assertEquals(STUB, f.getEvidence().get("resolvConf"));
  }

  @Test
  void aResolvConfLinkTheProbeCannotFollowIsSaidNotReplaced() throws Exception {
    Files.createSymbolicLink(
        host.resolve("etc/resolv.conf"), Path.of("/run/NetworkManager/resolv.conf"));
    Finding f = hunt(node());
    String why =
        "cannot read /etc/resolv.conf -> /run/NetworkManager/resolv.conf = /run/NetworkManager:"
            + " /run/NetworkManager is not mounted in the probe (under "
            + host
            + " it sees only /etc, /run/systemd/resolve)";
    assertEquals(FindingVerdict.Inconclusive, f.getVerdict(), "the resolvers were not seen");
    assertTrue(
        f.getSummary().endsWith("; " + why + ", so its resolvers were not asked"), f.getSummary());
    assertEquals(why, f.getEvidence().get("resolvConf"));
  }

  @Test
  void aDanglingHostsLinkIsSaidWithTheResolvConfsAbsence() throws Exception {
    Files.delete(host.resolve("etc/hosts"));
    Files.createSymbolicLink(host.resolve("etc/hosts"), Path.of("hosts.d/current"));
    Finding f = hunt(node());
    assertEquals(FindingVerdict.Inconclusive, f.getVerdict());
    String why =
        "cannot read /etc/hosts -> hosts.d/current = /etc/hosts.d: /etc/hosts.d does not exist";
    assertTrue(
        f.getSummary()
            .equals(
                "the node cannot resolve "
                    + NAME
                    + ": no resolver in /etc/resolv.conf and no hosts-file line; "
                    + why
                    + ", so its hosts-file lines were not read"),
        f.getSummary());
    assertEquals(why, f.getEvidence().get("hostsFile"));
  }
}
