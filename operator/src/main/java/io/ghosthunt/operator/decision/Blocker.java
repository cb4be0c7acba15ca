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
public record Blocker(String reason, String message) {

  public static final String PROBE_NAMESPACE_MISSING = "ProbeNamespaceMissing";
  public static final String OPERATOR_FORBIDDEN = "OperatorForbidden";
  public static final String ADMISSION_POLICY_MISSING = "AdmissionPolicyMissing";

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
              OPERATOR_FORBIDDEN,
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
        PROBE_NAMESPACE_MISSING,
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
        ADMISSION_POLICY_MISSING,
        "no probe starts until the admission policies that confine probes are installed; missing: "
            + String.join(", ", absent)
            + ". Run `helm upgrade` of the ghosthunt-operator chart (or `ghosthunt operator"
            + " --install-crd`); the cluster needs Kubernetes 1.32 or later");
  }

  public static Blocker policiesUnreadable(int code, String said) {
    return new Blocker(
        ADMISSION_POLICY_MISSING,
        "no probe starts: the operator cannot check that the admission policies that confine"
            + " probes are installed ("
            + (code > 0 ? "the API server answered " + code + ": " : "")
            + said
            + "). Grant it get on validatingadmissionpolicies and their bindings (the chart does)");
  }

  /** Every reason a blocker may give the Complete condition. */
  public static final java.util.Set<String> REASONS =
      java.util.Set.of(PROBE_NAMESPACE_MISSING, OPERATOR_FORBIDDEN, ADMISSION_POLICY_MISSING);

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
                    && REASONS.contains(c.getReason())
                    && Long.valueOf(generation).equals(c.getObservedGeneration()))
        .findFirst()
        .map(c -> new Blocker(c.getReason(), c.getMessage()));
  }
}
