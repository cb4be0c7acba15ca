package io.ghosthunt.operator.reconciler;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.operator.decision.HuntEventReason;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records core/v1 Events on a hunt. The reconciler calls it on transitions only (a new generation,
 * a node newly lost, the verdict), so the same event is not repeated on every reconcile.
 */
public final class EventRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  static final String COMPONENT = "ghosthunt-operator";

  /** Where an Event goes: the API server, or a test's list. */
  private final Consumer<Event> sink;

  /**
   * What was recorded in each hunt's current generation and run: a reconcile that repeats a
   * transition records nothing, and a run that ends frees its marks once the next one records.
   */
  private final RecordedRounds recorded = new RecordedRounds();

  public EventRecorder(KubernetesClient client) {
    this(event -> create(client, event));
  }

  EventRecorder(Consumer<Event> sink) {
    this.sink = sink;
  }

  /** Forgets a deleted hunt. */
  public void forget(GhostHunt hunt) {
    recorded.forget(hunt.getMetadata().getUid());
  }

  /** The once-only marks held over all hunts. */
  int held() {
    return recorded.size();
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
    Long generation = hunt.getMetadata().getGeneration();
    if (!recorded.first(
        hunt.getMetadata().getUid(),
        generation == null ? 0 : generation,
        run,
        reason + " " + once)) {
      return;
    }
    String now = Instant.now().toString();
    sink.accept(
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(hunt.getMetadata().getName() + ".")
            .withNamespace(hunt.getMetadata().getNamespace())
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
            .build());
  }

  private static void create(KubernetesClient client, Event event) {
    try {
      client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // An event is a courtesy; the status carries the truth.
      LOG.warn(
          "could not record event {} on {}/{}: {}",
          event.getReason(),
          event.getInvolvedObject().getNamespace(),
          event.getInvolvedObject().getName(),
          e.getMessage());
    }
  }
}
