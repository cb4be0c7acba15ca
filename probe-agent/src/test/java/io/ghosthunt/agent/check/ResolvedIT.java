package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import io.ghosthunt.lab.ResolvedLab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node that resolves through systemd-resolved (Debian's, unpacked into the lab): its
 * /etc/resolv.conf a link into /run, the stub on 127.0.0.53, its cache holding a pre-migration
 * answer its upstream no longer gives. {@code ghosthunt check} runs in the node's own view of its
 * files, as an agent on the node does.
 */
class ResolvedIT {

  static final String LINK =
      "/etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf"
          + " = /run/systemd/resolve/stub-resolv.conf";
  static final String STUB = "systemd-resolved 127.0.0.53";
  static final String UPSTREAM = "upstream " + ResolvedLab.UPSTREAM + " of systemd-resolved";

  private Lab lab;
  private ResolvedLab resolved;

  @BeforeEach
  void lab() {
    lab = new Lab();
    resolved = new ResolvedLab(lab, lab.host("node"));
  }

  @AfterEach
  void cleanUp() {
    lab.close();
  }

  private LabHost.Run hunt() {
    return resolved.node.ghosthunt(
        "check",
        "-f",
        resolved
            .node
            .file(
                "hunt.yaml",
                Hunts.hunt(
                    "resolved",
                    "checks:\n  dns: {names: [" + ResolvedLab.APP + ", " + ResolvedLab.DB + "]}\n"))
            .toString(),
        "-o",
        "json");
  }

  @Test
  void resolvedsOwnStaleCacheIsNamedWithItsFlushAndTheUpstreamsAnswer() {
    resolved.prime(ResolvedLab.APP, ResolvedLab.DB);
    resolved.migrate();

    LabHost.Run run = hunt();

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    Finding app = Hunts.finding(run, CheckKey.DNS, ResolvedLab.APP);
    assertEquals(FindingVerdict.Ghost, app.getVerdict(), app.getSummary());
    assertEquals(GhostName.StaleDns, app.getGhost());
    assertTrue(
        app.getSummary()
            .startsWith(
                "the node resolves "
                    + ResolvedLab.APP
                    + " to "
                    + ResolvedLab.OLD
                    + " from "
                    + STUB
                    + " (first in "),
        app.getSummary());
    assertTrue(
        app.getSummary().contains("the stale answer is systemd-resolved's own cache"),
        app.getSummary());
    assertTrue(app.getRemediation().contains("resolvectl flush-caches"), app.getRemediation());
    assertEquals(LINK, app.getEvidence().get("resolvConf"), app.getEvidence().toString());
    assertTrue(
        app.getEvidence().get(STUB).startsWith(ResolvedLab.OLD + ", TTL "),
        app.getEvidence().toString());
    assertEquals(
        ResolvedLab.NEW + ", TTL " + ResolvedLab.MIGRATED_TTL + " s",
        app.getEvidence().get(UPSTREAM),
        app.getEvidence().toString());

    // The clean twin: cached by the same resolved, unchanged at the upstream.
    Finding db = Hunts.finding(run, CheckKey.DNS, ResolvedLab.DB);
    assertEquals(FindingVerdict.Clear, db.getVerdict(), db.getSummary());
    assertEquals(LINK, db.getEvidence().get("resolvConf"));
    assertTrue(db.getSummary().contains(STUB), db.getSummary());
  }

  @Test
  void afterTheFlushTheNodeFollowsTheMigration() {
    resolved.prime(ResolvedLab.APP);
    resolved.migrate();
    resolved.flush();

    Finding app = Hunts.finding(hunt(), CheckKey.DNS, ResolvedLab.APP);

    assertEquals(FindingVerdict.Clear, app.getVerdict(), app.getSummary());
    assertTrue(
        app.getEvidence().get(STUB).startsWith(ResolvedLab.NEW + ", TTL "),
        app.getEvidence().toString());
  }
}
