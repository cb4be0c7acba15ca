package io.ghosthunt.api.status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much a probe may write into its report, and the probe's side of it: {@link #fit} brings a
 * node entry within the bounds before it is written, so that the API server, which enforces the
 * same bounds from the report CRD, never refuses an honest report.
 *
 * <p>Why these numbers: a node report holds one finding per check and target. A hunt has seven
 * checks, each with at most 64 targets (the spec's lists), and duplicateIp adds one DHCP finding: 7
 * x 64 + 1 = 449 findings at most, so {@link #MAX_FINDINGS} is 512. Per finding the agent already
 * keeps evidence to 32 entries of 512 characters; but 512 findings at their field bounds (32 x (128
 * + 512) + 3 x 2048 = 26,624 characters each) would be 13 million characters, far over the 1.5 MiB
 * etcd accepts in one write. So the text of all findings together (targets, summaries,
 * remediations, evidence keys and values) is bounded on its own, by {@link #MAX_FINDINGS_TEXT}
 * characters. Every character may take 6 bytes in the stored JSON (a control character is written
 * as a six-byte escape), and with the structure of 512 findings of 32 evidence entries each, the
 * message and the node's spec, the whole report stays under 1.4 MiB: see ReportBoundsTest for the
 * sum.
 */
public final class ReportBounds {

  /** Findings per report: 7 checks x 64 targets + the DHCP finding = 449, with room to spare. */
  public static final int MAX_FINDINGS = 512;

  /** The longest target: an http2 URL, whose spec entry is at most 2048 characters. */
  public static final int MAX_TARGET = 2048;

  public static final int MAX_SUMMARY = 2048;
  public static final int MAX_REMEDIATION = 2048;

  /** Evidence entries per finding (the agent's bound since the first release). */
  public static final int MAX_EVIDENCE_ENTRIES = 32;

  /**
   * An evidence key: short words (pid, pathMtu), or a DNS authority's name with its address; longer
   * ones are cut.
   */
  public static final int MAX_EVIDENCE_KEY = 128;

  /** An evidence value (the agent's bound since the first release). */
  public static final int MAX_EVIDENCE_VALUE = 512;

  /** Node, pod and hunt names: Kubernetes object names (DNS subdomains). */
  public static final int MAX_NAME = 253;

  /** A UID: 36 characters as the API server makes them, with room for other forms. */
  public static final int MAX_UID = 128;

  /** Why a node or its probe failed: a probe's words, or the API server's refusal of a pod. */
  public static final int MAX_MESSAGE = 4096;

  /** An RFC 3339 time. */
  public static final int MAX_TIME = 64;

  /**
   * Characters of text over all the findings of a report: targets, summaries, remediations and
   * evidence keys and values. The largest legitimate targets alone (64 URLs of 2048 characters and
   * 64 names of 253 for dns, mtu and asymmetricRoute) are 184,087 characters.
   */
  public static final int MAX_FINDINGS_TEXT = 192 * 1024;

  private static final String CUT = "…";

  private ReportBounds() {}

  /**
   * {@code text} cut to at most {@code max} characters (code points, as the API server counts them,
   * never splitting one), its last one an ellipsis when it was cut; null stays null.
   */
  public static String clip(String text, int max) {
    if (text == null || text.codePointCount(0, text.length()) <= max) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, max - 1)) + CUT;
  }

  /**
   * The characters that count against {@link #MAX_FINDINGS_TEXT}, as the CRD's rule counts them.
   */
  public static long text(Finding f) {
    long n = length(f.getTarget()) + length(f.getSummary()) + length(f.getRemediation());
    if (f.getEvidence() != null) {
      for (Map.Entry<String, String> e : f.getEvidence().entrySet()) {
        n += length(e.getKey()) + length(e.getValue());
      }
    }
    return n;
  }

  public static long text(List<Finding> findings) {
    return findings == null ? 0 : findings.stream().mapToLong(ReportBounds::text).sum();
  }

  private static long length(String s) {
    return s == null ? 0 : s.codePointCount(0, s.length());
  }

  /**
   * Brings a node entry within the bounds, in place: every string cut to its bound; beyond {@link
   * #MAX_FINDINGS}, Clear findings go first (from the last), then the others; beyond {@link
   * #MAX_FINDINGS_TEXT}, the least telling findings lose their evidence first, then their
   * remediation, then their summary (Clear before Error before Inconclusive before Ghost, the last
   * finding first). Targets are never cut further: the operator matches them against the hunt.
   *
   * @return how many findings were left out or lost text (0: the entry was within its bounds)
   */
  public static int fit(NodeStatus entry) {
    entry.setMessage(clip(entry.getMessage(), MAX_MESSAGE));
    if (entry.getFindings() == null) {
      return 0;
    }
    int changed = 0;
    List<Finding> findings = new ArrayList<>(entry.getFindings());
    while (findings.size() > MAX_FINDINGS) {
      findings.remove(leastTelling(findings).get(0).intValue());
      changed++;
    }
    for (Finding f : findings) {
      changed += clipFields(f) ? 1 : 0;
    }
    long text = text(findings);
    for (int step = 0; step < 3 && text > MAX_FINDINGS_TEXT; step++) {
      for (int i : leastTelling(findings)) {
        if (text <= MAX_FINDINGS_TEXT) {
          break;
        }
        Finding f = findings.get(i);
        long before = text(f);
        switch (step) {
          case 0 -> f.setEvidence(null);
          case 1 -> f.setRemediation(null);
          default -> f.setSummary(null);
        }
        text -= before - text(f);
        changed += before == text(f) ? 0 : 1;
      }
    }
    entry.setFindings(findings);
    return changed;
  }

  /**
   * Indexes of the findings, least telling first: Clear, Error, Inconclusive, Ghost; last first.
   */
  private static List<Integer> leastTelling(List<Finding> findings) {
    List<Integer> order = new ArrayList<>();
    for (int i = findings.size() - 1; i >= 0; i--) {
      order.add(i);
    }
    order.sort(Comparator.comparingInt(i -> rank(findings.get(i).getVerdict())));
    return order;
  }

  private static int rank(FindingVerdict v) {
    if (v == null) {
      return -1;
    }
    return switch (v) {
      case Clear -> 0;
      case Error -> 1;
      case Inconclusive -> 2;
      case Ghost -> 3;
    };
  }

  private static boolean clipFields(Finding f) {
    Finding before = copy(f);
    f.setTarget(clip(f.getTarget(), MAX_TARGET));
    f.setSummary(clip(f.getSummary(), MAX_SUMMARY));
    f.setRemediation(clip(f.getRemediation(), MAX_REMEDIATION));
    if (f.getEvidence() != null) {
      Map<String, String> evidence = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : f.getEvidence().entrySet()) {
        if (evidence.size() == MAX_EVIDENCE_ENTRIES) {
          break;
        }
        evidence.putIfAbsent(
            clip(e.getKey(), MAX_EVIDENCE_KEY), clip(e.getValue(), MAX_EVIDENCE_VALUE));
      }
      f.setEvidence(evidence);
    }
    return !before.equals(f);
  }

  private static Finding copy(Finding f) {
    Finding c = new Finding(f.getCheck(), f.getTarget(), f.getVerdict());
    c.setGhost(f.getGhost());
    c.setSummary(f.getSummary());
    c.setRemediation(f.getRemediation());
    c.setEvidence(f.getEvidence() == null ? null : new LinkedHashMap<>(f.getEvidence()));
    c.setDurationMs(f.getDurationMs());
    return c;
  }
}
