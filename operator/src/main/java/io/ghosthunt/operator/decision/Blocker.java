package io.ghosthunt.operator.decision;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;

/**
 * Why a hunt cannot start its probes at all, and what fixes it: a refusal that no retry will cure
 * and no single node explains, which the hunt's status and one Event must say instead of a stack
 * trace per retry in the operator's log.
 *
 * @param reason the condition's and the Event's reason
 * @param message what is wrong and exactly what to run
 */
public record Blocker(BlockReason reason, String message) {

  /** What blocks a hunt; its name is the condition's reason, so a status can say it again. */
  public enum BlockReason {
    ProbeNamespaceMissing,
    OperatorForbidden,
    AdmissionPolicyMissing
  }

  /** The blocker an API error means, or empty when it is transient or a single node's problem. */
  public static Optional<Blocker> of(KubernetesClientException e, String probeNamespace) {
    String said =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    String kind =
        e.getStatus() != null && e.getStatus().getDetails() != null
            ? e.getStatus().getDetails().getKind()
            : null;
    if (e.getCode() == 404 && "namespaces".equals(kind)) {
      return Optional.of(probeNamespaceMissing(probeNamespace));
    }
    // Pod Security Admission refuses pods with a 403 too: that one a node's entry explains.
    if (e.getCode() == 403 && said != null && !said.contains("violates PodSecurity")) {
      return Optional.of(
          new Blocker(
              BlockReason.OperatorForbidden,
              "the operator is not allowed to start probes: "
                  + said
                  + ". Grant it what the chart's ClusterRole and probe-namespace Role grant (helm upgrade restores them)"));
    }
    return Optional.empty();
  }

  public static Blocker probeNamespaceMissing(String probeNamespace) {
    // Never created by the operator itself: a namespace where privileged pods may run is an admin's
    // call.
    return new Blocker(
        BlockReason.ProbeNamespaceMissing,
        "the probe namespace "
            + probeNamespace
            + " does not exist:"
            + " run `kubectl create namespace "
            + probeNamespace
            + " && kubectl label namespace "
            + probeNamespace
            + " pod-security.kubernetes.io/enforce=privileged` (the Helm chart creates it)");
  }

  /**
   * Probes hold node-wide privilege, so the policies that keep their tokens to their own reports
   * and node hunts to those allowed to hunt nodes are not optional: none starts without them.
   *
   * @return null when nothing is missing
   */
  public static Blocker policiesMissing(java.util.List<String> absent) {
    if (absent.isEmpty()) {
      return null;
    }
    return new Blocker(
        BlockReason.AdmissionPolicyMissing,
        "no probe starts until the admission policies that confine probes are installed; missing: "
            + String.join(", ", absent)
            + ". Run `helm upgrade` of the ghosthunt-operator chart (or `ghosthunt operator"
            + " --install-crd`); the cluster needs Kubernetes 1.32 or later");
  }

  public static Blocker policiesUnreadable(int code, String said) {
    return new Blocker(
        BlockReason.AdmissionPolicyMissing,
        "no probe starts: the operator cannot check that the admission policies that confine"
            + " probes are installed ("
            + (code > 0 ? "the API server answered " + code + ": " : "")
            + said
            + "). Grant it get on validatingadmissionpolicies and their bindings (the chart does)");
  }

  /**
   * The blocker a hunt's status still shows for this generation (its Complete condition False with
   * a blocker's reason), so that a hunt whose deadline passes while blocked ends with that reason.
   */
  public static Optional<Blocker> standing(
      java.util.List<io.fabric8.kubernetes.api.model.Condition> conditions, long generation) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream()
        .filter(
            c ->
                "Complete".equals(c.getType())
                    && "False".equals(c.getStatus())
                    && Long.valueOf(generation).equals(c.getObservedGeneration()))
        .flatMap(c -> reasonNamed(c.getReason()).map(r -> new Blocker(r, c.getMessage())).stream())
        .findFirst();
  }

  /** Not valueOf: any other reason (Hunting, Scheduled, ...) is simply no blocker. */
  private static Optional<BlockReason> reasonNamed(String reason) {
    return java.util.Arrays.stream(BlockReason.values())
        .filter(r -> r.name().equals(reason))
        .findFirst();
  }
}
