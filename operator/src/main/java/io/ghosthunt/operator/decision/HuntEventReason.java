package io.ghosthunt.operator.decision;

/** The reasons of the Events the operator records on a GhostHunt; kubectl describe shows them. */
public enum HuntEventReason {
  HuntStarted("Normal"),
  InvalidSpec("Warning"),
  NoNodes("Warning"),
  NoPods("Warning"),
  NodeUnreachable("Warning"),
  ProbeFailed("Warning"),
  // A probe's report held findings its hunt did not ask for (see status.ReportFilter): dropped.
  FindingsDropped("Warning"),
  GhostFound("Warning"),
  HuntClear("Normal"),
  HuntInconclusive("Normal"),
  // A scheduled hunt: a run that starts, one skipped because the previous one still runs, and what
  // a run found different from the run before.
  RunStarted("Normal"),
  RunSkipped("Warning"),
  GhostAppeared("Warning"),
  GhostGone("Normal"),
  // A hunt that cannot start any probe, with what to run (see decision.Blocker).
  ProbeNamespaceMissing("Warning"),
  OperatorForbidden("Warning"),
  AdmissionPolicyMissing("Warning"),
  // The run's OpenReports Report was refused by the API server; the verdict is written all the
  // same.
  OpenReportRefused("Warning");

  private final String type;

  HuntEventReason(String type) {
    this.type = type;
  }

  public String type() {
    return type;
  }

  /** The Event of a hunt that cannot start, one reason per kind of blocker. */
  public static HuntEventReason blockedBy(io.ghosthunt.operator.decision.Blocker blocker) {
    return switch (blocker.reason()) {
      case ProbeNamespaceMissing -> ProbeNamespaceMissing;
      case OperatorForbidden -> OperatorForbidden;
      case AdmissionPolicyMissing -> AdmissionPolicyMissing;
    };
  }
}
