package io.ghosthunt.operator.probes;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.HuntResolver;
import io.ghosthunt.api.InvalidHuntException;
import io.ghosthunt.api.ServiceFacts;
import io.ghosthunt.api.spec.DnsSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, when a pod hunt's probes start, the Services its dns names may name and the cluster DNS
 * Service: one GET each (the operator may get a Service by name, never list them), at once.
 */
public final class ServiceLookup {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceLookup.class);

  private final KubernetesClient client;
  private final ExecutorService calls;

  public ServiceLookup(KubernetesClient client, ExecutorService calls) {
    this.client = client;
    this.calls = calls;
  }

  /**
   * Empty for a node hunt, or a hunt without a dns check. A Service the operator may not read (a
   * namespace outside watchNamespaces) is left out: the name is then judged by DNS alone.
   */
  public ServiceFacts facts(GhostHunt hunt) throws InterruptedException {
    List<String> names = dnsNames(hunt);
    if (names.isEmpty()) {
      return ServiceFacts.NONE;
    }
    Map<String, ServiceFacts.Ref> refs =
        ServiceFacts.candidates(names, hunt.getMetadata().getNamespace());
    String namespace = hunt.getMetadata().getNamespace();
    String readAt = java.time.Instant.now().toString();
    Future<Optional<ServiceFacts.Service>> clusterDns =
        calls.submit(() -> read(ServiceFacts.CLUSTER_DNS, namespace));
    Map<String, Future<Optional<ServiceFacts.Service>>> asked = new LinkedHashMap<>();
    refs.forEach((name, ref) -> asked.put(name, calls.submit(() -> read(ref, namespace))));
    Map<String, ServiceFacts.Service> services = new LinkedHashMap<>();
    for (Map.Entry<String, Future<Optional<ServiceFacts.Service>>> e : asked.entrySet()) {
      done(e.getValue()).ifPresent(s -> services.put(e.getKey(), s));
    }
    List<String> dns =
        done(clusterDns)
            .filter(ServiceFacts.Service::found)
            .map(ServiceFacts.Service::clusterIPs)
            .orElse(List.of());
    return new ServiceFacts(dns, services, readAt);
  }

  /** The dns check's names as the probe will hunt them (the target's host by default). */
  static List<String> dnsNames(GhostHunt hunt) {
    if (hunt.getSpec() == null || hunt.getSpec().getPods() == null) {
      return List.of();
    }
    try {
      DnsSpec dns = HuntResolver.resolve(hunt.getSpec()).checks().getDns();
      return dns == null || dns.getNames() == null ? List.of() : dns.getNames();
    } catch (InvalidHuntException e) {
      return List.of(); // its probes say why
    }
  }

  private Optional<ServiceFacts.Service> read(ServiceFacts.Ref ref, String huntNamespace) {
    try {
      Service s = client.services().inNamespace(ref.namespace()).withName(ref.name()).get();
      return Optional.of(of(ref, s, ref.namespace().equals(huntNamespace)));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        LOG.debug("Service {} not readable here: its name is judged by DNS alone", ref);
      } else {
        LOG.warn("Service {} not read ({}): its name is judged by DNS alone", ref, e.getCode(), e);
      }
      return Optional.empty();
    }
  }

  /**
   * The Service as the probe needs it; {@code found} false when the API has none. Its creation time
   * only for the hunt's own namespace: the cluster DNS tells any pod a Service's address, not when
   * it was made.
   */
  static ServiceFacts.Service of(ServiceFacts.Ref ref, Service s, boolean ownNamespace) {
    if (s == null) {
      return new ServiceFacts.Service(ref.namespace(), ref.name(), false, List.of(), null);
    }
    List<String> ips =
        s.getSpec().getClusterIPs() != null && !s.getSpec().getClusterIPs().isEmpty()
            ? s.getSpec().getClusterIPs()
            : s.getSpec().getClusterIP() == null ? List.of() : List.of(s.getSpec().getClusterIP());
    // Headless ("None") and ExternalName Services have no ClusterIP to compare with.
    List<String> addresses = ips.stream().filter(ip -> !ip.equals("None")).toList();
    return new ServiceFacts.Service(
        ref.namespace(),
        ref.name(),
        true,
        "ExternalName".equals(s.getSpec().getType()) ? List.of() : addresses,
        ownNamespace ? s.getMetadata().getCreationTimestamp() : null);
  }

  private static <T> Optional<T> done(Future<Optional<T>> f) throws InterruptedException {
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }
}
