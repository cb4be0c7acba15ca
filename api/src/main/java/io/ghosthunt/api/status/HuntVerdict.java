package io.ghosthunt.api.status;

import java.util.Collection;

/** The hunt's answer over all nodes and checks. */
public enum HuntVerdict {
  /** Every check ran and found nothing. */
  Clear,
  /** At least one check found a ghost. */
  Haunted,
  /** No ghost, but some checks could not tell (errors, no traffic to judge). */
  Inconclusive;

  /** Haunted when any finding is a ghost; else Inconclusive when any could not tell; else Clear. */
  public static HuntVerdict of(Collection<Finding> findings) {
    if (findings.stream().anyMatch(Finding::isGhost)) {
      return Haunted;
    }
    boolean unsure =
        findings.stream()
            .anyMatch(
                f ->
                    f.getVerdict() == FindingVerdict.Inconclusive
                        || f.getVerdict() == FindingVerdict.Error);
    return unsure || findings.isEmpty() ? Inconclusive : Clear;
  }
}
