package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/**
 * Which pods of the hunt's own namespace to hunt in: the checks run inside each pod's network
 * namespace (its resolv.conf and hosts file, routes, interface MTU, sockets and loopback), from the
 * probe on the pod's node. Nothing is injected into the pods.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodSelection {

  @Required
  @JsonPropertyDescription(
      "A label selector over the pods of the hunt's namespace (never another namespace's).")
  private Selector selector;

  public PodSelection() {}

  public PodSelection(Selector selector) {
    this.selector = selector;
  }

  public Selector getSelector() {
    return selector;
  }

  public void setSelector(Selector selector) {
    this.selector = selector;
  }
}
