package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Inputs of the {@code http2} check: the same request over HTTP/2 and HTTP/1.1 (one client 500s).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Http2Spec {

  @JsonPropertyDescription(
      "http:// or https:// URLs to request. Default: spec.target, when it is a URL.")
  @Size(min = 1, max = 64)
  @ValidationRule(
      value = "self.all(x, x.matches(r'" + Patterns.URL_ANCHORED + "'))",
      message =
          "every URL must be http:// or https:// with a host, e.g. https://app.example.com/health")
  private List<@Size(max = 2048) String> urls;

  @JsonPropertyDescription(
      "Accept any TLS certificate. Default false: the system trust store decides.")
  private Boolean insecureSkipTlsVerify;

  @JsonPropertyDescription(
      "A CA bundle (PEM) to trust besides the system store, from a ConfigMap in the hunt's"
          + " namespace. The probe may read that one ConfigMap only.")
  private ConfigMapKeyRef caBundleConfigMap;

  public List<String> getUrls() {
    return urls;
  }

  public void setUrls(List<String> urls) {
    this.urls = urls;
  }

  public ConfigMapKeyRef getCaBundleConfigMap() {
    return caBundleConfigMap;
  }

  public void setCaBundleConfigMap(ConfigMapKeyRef caBundleConfigMap) {
    this.caBundleConfigMap = caBundleConfigMap;
  }

  public Boolean getInsecureSkipTlsVerify() {
    return insecureSkipTlsVerify;
  }

  public void setInsecureSkipTlsVerify(Boolean insecureSkipTlsVerify) {
    this.insecureSkipTlsVerify = insecureSkipTlsVerify;
  }
}
