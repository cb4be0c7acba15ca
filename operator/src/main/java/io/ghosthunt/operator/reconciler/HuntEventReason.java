package io.ghosthunt.operator.reconciler;

/** The reasons of the Events the operator records on a GhostHunt; kubectl describe shows them. */
public enum HuntEventReason {
  HuntStarted("Normal"),
  InvalidSpec("Warning"),
  NoNodes("Warning"),
  NoPods("Warning"),
  NodeUnreachable("Warning"),
  ProbeFailed("Warning"),
  GhostFound("Warning"),
  HuntClear("Normal"),
  HuntInconclusive("Normal"),
  // A hunt that cannot start any probe, with what to run (see decision.Blocker).
  ProbeNamespaceMissing("Warning"),
  OperatorForbidden("Warning");

  private final String type;

  HuntEventReason(String type) {
    this.type = type;
  }

  public String type() {
    return type;
  }
}
