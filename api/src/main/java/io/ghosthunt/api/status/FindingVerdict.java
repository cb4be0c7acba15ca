package io.ghosthunt.api.status;

/** One check's answer for one target. */
public enum FindingVerdict {
  Clear,
  Ghost,
  Inconclusive,
  /** The check could not run; the summary says why (missing privilege, tool or kernel table). */
  Error
}
