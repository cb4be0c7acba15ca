package io.ghosthunt.operator.observer;

import io.ghosthunt.api.GhostHunt;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Instant;
import java.util.List;

/** Sees a hunt's world: from informer caches in the operator, from memory in unit tests. */
public interface HuntObserver {

  /** The event sources whose caches {@link #observe} reads (none for an in-memory picture). */
  List<EventSource<?, GhostHunt>> eventSources(EventSourceContext<GhostHunt> context);

  HuntPicture observe(GhostHunt hunt, Instant now);
}
