package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Inputs of the {@code asymmetricRoute} check: conntrack state of flows with a peer (works one
 * direction).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AsymmetricRouteSpec {

  @JsonPropertyDescription(
      "Peers (IP addresses or names) whose flows to inspect. Default: the host of spec.target.")
  @Size(min = 1, max = 64)
  @ValidationRule(
      value = "self.all(x, x.matches(r'" + Patterns.HOST_ANCHORED + "'))",
      message = "every peer must be an IP address or a host name")
  private List<@Size(max = 253) String> peers;

  public List<String> getPeers() {
    return peers;
  }

  public void setPeers(List<String> peers) {
    this.peers = peers;
  }
}
