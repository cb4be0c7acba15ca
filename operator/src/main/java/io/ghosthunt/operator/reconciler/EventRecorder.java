package io.ghosthunt.operator.reconciler;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ghosthunt.api.GhostHunt;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records core/v1 Events on a hunt. The reconciler calls it on transitions only (a new generation,
 * a node newly lost, the verdict), so the same event is not repeated on every reconcile.
 */
public final class EventRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  static final String COMPONENT = "ghosthunt-operator";

  private final KubernetesClient client;

  /**
   * What was recorded per hunt generation: a reconcile that repeats a transition records nothing.
   */
  private final java.util.Map<String, java.util.Set<String>> recorded =
      new java.util.concurrent.ConcurrentHashMap<>();

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  /** Forgets a deleted hunt. */
  public void forget(GhostHunt hunt) {
    recorded.keySet().removeIf(k -> k.startsWith(hunt.getMetadata().getUid() + "/"));
  }

  public void record(GhostHunt hunt, HuntEventReason reason, String message) {
    record(hunt, 0, reason, message);
  }

  /** Once per hunt generation and, for a scheduled hunt, per run. */
  public void record(GhostHunt hunt, int run, HuntEventReason reason, String message) {
    record(hunt, run, reason, message, message);
  }

  /**
   * Once per hunt generation (and run) and {@code once}, whatever the message: e.g. once per node,
   * where what its report says may change with every write of it.
   */
  public void record(GhostHunt hunt, int run, HuntEventReason reason, String once, String message) {
    String key = hunt.getMetadata().getUid() + "/" + hunt.getMetadata().getGeneration() + "/" + run;
    if (!recorded
        .computeIfAbsent(key, k -> java.util.concurrent.ConcurrentHashMap.newKeySet())
        .add(reason + " " + once)) {
      return;
    }
    String now = Instant.now().toString();
    try {
      client
          .v1()
          .events()
          .inNamespace(hunt.getMetadata().getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withGenerateName(hunt.getMetadata().getName() + ".")
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion(hunt.getApiVersion())
                  .withKind(hunt.getKind())
                  .withName(hunt.getMetadata().getName())
                  .withNamespace(hunt.getMetadata().getNamespace())
                  .withUid(hunt.getMetadata().getUid())
                  .endInvolvedObject()
                  .withReason(reason.name())
                  .withType(reason.type())
                  .withMessage(message.length() > 1000 ? message.substring(0, 999) + "…" : message)
                  .withNewSource()
                  .withComponent(COMPONENT)
                  .endSource()
                  .withReportingComponent(COMPONENT)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      // An event is a courtesy; the status carries the truth.
      LOG.warn(
          "could not record event {} on {}/{}: {}",
          reason,
          hunt.getMetadata().getNamespace(),
          hunt.getMetadata().getName(),
          e.getMessage());
    }
  }
}
