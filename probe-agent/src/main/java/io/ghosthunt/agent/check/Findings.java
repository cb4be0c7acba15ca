package io.ghosthunt.agent.check;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;

/** Small constructors for findings, so that every check words them alike. */
public final class Findings {
  private Findings() {}

  public static Finding clear(CheckKey check, String target, String summary) {
    Finding f = new Finding(check, target, FindingVerdict.Clear);
    f.setSummary(summary);
    return f;
  }

  public static Finding ghost(
      CheckKey check, String target, GhostName ghost, String summary, String remediation) {
    Finding f = new Finding(check, target, FindingVerdict.Ghost);
    f.setGhost(ghost);
    f.setSummary(summary);
    f.setRemediation(remediation);
    return f;
  }

  public static Finding inconclusive(CheckKey check, String target, String summary) {
    Finding f = new Finding(check, target, FindingVerdict.Inconclusive);
    f.setSummary(summary);
    return f;
  }

  public static Finding error(CheckKey check, String target, String reason) {
    Finding f = new Finding(check, target, FindingVerdict.Error);
    f.setSummary(reason);
    return f;
  }
}
