package io.ghosthunt.api.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The probe's side of the report bounds: an honest entry fits, whatever it found. */
class ReportBoundsTest {

  private static Finding finding(CheckKey check, String target, FindingVerdict verdict) {
    Finding f = new Finding(check, target, verdict);
    if (verdict == FindingVerdict.Ghost) {
      f.setGhost(GhostName.OrphanedPort);
    }
    f.setSummary("summary of " + target);
    f.setRemediation("remediation of " + target);
    for (int i = 0; i < ReportBounds.MAX_EVIDENCE_ENTRIES; i++) {
      f.evidence("key" + i, "x".repeat(ReportBounds.MAX_EVIDENCE_VALUE));
    }
    return f;
  }

  @Test
  void clipCountsCodePointsAndNeverSplitsOne() {
    assertEquals("abc", ReportBounds.clip("abc", 3));
    assertEquals("ab…", ReportBounds.clip("abcd", 3));
    assertNull(ReportBounds.clip(null, 3));
    // Two code points of two UTF-16 units each: within a bound of 2 as the API server counts.
    String faces = "\uD83D\uDC7B\uD83D\uDC7B";
    assertEquals(faces, ReportBounds.clip(faces, 2));
    assertEquals("\uD83D\uDC7B…", ReportBounds.clip(faces + "\uD83D\uDC7B", 2));
  }

  @Test
  void evidenceKeysAndValuesAreCutWhenAdded() {
    Finding f = new Finding(CheckKey.DNS, "app.example.com", FindingVerdict.Inconclusive);
    f.evidence("authority " + "n".repeat(300), "v".repeat(600));
    String key = f.getEvidence().keySet().iterator().next();
    assertEquals(ReportBounds.MAX_EVIDENCE_KEY, key.length());
    assertTrue(key.endsWith("…"));
    assertEquals(ReportBounds.MAX_EVIDENCE_VALUE, f.getEvidence().get(key).length());
  }

  @Test
  void anEntryWithinItsBoundsIsLeftAsItIs() {
    NodeStatus entry = new NodeStatus("node-a", NodePhase.Done);
    entry.addFinding(finding(CheckKey.PORT_OWNER, "tcp/8080", FindingVerdict.Ghost));
    entry.addFinding(new Finding(CheckKey.DNS, "app.example.com", FindingVerdict.Clear));
    List<Finding> before = new ArrayList<>(entry.getFindings());
    assertEquals(0, ReportBounds.fit(entry));
    assertEquals(before, entry.getFindings());
  }

  @Test
  void theLargestLegitimateTargetsFitWithRoomForText() {
    // 64 targets for each of the seven checks, each as long as the spec allows, and the DHCP one.
    List<Finding> all = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      String n = String.format("%02d", i);
      all.add(target(CheckKey.HTTP2, "https://" + n + "x".repeat(2048 - 10)));
      all.add(target(CheckKey.DNS, n + "d".repeat(251)));
      all.add(target(CheckKey.MTU, n + "m".repeat(251)));
      all.add(target(CheckKey.ASYMMETRIC_ROUTE, n + "a".repeat(251)));
      all.add(target(CheckKey.DUPLICATE_IP, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255." + n));
      all.add(target(CheckKey.PORT_OWNER, "tcp/655" + n));
      all.add(target(CheckKey.LOOPBACK, "localhost:655" + n));
    }
    all.add(target(CheckKey.DUPLICATE_IP, "dhcp on " + "i".repeat(15)));
    assertEquals(449, all.size());
    assertTrue(all.size() <= ReportBounds.MAX_FINDINGS);
    long targets = ReportBounds.text(all);
    assertTrue(targets <= 184_087, "targets: " + targets);
    assertTrue(ReportBounds.MAX_FINDINGS_TEXT - targets >= 12_000);
  }

  private static Finding target(CheckKey check, String target) {
    return new Finding(check, target, FindingVerdict.Clear);
  }

  @Test
  void overTheTextBoundTheLeastTellingFindingsLoseTheirEvidenceFirst() {
    NodeStatus entry = new NodeStatus("node-a", NodePhase.Done);
    // 449 findings with full evidence: 449 x 32 x ~517 characters, far over the bound.
    for (int i = 0; i < 449; i++) {
      FindingVerdict v =
          i % 3 == 0
              ? FindingVerdict.Ghost
              : i % 3 == 1 ? FindingVerdict.Inconclusive : FindingVerdict.Error;
      entry.addFinding(finding(CheckKey.PORT_OWNER, "tcp/" + (1000 + i), v));
    }
    int cut = ReportBounds.fit(entry);
    assertEquals(449, entry.getFindings().size());
    assertTrue(cut > 0);
    assertTrue(ReportBounds.text(entry.getFindings()) <= ReportBounds.MAX_FINDINGS_TEXT);
    // Errors lose their evidence before anything Inconclusive does, and ghosts come last.
    assertTrue(
        entry.getFindings().stream()
            .filter(f -> f.getVerdict() == FindingVerdict.Error)
            .allMatch(f -> f.getEvidence() == null));
    Finding firstGhost = entry.getFindings().get(0);
    assertNotNull(firstGhost.getEvidence());
    assertNotNull(firstGhost.getSummary());
    assertNotNull(firstGhost.getRemediation());
    // Targets are never cut: the operator matches them against the hunt.
    assertEquals("tcp/1448", entry.getFindings().get(448).getTarget());
  }

  @Test
  void beyondTheFindingsBoundClearOnesGoFirst() {
    NodeStatus entry = new NodeStatus("node-a", NodePhase.Done);
    for (int i = 0; i < 600; i++) {
      entry.addFinding(new Finding(CheckKey.DUPLICATE_IP, "192.0.2." + i, FindingVerdict.Clear));
    }
    Finding ghost = new Finding(CheckKey.DUPLICATE_IP, "198.51.100.7", FindingVerdict.Ghost);
    ghost.setGhost(GhostName.DuplicateIp);
    entry.addFinding(ghost);
    ReportBounds.fit(entry);
    assertEquals(ReportBounds.MAX_FINDINGS, entry.getFindings().size());
    assertEquals(ghost, entry.getFindings().get(ReportBounds.MAX_FINDINGS - 1));
    assertEquals("192.0.2.0", entry.getFindings().get(0).getTarget());
  }

  @Test
  void everyStringIsCutToItsBound() {
    NodeStatus entry = new NodeStatus("node-a", NodePhase.Failed);
    entry.setMessage("m".repeat(10_000));
    Finding f = new Finding(CheckKey.HTTP2, "https://" + "u".repeat(3000), FindingVerdict.Error);
    f.setSummary("s".repeat(3000));
    f.setRemediation("r".repeat(3000));
    entry.addFinding(f);
    assertEquals(1, ReportBounds.fit(entry));
    assertEquals(ReportBounds.MAX_MESSAGE, entry.getMessage().length());
    Finding cut = entry.getFindings().get(0);
    assertEquals(ReportBounds.MAX_TARGET, cut.getTarget().length());
    assertEquals(ReportBounds.MAX_SUMMARY, cut.getSummary().length());
    assertEquals(ReportBounds.MAX_REMEDIATION, cut.getRemediation().length());
  }

  /** A string of {@code n} characters that JSON writes in 6 bytes each ({@code \\u0001}). */
  private static String worst(int n) {
    return "\u0001".repeat(n);
  }

  @Test
  void theWorstCaseReportIsWellUnderWhatEtcdTakesInOneWrite() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    assertEquals(8, json.writeValueAsBytes(worst(1)).length, "a quoted control character");
    // Every field at its longest but the free text, which the CRD bounds in total, not per field.
    GhostHuntReportStatus status = new GhostHuntReportStatus();
    status.setPhase(NodePhase.Unreachable);
    status.setVerdict(HuntVerdict.Inconclusive);
    status.setGhosts(ReportBounds.MAX_FINDINGS);
    status.setMessage(worst(ReportBounds.MAX_MESSAGE));
    status.setFinishedAt(worst(ReportBounds.MAX_TIME));
    ProbeTimeline timeline = new ProbeTimeline();
    timeline.setProcessStartedAt(worst(ReportBounds.MAX_TIME));
    timeline.setChecksStartedAt(worst(ReportBounds.MAX_TIME));
    timeline.setChecksFinishedAt(worst(ReportBounds.MAX_TIME));
    status.setTimeline(timeline);
    List<Finding> findings = new ArrayList<>();
    for (int i = 0; i < ReportBounds.MAX_FINDINGS; i++) {
      Finding f = new Finding(CheckKey.ASYMMETRIC_ROUTE, "", FindingVerdict.Inconclusive);
      f.setGhost(GhostName.AsymmetricRoute);
      f.setSummary("");
      f.setRemediation("");
      f.setEvidence(new java.util.LinkedHashMap<>());
      f.setDurationMs(Long.MIN_VALUE);
      findings.add(f);
    }
    status.setFindings(findings);
    long skeleton = json.writeValueAsBytes(status).length;
    // Each evidence entry adds "":"", around its key and value; the text is 6 bytes a character.
    long entries = (long) ReportBounds.MAX_FINDINGS * ReportBounds.MAX_EVIDENCE_ENTRIES * 6;
    long text = 6L * ReportBounds.MAX_FINDINGS_TEXT;
    io.ghosthunt.api.spec.GhostHuntReportSpec spec =
        new io.ghosthunt.api.spec.GhostHuntReportSpec(
            worst(ReportBounds.MAX_NAME),
            worst(ReportBounds.MAX_NAME),
            worst(ReportBounds.MAX_NAME),
            worst(ReportBounds.MAX_UID),
            Long.MIN_VALUE);
    long specBytes = json.writeValueAsBytes(spec).length;
    // name, namespace, uid, labels (63-character values), owner reference, managed fields.
    long metadata = 12 * 1024;
    long total = skeleton + entries + text + specBytes + metadata;
    long etcd = 1536 * 1024;
    System.out.printf(
        "worst-case report: status skeleton %d + evidence entries %d + text %d + spec %d +"
            + " metadata %d = %d bytes (%.2f MiB) of %d%n",
        skeleton, entries, text, specBytes, metadata, total, total / 1048576.0, etcd);
    assertTrue(total < etcd - 100 * 1024, total + " bytes leave less than 100 KiB to spare");
  }
}
