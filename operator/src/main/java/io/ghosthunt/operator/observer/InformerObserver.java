package io.ghosthunt.operator.observer;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.operator.OperatorConfig;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Instant;
import java.util.List;

/**
 * The operator's observer: one picture from the informer caches, no request to the API server (the
 * admission policies are looked up at most every 15 s for all hunts together).
 */
public final class InformerObserver implements HuntObserver {

  private final OperatorConfig config;
  private final AdmissionPolicies policies;
  private final OpenReportsApi openReports;
  private volatile HuntInformers informers;

  public InformerObserver(
      OperatorConfig config, AdmissionPolicies policies, OpenReportsApi openReports) {
    this.config = config;
    this.policies = policies;
    this.openReports = openReports;
  }

  @Override
  public List<EventSource<?, GhostHunt>> eventSources(EventSourceContext<GhostHunt> context) {
    informers = HuntInformers.create(context, config);
    return informers.eventSources();
  }

  /** The informers, once the controller has made them: the actor records its creations there. */
  public HuntInformers informers() {
    return informers;
  }

  @Override
  public HuntPicture observe(GhostHunt hunt, Instant now) {
    String uid = hunt.getMetadata().getUid();
    return new HuntPicture(
        hunt,
        now,
        informers.nodes.list(n -> true).toList(),
        targetPods(hunt),
        informers.probes.byIndex(HuntInformers.BY_HUNT, uid),
        informers.reports.byIndex(HuntInformers.BY_HUNT, uid),
        !informers.agentRoles.byIndex(HuntInformers.BY_HUNT, uid).isEmpty(),
        policies.missing(),
        openReports.availability());
  }

  private List<Pod> targetPods(GhostHunt hunt) {
    if (hunt.getSpec().getPods() == null || hunt.getSpec().getPods().getSelector() == null) {
      return List.of();
    }
    LabelSelector selector = hunt.getSpec().getPods().getSelector().toLabelSelector();
    return informers
        .targetPods
        .list(
            hunt.getMetadata().getNamespace(),
            p -> SelectorMatch.matches(selector, p.getMetadata().getLabels()))
        .toList();
  }
}
