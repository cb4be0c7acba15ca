package io.ghosthunt.api.status;

/** Where one node's probe is. */
public enum NodePhase {
  Pending,
  Running,
  Done,
  Failed,
  Unreachable
}
