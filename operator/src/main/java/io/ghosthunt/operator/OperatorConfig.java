package io.ghosthunt.operator;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the operator runs its probes.
 *
 * @param probeNamespace where probe pods and their service accounts live; the one namespace that
 *     must allow privileged pods (Pod Security Admission level {@code privileged})
 * @param probeImage the probe-agent image
 * @param hardened run probes with only the capabilities the checks need instead of privileged
 * @param watchNamespaces namespaces whose GhostHunts to reconcile; empty means all
 * @param probeResources requests and limits of each probe container
 * @param probePullSecrets Secrets in the probe namespace to pull the probe image with (set on each
 *     probe's service account)
 * @param openReports whether each hunt's results also go into an OpenReports Report
 */
public record OperatorConfig(
    String probeNamespace,
    String probeImage,
    boolean hardened,
    Set<String> watchNamespaces,
    ProbeResources probeResources,
    List<String> probePullSecrets,
    boolean openReports) {

  public OperatorConfig(
      String probeNamespace,
      String probeImage,
      boolean hardened,
      Set<String> watchNamespaces,
      ProbeResources probeResources,
      List<String> probePullSecrets) {
    this(
        probeNamespace,
        probeImage,
        hardened,
        watchNamespaces,
        probeResources,
        probePullSecrets,
        false);
  }

  /** CPU and memory of a probe container, as Kubernetes quantities. */
  public record ProbeResources(
      String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {
    public static final ProbeResources DEFAULT = new ProbeResources("50m", "128Mi", "1", "256Mi");
  }

  public static final String DEFAULT_PROBE_NAMESPACE = "ghosthunt-system";
  public static final String DEFAULT_PROBE_IMAGE = "ghcr.io/ghosthunt/probe-agent:0.1.0";

  /**
   * From the environment the chart sets: GHOSTHUNT_PROBE_NAMESPACE, _PROBE_IMAGE, _PROBE_MODE,
   * _WATCH_NAMESPACES, _PROBE_CPU_REQUEST, _PROBE_MEMORY_REQUEST, _PROBE_CPU_LIMIT,
   * _PROBE_MEMORY_LIMIT, _PROBE_PULL_SECRETS, _OPEN_REPORTS.
   */
  public static OperatorConfig fromEnv(Map<String, String> env) {
    String watch = env.getOrDefault("GHOSTHUNT_WATCH_NAMESPACES", "").trim();
    return new OperatorConfig(
        env.getOrDefault("GHOSTHUNT_PROBE_NAMESPACE", DEFAULT_PROBE_NAMESPACE),
        env.getOrDefault("GHOSTHUNT_PROBE_IMAGE", DEFAULT_PROBE_IMAGE),
        "hardened".equals(env.getOrDefault("GHOSTHUNT_PROBE_MODE", "privileged")),
        watch.isEmpty() ? Set.of() : Set.of(watch.split("\\s*,\\s*")),
        new ProbeResources(
            env.getOrDefault("GHOSTHUNT_PROBE_CPU_REQUEST", ProbeResources.DEFAULT.cpuRequest()),
            env.getOrDefault(
                "GHOSTHUNT_PROBE_MEMORY_REQUEST", ProbeResources.DEFAULT.memoryRequest()),
            env.getOrDefault("GHOSTHUNT_PROBE_CPU_LIMIT", ProbeResources.DEFAULT.cpuLimit()),
            env.getOrDefault("GHOSTHUNT_PROBE_MEMORY_LIMIT", ProbeResources.DEFAULT.memoryLimit())),
        List.of(env.getOrDefault("GHOSTHUNT_PROBE_PULL_SECRETS", "").trim().split("\\s*,\\s*"))
            .stream()
            .filter(x -> !x.isEmpty())
            .toList(),
        "true".equals(env.getOrDefault("GHOSTHUNT_OPEN_REPORTS", "false")));
  }
}
