package io.ghosthunt.agent.check;

import io.ghosthunt.api.ServiceFacts;
import java.time.Duration;
import java.time.Instant;

/**
 * What a check may know about its run.
 *
 * @param node the node name the findings are for
 * @param deadline when the hunt's time is up; checks bound every wait by it
 * @param configMaps where ConfigMaps referenced by the spec are read from
 * @param services what the API said of the Services a pod hunt's dns names may name
 */
public record CheckContext(
    String node, Instant deadline, ConfigMaps configMaps, ServiceFacts services) {

  public CheckContext {
    services = services == null ? ServiceFacts.NONE : services;
  }

  public CheckContext(String node, Instant deadline) {
    this(node, deadline, ConfigMaps.NONE, ServiceFacts.NONE);
  }

  /** Time left, at least a millisecond so that timeouts stay valid arguments. */
  public Duration remaining() {
    Duration d = Duration.between(Instant.now(), deadline);
    return d.isNegative() || d.isZero() ? Duration.ofMillis(1) : d;
  }

  /** The smaller of {@code bound} and the time left. */
  public Duration atMost(Duration bound) {
    Duration r = remaining();
    return r.compareTo(bound) < 0 ? r : bound;
  }
}
