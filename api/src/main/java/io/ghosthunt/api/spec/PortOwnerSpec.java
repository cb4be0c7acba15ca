package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Inputs of the {@code portOwner} check: who holds a port (service won't start). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PortOwnerSpec {

  @JsonPropertyDescription("Ports whose holders to find. Default: the port of spec.target.")
  @Size(min = 1, max = 64)
  private List<@Min(1) @Max(65535) Integer> ports;

  @JsonPropertyDescription("Transport protocol of the ports. Default TCP.")
  private Protocol protocol;

  @JsonPropertyDescription(
      "The process that should hold the ports, matched on the process name or the base name of"
          + " argv[0]. When another process holds a port, that is an OrphanedPort ghost.")
  @Size(max = 64)
  @Pattern("^[^/\\s]+$")
  private String expectedProcess;

  public List<Integer> getPorts() {
    return ports;
  }

  public void setPorts(List<Integer> ports) {
    this.ports = ports;
  }

  public Protocol getProtocol() {
    return protocol;
  }

  public void setProtocol(Protocol protocol) {
    this.protocol = protocol;
  }

  public String getExpectedProcess() {
    return expectedProcess;
  }

  public void setExpectedProcess(String expectedProcess) {
    this.expectedProcess = expectedProcess;
  }
}
