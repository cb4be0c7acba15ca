package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Inputs of the {@code mtu} check: path MTU discovery with don't-fragment probes (big transfers
 * hang).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MtuSpec {

  @JsonPropertyDescription(
      "Hosts (IP addresses or names) to probe. Default: the host of spec.target.")
  @Size(min = 1, max = 64)
  @ValidationRule(
      value = "self.all(x, x.matches(r'" + Patterns.HOST_ANCHORED + "'))",
      message = "every target must be an IP address or a host name")
  private List<@Size(max = 253) String> targets;

  public List<String> getTargets() {
    return targets;
  }

  public void setTargets(List<String> targets) {
    this.targets = targets;
  }
}
