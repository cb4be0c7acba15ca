package io.ghosthunt.operator.status;

import io.ghosthunt.operator.decision.Blocker;

/**
 * The reasons the hunt's Complete and GhostFound conditions give (a found ghost's GhostFound=True
 * gives the worst ghost's name instead), and its OpenReport condition's. Their names are what
 * kubectl and the ITs read.
 */
public enum ConditionReason {
  Hunting,
  Scheduled,
  InvalidSpec,
  NoNodes,
  NoPods,
  AllNodesReported,
  AllPodsReported,
  Clear,
  Inconclusive,
  ProbeNamespaceMissing,
  OperatorForbidden,
  AdmissionPolicyMissing,
  /** The OpenReport condition: the run's Report is written. */
  ReportWritten,
  /** The OpenReport condition: Reports asked for, their CRD not installed. */
  OpenReportsMissing,
  /** The OpenReport condition: the API server refused the run's Report (a 4xx). */
  ReportRefused;

  /** Exhaustive, so that a new kind of blocker cannot reach a status without its reason. */
  static ConditionReason blockedBy(Blocker.BlockReason reason) {
    return switch (reason) {
      case ProbeNamespaceMissing -> ProbeNamespaceMissing;
      case OperatorForbidden -> OperatorForbidden;
      case AdmissionPolicyMissing -> AdmissionPolicyMissing;
    };
  }
}
