package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * One key of a ConfigMap in the hunt's namespace; a small type of our own rather than the core one.
 * A CA bundle is public: a ConfigMap (as trust-manager and kube-root-ca.crt publish them) keeps
 * every probe, and the operator that grants probes their rights, away from Secrets.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConfigMapKeyRef {

  public static final String DEFAULT_KEY = "ca.crt";

  @JsonPropertyDescription("Name of the ConfigMap, in the GhostHunt's namespace.")
  @Required
  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  private String name;

  @JsonPropertyDescription("Key in the ConfigMap's data. Default: ca.crt.")
  @Size(min = 1, max = 253)
  @Pattern("^[-._a-zA-Z0-9]+$")
  private String key;

  public ConfigMapKeyRef() {}

  public ConfigMapKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  /** The key, default applied. */
  public String keyOrDefault() {
    return key == null ? DEFAULT_KEY : key;
  }
}
