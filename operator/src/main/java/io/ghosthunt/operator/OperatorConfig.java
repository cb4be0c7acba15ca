package io.ghosthunt.operator;

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
 */
public record OperatorConfig(String probeNamespace, String probeImage, boolean hardened, Set<String> watchNamespaces) {

  public static final String DEFAULT_PROBE_NAMESPACE = "ghosthunt-system";
  public static final String DEFAULT_PROBE_IMAGE = "ghcr.io/ghosthunt/probe-agent:0.1.0";

  /** From the environment the chart sets: GHOSTHUNT_PROBE_NAMESPACE, _PROBE_IMAGE, _PROBE_MODE, _WATCH_NAMESPACES. */
  public static OperatorConfig fromEnv(Map<String, String> env) {
    String watch = env.getOrDefault("GHOSTHUNT_WATCH_NAMESPACES", "").trim();
    return new OperatorConfig(
        env.getOrDefault("GHOSTHUNT_PROBE_NAMESPACE", DEFAULT_PROBE_NAMESPACE),
        env.getOrDefault("GHOSTHUNT_PROBE_IMAGE", DEFAULT_PROBE_IMAGE),
        "hardened".equals(env.getOrDefault("GHOSTHUNT_PROBE_MODE", "privileged")),
        watch.isEmpty() ? Set.of() : Set.of(watch.split("\\s*,\\s*")));
  }
}
