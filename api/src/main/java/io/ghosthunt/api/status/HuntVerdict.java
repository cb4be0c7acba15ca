package io.ghosthunt.api.status;

/** The hunt's answer over all nodes and checks. */
public enum HuntVerdict {
  /** Every check ran and found nothing. */
  Clear,
  /** At least one check found a ghost. */
  Haunted,
  /** No ghost, but some checks could not tell (errors, no traffic to judge). */
  Inconclusive
}
