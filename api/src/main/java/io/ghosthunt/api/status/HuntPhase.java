package io.ghosthunt.api.status;

/** Where a hunt is in its life. */
public enum HuntPhase {
  Pending,
  Running,
  Complete,
  Failed
}
