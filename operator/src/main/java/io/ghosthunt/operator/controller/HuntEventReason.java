package io.ghosthunt.operator.controller;

/** The reasons of the Events the operator records on a GhostHunt; kubectl describe shows them. */
public enum HuntEventReason {
  HuntStarted("Normal"),
  InvalidSpec("Warning"),
  NoNodes("Warning"),
  NodeUnreachable("Warning"),
  ProbeFailed("Warning"),
  GhostFound("Warning"),
  HuntClear("Normal"),
  HuntInconclusive("Normal");

  private final String type;

  HuntEventReason(String type) {
    this.type = type;
  }

  public String type() {
    return type;
  }
}
