package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Inputs of the {@code loopback} check: why localhost can't connect. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LoopbackSpec {

  @JsonPropertyDescription(
      "Ports a local client connects to over loopback. Default: the port of spec.target.")
  @Size(min = 1, max = 64)
  private List<@Min(1) @Max(65535) Integer> ports;

  public List<Integer> getPorts() {
    return ports;
  }

  public void setPorts(List<Integer> ports) {
    this.ports = ports;
  }
}
