package io.ghosthunt.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the API server said of the Services a pod hunt's dns names may name, and of the cluster DNS
 * Service, when the run started: the operator reads them (a probe holds no right to) and hands them
 * to its probes as {@code --services}. The dns check compares a Service name's answer with its
 * ClusterIP, and tells the kube-dns Service from a cache in front of it.
 *
 * @param clusterDns the ClusterIPs of {@code kube-system/kube-dns}; empty when unknown
 * @param services by the hunt's dns name as written in the spec
 * @param readAt when the operator read them
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServiceFacts(List<String> clusterDns, Map<String, Service> services, String readAt) {

  public static final ServiceFacts NONE = new ServiceFacts(List.of(), Map.of(), null);

  /** The Service every kubeadm, kops, EKS, GKE and AKS cluster puts its cluster DNS behind. */
  public static final Ref CLUSTER_DNS = new Ref("kube-system", "kube-dns");

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** A Service's DNS-1035 name, and a namespace's DNS-1123 label. */
  private static final Pattern SERVICE = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public ServiceFacts {
    clusterDns = clusterDns == null ? List.of() : List.copyOf(clusterDns);
    services = services == null ? Map.of() : Map.copyOf(services);
  }

  /** A Service by namespace and name. */
  public record Ref(String namespace, String name) {

    /**
     * The name's first labels as the cluster DNS serves it, {@code NAME.NAMESPACE.svc.}; the
     * cluster domain follows.
     */
    public String dnsPrefix() {
      return name + "." + namespace + ".svc.";
    }

    @Override
    public String toString() {
      return namespace + "/" + name;
    }
  }

  /**
   * One Service as the API gave it.
   *
   * @param found false when the API has no such Service
   * @param clusterIPs its ClusterIPs; empty for a headless or ExternalName Service
   * @param created its creationTimestamp, as the API wrote it; only for a Service of the hunt's own
   *     namespace (the cluster DNS tells anyone a Service's address, never its age)
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Service(
      String namespace, String name, boolean found, List<String> clusterIPs, String created) {

    public Service {
      clusterIPs = clusterIPs == null ? List.of() : List.copyOf(clusterIPs);
    }

    public Ref ref() {
      return new Ref(namespace, name);
    }

    /** The Service's own name in a cluster whose domain is {@code clusterDomain}. */
    public String fqdn(String clusterDomain) {
      return ref().dnsPrefix() + clusterDomain.toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The Service a pod in {@code namespace} reaches by {@code name} through its search list, if the
   * name has a Service's shape: {@code NAME} (the pod's namespace), {@code NAME.NAMESPACE}, or
   * {@code NAME.NAMESPACE.svc[.DOMAIN]}. Null for any other name, and for a short name written with
   * a trailing dot, which skips the search list.
   */
  public static Ref serviceOf(String name, String namespace) {
    String n = name.toLowerCase(Locale.ROOT);
    boolean absolute = n.endsWith(".");
    String[] labels = (absolute ? n.substring(0, n.length() - 1) : n).split("\\.", -1);
    Ref ref;
    if (labels.length >= 3 && labels[2].equals("svc")) {
      ref = new Ref(labels[1], labels[0]);
      if (absolute && labels.length == 3) {
        return null;
      }
    } else if (absolute) {
      return null;
    } else if (labels.length == 1) {
      ref = new Ref(namespace, labels[0]);
    } else if (labels.length == 2) {
      ref = new Ref(labels[1], labels[0]);
    } else {
      return null;
    }
    return SERVICE.matcher(ref.name()).matches() && NAMESPACE.matcher(ref.namespace()).matches()
        ? ref
        : null;
  }

  /** {@link #serviceOf} for each name that has a Service's shape, in the names' order. */
  public static Map<String, Ref> candidates(List<String> names, String namespace) {
    Map<String, Ref> refs = new LinkedHashMap<>();
    for (String name : names == null ? List.<String>of() : names) {
      Ref ref = serviceOf(name, namespace);
      if (ref != null) {
        refs.put(name, ref);
      }
    }
    return refs;
  }

  /** The form {@code --services} takes: one line of JSON. */
  public String encode() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @throws IllegalArgumentException for text that is not what {@link #encode} writes
   */
  public static ServiceFacts decode(String text) {
    try {
      ServiceFacts facts = JSON.readValue(text, ServiceFacts.class);
      return facts == null ? NONE : facts;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "--services takes the JSON the operator writes: " + e.getOriginalMessage(), e);
    }
  }

  public boolean isEmpty() {
    return clusterDns.isEmpty() && services.isEmpty();
  }
}
