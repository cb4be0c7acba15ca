package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Inputs of the {@code duplicateIp} check: ARP and Neighbor Discovery claims per address and DHCP
 * offers (intermittent dropouts).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DuplicateIpSpec {

  @JsonPropertyDescription(
      "Addresses to probe: IPv4 with ARP, IPv6 with Neighbor Solicitation. Default: the node's own"
          + " IPv4 and global IPv6 addresses on the interface.")
  @Size(max = 64)
  @ValidationRule(
      value = "self.all(x, x.matches(r'" + Patterns.IP_ANCHORED + "'))",
      message = "every address must be an IPv4 or IPv6 address")
  private List<@Size(max = 45) String> addresses;

  @JsonPropertyDescription("Interface to probe on. Default: the interface of the default route.")
  @Size(max = 15)
  @Pattern("^[A-Za-z0-9_.@-]+$")
  @JsonProperty("interface")
  private String interfaceName;

  @JsonPropertyDescription(
      "Also broadcast a DHCPDISCOVER and count the servers that offer (RogueDhcp).")
  private Boolean dhcp;

  @JsonPropertyDescription(
      "The DHCP servers (IPv4 server identifiers) allowed to offer; any other that offers is rogue."
          + " Default: any one server is fine, a second is rogue.")
  @Size(max = 16)
  @ValidationRule(
      value = "self.all(x, x.matches(r'" + Patterns.IPV4_ANCHORED + "'))",
      message = "every DHCP server must be an IPv4 address")
  private List<@Size(max = 15) String> dhcpServers;

  public List<String> getAddresses() {
    return addresses;
  }

  public void setAddresses(List<String> addresses) {
    this.addresses = addresses;
  }

  public String getInterfaceName() {
    return interfaceName;
  }

  public void setInterfaceName(String interfaceName) {
    this.interfaceName = interfaceName;
  }

  public List<String> getDhcpServers() {
    return dhcpServers;
  }

  public void setDhcpServers(List<String> dhcpServers) {
    this.dhcpServers = dhcpServers;
  }

  public Boolean getDhcp() {
    return dhcp;
  }

  public void setDhcp(Boolean dhcp) {
    this.dhcp = dhcp;
  }
}
