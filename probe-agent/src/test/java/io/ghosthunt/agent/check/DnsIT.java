package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.lab.DnsLab;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Site loads the wrong server: a resolver cache, a hosts-file line and a negative cache outliving a
 * migration, told from an authority that answers by who asks or rotates a pool.
 */
class DnsIT {

  private Lab lab;
  private DnsLab dns;

  @BeforeEach
  void lab() {
    lab = new Lab();
    dns = new DnsLab(lab);
  }

  @AfterEach
  void cleanUp() {
    lab.close();
  }

  private LabHost.Run hunt(String spec) {
    return dns.node.ghosthunt(
        "check",
        "-f",
        dns.node.file("hunt.yaml", Hunts.hunt("dns", spec)).toString(),
        "-o",
        "json");
  }

  private static final String WITH_AUTHORITY =
      """
      checks:
        dns: {names: [app.example.test, www.example.test], authorities: ["192.0.2.54"]}
      """;

  @Test
  void aResolverStillServingThePreMigrationAnswerIsNamedWithItsTtlAndFlush() {
    dns.prime("app.example.test", "www.example.test");
    dns.migrate();

    LabHost.Run run = hunt(WITH_AUTHORITY);

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding app = Hunts.finding(run, CheckKey.DNS, "app.example.test");
    assertEquals(FindingVerdict.Ghost, app.getVerdict());
    assertEquals(GhostName.StaleDns, app.getGhost());
    assertTrue(
        app.getSummary()
            .startsWith(
                "the node resolves app.example.test to "
                    + DnsLab.OLD
                    + " from resolver 192.0.2.53 (first in /etc/resolv.conf) (cached, "),
        app.getSummary());
    assertTrue(app.getSummary().endsWith("but 192.0.2.54 answers " + DnsLab.NEW), app.getSummary());
    long ttl = Long.parseLong(app.getSummary().replaceAll(".*cached, (\\d+) s left.*", "$1"));
    assertTrue(ttl > DnsLab.TTL - 60 && ttl <= DnsLab.TTL, app.getSummary());
    assertTrue(
        app.getEvidence().get("resolver 192.0.2.53").startsWith(DnsLab.OLD + ", TTL "),
        app.getEvidence().toString());
    assertEquals(DnsLab.NEW, app.getEvidence().get("authority 192.0.2.54"));
    assertTrue(
        app.getRemediation()
            .startsWith(
                "flush app.example.test on resolver 192.0.2.53 (unbound: unbound-control flush app.example.test"),
        app.getRemediation());

    Finding www = Hunts.finding(run, CheckKey.DNS, "www.example.test");
    assertEquals(GhostName.StaleDns, www.getGhost(), www.getSummary() + www.getEvidence());
    assertTrue(
        www.getEvidence()
            .get("resolver 192.0.2.53")
            .startsWith(DnsLab.OLD + " via www.example.test → app.example.test, TTL "),
        www.getEvidence().toString());
    assertEquals(
        DnsLab.NEW + " via www.example.test → app.example.test",
        www.getEvidence().get("authority 192.0.2.54"));
  }

  @Test
  void cleanTwinAResolverThatCachedNothingFollowsTheMigration() {
    dns.migrate();

    LabHost.Run run = hunt(WITH_AUTHORITY);

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    for (String name : new String[] {"app.example.test", "www.example.test"}) {
      Finding f = Hunts.finding(run, CheckKey.DNS, name);
      assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary());
      assertNull(f.getGhost());
      assertTrue(
          f.getSummary()
              .startsWith(name + " resolves to " + DnsLab.NEW + " from resolver 192.0.2.53"),
          f.getSummary());
    }
  }

  @Test
  void withoutNamedAuthoritiesTheZonesNsServersAreFoundAndAsked() {
    dns.prime("app.example.test");
    dns.migrate();

    LabHost.Run run = hunt("target: http://app.example.test/\nsymptom: WrongServer\n");

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DNS, "app.example.test");
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertEquals(
        DnsLab.NEW,
        f.getEvidence().get("authority ns1.example.test (192.0.2.54)"),
        f.getEvidence().toString());
    assertTrue(
        f.getSummary().endsWith("but ns1.example.test (192.0.2.54) answers " + DnsLab.NEW),
        f.getSummary());
  }

  @Test
  void aHostsFileLineOutranksAHealthyResolverAndIsNamed() {
    dns.migrate();
    dns.node.hostsFile(
        "127.0.0.1 localhost\n# pinned during the migration\n"
            + DnsLab.OLD
            + " app.example.test app\n");

    LabHost.Run run = hunt(WITH_AUTHORITY);

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DNS, "app.example.test");
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertEquals("/etc/hosts line 3", f.getEvidence().get("node answer"));
    assertEquals("line 3: " + DnsLab.OLD + " app.example.test app", f.getEvidence().get("hosts"));
    assertTrue(
        f.getEvidence().get("resolver 192.0.2.53").startsWith(DnsLab.NEW),
        f.getEvidence().toString());
    assertEquals(
        "remove or correct line 3 of /etc/hosts (\"" + DnsLab.OLD + " app.example.test app\")",
        f.getRemediation());
    // The resolver is right: www (not in the hosts file) is clear.
    assertEquals(
        FindingVerdict.Clear, Hunts.finding(run, CheckKey.DNS, "www.example.test").getVerdict());
  }

  /** What the lab's unbound authority, which ignores EDNS Client Subnet, hands every subnet. */
  private static String toEveryone(String address) {
    return "192.0.2.53/32: %s (no scope); 192.0.2.10/32: %s (no scope); 198.51.100.0/24: %s (no scope)"
        .formatted(address, address, address);
  }

  private static final String SAME_TO_EVERYONE =
      "the same to everyone (3 times the same; EDNS Client Subnet ignored, the same for"
          + " 192.0.2.53/32, 192.0.2.10/32, 198.51.100.0/24)";

  @Test
  void aCachedNxdomainForANameCreatedSinceIsAStaleDnsGhostWithItsFlush() {
    dns.prime("new.example.test");
    dns.authorityData("new.example.test. 3600 IN A 203.0.113.30");

    LabHost.Run run =
        hunt("checks:\n  dns: {names: [new.example.test], authorities: [\"192.0.2.54\"]}\n");

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DNS, "new.example.test");
    // Within the zone's negative TTL, but the authority hands every subnet the new address the
    // same way every time: nothing but the cache explains the NXDOMAIN.
    assertEquals(GhostName.StaleDns, f.getGhost(), f.getSummary() + f.getEvidence());
    assertTrue(
        f.getSummary()
            .startsWith(
                "the node resolves new.example.test to NXDOMAIN from resolver 192.0.2.53 (first in"
                    + " /etc/resolv.conf) (cached, "),
        f.getSummary());
    assertTrue(
        f.getSummary()
            .endsWith(
                "s left), but 192.0.2.54 answers 203.0.113.30, "
                    + SAME_TO_EVERYONE
                    + ": the name was created since its NXDOMAIN was cached"),
        f.getSummary());
    assertTrue(
        f.getEvidence().get("resolver 192.0.2.53").startsWith("NXDOMAIN, TTL "),
        f.getEvidence().toString());
    assertEquals("203.0.113.30", f.getEvidence().get("authority 192.0.2.54"));
    assertEquals(toEveryone("203.0.113.30"), f.getEvidence().get("authorityBySubnet"));
    assertTrue(
        f.getRemediation().startsWith("flush new.example.test on resolver 192.0.2.53"),
        f.getRemediation());
  }

  @Test
  void aChangeWhoseTtlWasNotCutIsAStaleDnsGhostWithTheTtlLeftAndTheFlush() {
    dns.prime("app.example.test");
    dns.migrate(DnsLab.TTL);

    LabHost.Run run = hunt(WITH_AUTHORITY);

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DNS, "app.example.test");
    assertEquals(GhostName.StaleDns, f.getGhost(), f.getSummary() + f.getEvidence());
    assertTrue(
        f.getSummary()
            .matches(
                "the node resolves app.example.test to "
                    + DnsLab.OLD
                    + " from resolver 192.0.2.53 .first in /etc/resolv.conf. .cached, \\d+ s"
                    + " left., but 192.0.2.54 answers "
                    + DnsLab.NEW
                    + ", "
                    + SAME_TO_EVERYONE.replace("(", ".").replace(")", ".")
                    + ": the record changed in the last \\d+ s"),
        f.getSummary());
    long left = Long.parseLong(f.getSummary().replaceAll(".*cached, (\\d+) s left.*", "$1"));
    assertTrue(left > DnsLab.TTL - 60 && left <= DnsLab.TTL, f.getSummary());
    assertTrue(
        f.getRemediation()
            .startsWith(
                "flush app.example.test on resolver 192.0.2.53 (unbound: unbound-control flush"
                    + " app.example.test"),
        f.getRemediation());
    assertTrue(
        f.getRemediation().contains(" or wait " + left + " s for the cached answer to expire"),
        f.getRemediation());
    assertEquals(
        "3 times: the same answer each time, TTL 3600 s", f.getEvidence().get("authorityAsked"));
    assertEquals(toEveryone(DnsLab.NEW), f.getEvidence().get("authorityBySubnet"));
  }

  @Test
  void aGeoDnsAuthorityAnsweringTheResolverOtherwiseIsNoGhost() {
    dns.pool("geo");
    dns.prime(DnsLab.POOL_NAME);

    LabHost.Run run =
        hunt(
            "checks:\n  dns: {names: ["
                + DnsLab.POOL_NAME
                + "], authorities: [\""
                + DnsLab.POOL_AUTHORITY
                + "\"]}\n");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DNS, DnsLab.POOL_NAME);
    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary() + f.getEvidence());
    // The resolver got the pool's first two, this node gets its last two, every time.
    String resolver = f.getEvidence().get("resolver 192.0.2.53");
    assertTrue(
        resolver.contains("198.51.100.31")
            && resolver.contains("198.51.100.32")
            && resolver.matches(".*, TTL (59|60) s")
            && !resolver.contains("198.51.100.35"),
        f.getEvidence().toString());
    assertEquals(
        "198.51.100.35, 198.51.100.36", f.getEvidence().get("authority " + DnsLab.POOL_AUTHORITY));
    assertEquals(
        "3 times: the same answer each time, TTL 60 s", f.getEvidence().get("authorityAsked"));
    // Asked with EDNS Client Subnet, the authority hands the resolver's address what it holds.
    assertEquals(
        "192.0.2.53/32: 198.51.100.31, 198.51.100.32 (scope /24); 192.0.2.10/32: 198.51.100.35,"
            + " 198.51.100.36 (scope /24); 198.51.100.0/24: 198.51.100.31, 198.51.100.32 (scope"
            + " /24)",
        f.getEvidence().get("authorityBySubnet"));
    assertTrue(
        f.getSummary()
            .endsWith(
                "but the authority answers by who asks (EDNS Client Subnet scope /24): with the"
                    + " resolver's address it hands out 198.51.100.31, 198.51.100.32, which the"
                    + " resolver holds: no ghost"),
        f.getSummary());
  }

  @Test
  void aRotatingPoolIsNoGhostHuntAfterHunt() {
    dns.pool("rotate");
    dns.prime(DnsLab.POOL_NAME);
    String spec =
        "checks:\n  dns: {names: ["
            + DnsLab.POOL_NAME
            + "], authorities: [\""
            + DnsLab.POOL_AUTHORITY
            + "\"]}\n";
    List<String> asked = new java.util.ArrayList<>();
    // The point is randomness: whatever part of the pool the authority hands this node, the
    // resolver's other part is never a ghost.
    for (int i = 0; i < 5; i++) {
      Finding f = Hunts.finding(hunt(spec), CheckKey.DNS, DnsLab.POOL_NAME);
      String said = f.getSummary() + " " + f.getEvidence();
      assertTrue(
          f.getVerdict() == FindingVerdict.Clear || f.getVerdict() == FindingVerdict.Inconclusive,
          said);
      String rounds = f.getEvidence().get("authorityAsked");
      if (rounds.startsWith("3 times: the answers varied")) {
        // Part of what it hands out, or of a pool it is seen rotating: either way no doubt.
        assertEquals(FindingVerdict.Clear, f.getVerdict(), said);
        assertNull(f.getEvidence().get("authorityBySubnet"), said);
      }
      asked.add(rounds);
    }
    assertTrue(
        asked.stream().anyMatch(a -> a.startsWith("3 times: the answers varied")),
        asked.toString());
  }

  @Test
  void expectedAddressesAreTheTruthWhenGiven() {
    LabHost.Run run =
        hunt(
            "checks:\n  dns: {names: [app.example.test], expectedAddresses: [\""
                + DnsLab.NEW
                + "\"]}\n");

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.DNS, "app.example.test");
    assertEquals(GhostName.StaleDns, f.getGhost());
    assertEquals(DnsLab.NEW, f.getEvidence().get("expected"));
    assertTrue(
        f.getSummary().startsWith("the node resolves app.example.test to " + DnsLab.OLD),
        f.getSummary());
    assertTrue(
        f.getSummary().endsWith("but the expected addresses are " + DnsLab.NEW), f.getSummary());
  }

  @Test
  void aMissingNameAndADeadAuthorityAreInconclusiveWithTheReason() {
    LabHost.Run missing =
        hunt("checks:\n  dns: {names: [gone.example.test], authorities: [\"192.0.2.54\"]}\n");
    Finding f = Hunts.finding(missing, CheckKey.DNS, "gone.example.test");
    assertEquals(FindingVerdict.Inconclusive, f.getVerdict());
    assertTrue(f.getSummary().contains("NXDOMAIN"), f.getSummary());

    LabHost.Run dead =
        hunt("checks:\n  dns: {names: [app.example.test], authorities: [\"192.0.2.99\"]}\n");
    Finding d = Hunts.finding(dead, CheckKey.DNS, "app.example.test");
    assertEquals(FindingVerdict.Inconclusive, d.getVerdict());
    assertTrue(
        d.getSummary()
            .startsWith("could not get the authority's answer for app.example.test: 192.0.2.99: "),
        d.getSummary());
    assertTrue(
        d.getSummary()
            .endsWith(
                "the node answers "
                    + DnsLab.OLD
                    + ", TTL "
                    + DnsLab.TTL
                    + " s from resolver 192.0.2.53 (first in /etc/resolv.conf)"),
        d.getSummary());
  }
}
