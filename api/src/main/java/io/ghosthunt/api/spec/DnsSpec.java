package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Inputs of the {@code dns} check: what the node resolves against the authority (wrong server). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DnsSpec {

  @JsonPropertyDescription("Names to resolve. Default: the host of spec.target, when it is a name.")
  @Size(min = 1, max = 64)
  @ValidationRule(
      value = "self.all(x, x.matches(r'" + Patterns.DNS_NAME_ANCHORED + "'))",
      message = "every name must be a DNS name, e.g. app.example.com")
  private List<@Size(max = 253) String> names;

  @JsonPropertyDescription(
      "Extra resolvers (IP addresses) to compare. Default: none beyond the node's resolv.conf.")
  @Size(max = 64)
  @ValidationRule(
      value = "self.all(x, x.matches(r'" + Patterns.IP_ANCHORED + "'))",
      message = "every resolver must be an IP address")
  private List<@Size(max = 64) String> resolvers;

  @JsonPropertyDescription(
      "Authoritative servers (IP addresses) to ask with recursion off. Default: the zone's NS servers.")
  @Size(max = 64)
  @ValidationRule(
      value = "self.all(x, x.matches(r'" + Patterns.IP_ANCHORED + "'))",
      message = "every authority must be an IP address")
  private List<@Size(max = 64) String> authorities;

  @JsonPropertyDescription("Addresses the names must resolve to; any other answer is stale.")
  @Size(max = 64)
  @ValidationRule(
      value = "self.all(x, x.matches(r'" + Patterns.IP_ANCHORED + "'))",
      message = "every expected address must be an IP address")
  private List<@Size(max = 64) String> expectedAddresses;

  public List<String> getNames() {
    return names;
  }

  public void setNames(List<String> names) {
    this.names = names;
  }

  public List<String> getResolvers() {
    return resolvers;
  }

  public void setResolvers(List<String> resolvers) {
    this.resolvers = resolvers;
  }

  public List<String> getAuthorities() {
    return authorities;
  }

  public void setAuthorities(List<String> authorities) {
    this.authorities = authorities;
  }

  public List<String> getExpectedAddresses() {
    return expectedAddresses;
  }

  public void setExpectedAddresses(List<String> expectedAddresses) {
    this.expectedAddresses = expectedAddresses;
  }
}
