package io.ghosthunt.operator.observer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.operator.OperatorConfig;
import io.ghosthunt.operator.probes.Labels;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The informers through which the operator sees everything a hunt depends on: its probe pods and
 * reports (indexed by hunt UID), the nodes, and the pods pod hunts target. A reconcile reads only
 * these caches; each informer's events wake exactly the hunts the change affects.
 */
public final class HuntInformers {

  static final String BY_HUNT = "by-hunt-uid";

  final InformerEventSource<Pod, GhostHunt> probes;
  final InformerEventSource<GhostHuntReport, GhostHunt> reports;
  final InformerEventSource<Node, GhostHunt> nodes;
  final InformerEventSource<Pod, GhostHunt> targetPods;
  final InformerEventSource<Role, GhostHunt> agentRoles;

  private HuntInformers(EventSourceContext<GhostHunt> context, OperatorConfig config) {
    IndexedResourceCache<GhostHunt> hunts = context.getPrimaryCache();
    probes = new InformerEventSource<>(probeConfig(config), context);
    reports = new InformerEventSource<>(reportConfig(), context);
    nodes = new InformerEventSource<>(nodeConfig(hunts), context);
    targetPods = new InformerEventSource<>(targetPodConfig(hunts), context);
    agentRoles = new InformerEventSource<>(agentRoleConfig(), context);
    // Indexed by hunt, so that a hunt over 5,000 nodes finds its own probes without a scan.
    probes.addIndexers(Map.of(BY_HUNT, HuntInformers::huntUid));
    reports.addIndexers(Map.of(BY_HUNT, HuntInformers::huntUid));
    agentRoles.addIndexers(Map.of(BY_HUNT, HuntInformers::huntUid));
  }

  public static HuntInformers create(EventSourceContext<GhostHunt> context, OperatorConfig config) {
    return new HuntInformers(context, config);
  }

  public List<EventSource<?, GhostHunt>> eventSources() {
    return List.of(probes, reports, nodes, targetPods, agentRoles);
  }

  /** A probe pod this operator just created: seen by the next reconcile before its event. */
  public void created(GhostHunt hunt, Pod pod) {
    probes.handleRecentResourceCreate(ResourceID.fromResource(hunt), pod);
  }

  /** Whether the probe pod of this name exists, including one created a moment ago. */
  public boolean probeExists(String namespace, String name) {
    return probes.get(new ResourceID(name, namespace)).isPresent();
  }

  private static List<String> huntUid(HasMetadata o) {
    Map<String, String> labels = o.getMetadata().getLabels();
    String uid = labels == null ? null : labels.get(Labels.HUNT_UID);
    return uid == null ? List.of() : List.of(uid);
  }

  private static InformerEventSourceConfiguration<Pod> probeConfig(OperatorConfig config) {
    return InformerEventSourceConfiguration.from(Pod.class, GhostHunt.class)
        .withName("probe-pods")
        .withNamespaces(Set.of(config.probeNamespace()))
        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
        // Probes live in their own namespace, so owner references cannot point at the hunt.
        .withSecondaryToPrimaryMapper(
            pod -> {
              Map<String, String> a = pod.getMetadata().getAnnotations();
              return a == null || a.get(Labels.HUNT_NAME) == null
                  ? Set.of()
                  : Set.of(new ResourceID(a.get(Labels.HUNT_NAME), a.get(Labels.HUNT_NAMESPACE)));
            })
        .build();
  }

  private static InformerEventSourceConfiguration<GhostHuntReport> reportConfig() {
    // Every report a probe writes wakes its hunt up; the rate limiter batches them.
    return InformerEventSourceConfiguration.from(GhostHuntReport.class, GhostHunt.class)
        .withName("reports")
        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
        .withSecondaryToPrimaryMapper(
            r ->
                r.getSpec() == null
                    ? Set.of()
                    : Set.of(new ResourceID(r.getSpec().getHunt(), r.getMetadata().getNamespace())))
        .build();
  }

  /**
   * The agent identity's Role of each hunt (owned by the hunt, so its events map to it): whether a
   * hunt completed by a replica that died before its cleanup still leaves probe rights behind.
   */
  private static InformerEventSourceConfiguration<Role> agentRoleConfig() {
    return InformerEventSourceConfiguration.from(Role.class, GhostHunt.class)
        .withName("agent-roles")
        .withNamespacesInheritedFromController()
        .withLabelSelector(
            Labels.MANAGED_BY + "=" + Labels.OPERATOR + "," + Labels.COMPONENT + "=agent")
        .build();
  }

  /** A node that joins, leaves, turns (Not)Ready or is relabelled wakes the node hunts running. */
  private static InformerEventSourceConfiguration<Node> nodeConfig(
      IndexedResourceCache<GhostHunt> hunts) {
    return InformerEventSourceConfiguration.from(Node.class, GhostHunt.class)
        .withName("nodes")
        .withOnUpdateFilter(
            (now, before) ->
                !Objects.equals(NodeTargets.readiness(now), NodeTargets.readiness(before))
                    || !Objects.equals(
                        now.getMetadata().getLabels(), before.getMetadata().getLabels()))
        .withSecondaryToPrimaryMapper(node -> running(hunts, h -> h.getSpec().getPods() == null))
        .build();
  }

  /**
   * A target pod that starts, ends, moves or is relabelled wakes the pod hunts of its namespace.
   */
  private static InformerEventSourceConfiguration<Pod> targetPodConfig(
      IndexedResourceCache<GhostHunt> hunts) {
    return InformerEventSourceConfiguration.from(Pod.class, GhostHunt.class)
        .withName("target-pods")
        .withNamespacesInheritedFromController()
        .withOnUpdateFilter((now, before) -> !Objects.equals(shape(now), shape(before)))
        .withSecondaryToPrimaryMapper(
            pod ->
                running(
                    hunts,
                    h ->
                        h.getSpec().getPods() != null
                            && h.getMetadata()
                                .getNamespace()
                                .equals(pod.getMetadata().getNamespace())))
        .build();
  }

  /** What of a pod decides whether and where it can be hunted in. */
  private static List<Object> shape(Pod p) {
    return java.util.Arrays.asList(
        p.getMetadata().getLabels(),
        p.getMetadata().getDeletionTimestamp(),
        p.getSpec() == null ? null : p.getSpec().getNodeName(),
        p.getStatus() == null ? null : p.getStatus().getPhase());
  }

  private static Set<ResourceID> running(
      IndexedResourceCache<GhostHunt> hunts, java.util.function.Predicate<GhostHunt> kind) {
    return hunts
        .list(h -> h.getSpec() != null && kind.test(h) && !settled(h))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  /** A hunt whose current generation (or run) is decided: a node's change cannot alter it. */
  private static boolean settled(GhostHunt h) {
    return h.getStatus() != null
        && Objects.equals(h.getStatus().getObservedGeneration(), h.getMetadata().getGeneration())
        && (h.getStatus().getPhase() == HuntPhase.Complete
            || h.getStatus().getPhase() == HuntPhase.Failed);
  }
}
