package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Which nodes to hunt on. Names and selector add up; with neither, every Linux node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeSelection {

  @JsonPropertyDescription("Node names to hunt on.")
  @Size(max = 1000)
  private List<@Size(max = 253) @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$") String> names;

  @JsonPropertyDescription("A label selector over Node objects.")
  private Selector selector;

  public List<String> getNames() {
    return names;
  }

  public void setNames(List<String> names) {
    this.names = names;
  }

  public Selector getSelector() {
    return selector;
  }

  public void setSelector(Selector selector) {
    this.selector = selector;
  }
}
