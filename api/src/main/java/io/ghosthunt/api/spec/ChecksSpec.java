package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Explicit check inputs. A check named here always runs; its fields override what spec.target
 * derives for it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "has(self.portOwner) || has(self.dns) || has(self.http2) || has(self.mtu)"
            + " || has(self.duplicateIp) || has(self.asymmetricRoute) || has(self.loopback)",
    message = "checks must name at least one check")
public class ChecksSpec {

  @JsonPropertyDescription(
      "Who holds a port: socket table to inode to PID (ss -ltnp). Ghost: OrphanedPort.")
  private PortOwnerSpec portOwner;

  @JsonPropertyDescription(
      "What the node resolves against the authority (dig @auth, hosts file). Ghost: StaleDns.")
  private DnsSpec dns;

  @JsonPropertyDescription(
      "The same request over HTTP/2 and HTTP/1.1 (curl --http1.1). Ghost: Http2Quirk.")
  private Http2Spec http2;

  @JsonPropertyDescription(
      "Don't-fragment probes of growing size (ping -M do). Ghost: MtuBlackhole.")
  private MtuSpec mtu;

  @JsonPropertyDescription(
      "ARP replies per IP and DHCP offers (arping). Ghosts: DuplicateIp, RogueDhcp.")
  private DuplicateIpSpec duplicateIp;

  @JsonPropertyDescription(
      "Conntrack state of flows to a peer (conntrack -L). Ghost: AsymmetricRoute.")
  private AsymmetricRouteSpec asymmetricRoute;

  @JsonPropertyDescription(
      "Loopback listeners, connect result, lo/127.0.0.0/8 firewall rules. Ghost: LoopbackBlocked.")
  private LoopbackSpec loopback;

  public PortOwnerSpec getPortOwner() {
    return portOwner;
  }

  public void setPortOwner(PortOwnerSpec portOwner) {
    this.portOwner = portOwner;
  }

  public DnsSpec getDns() {
    return dns;
  }

  public void setDns(DnsSpec dns) {
    this.dns = dns;
  }

  public Http2Spec getHttp2() {
    return http2;
  }

  public void setHttp2(Http2Spec http2) {
    this.http2 = http2;
  }

  public MtuSpec getMtu() {
    return mtu;
  }

  public void setMtu(MtuSpec mtu) {
    this.mtu = mtu;
  }

  public DuplicateIpSpec getDuplicateIp() {
    return duplicateIp;
  }

  public void setDuplicateIp(DuplicateIpSpec duplicateIp) {
    this.duplicateIp = duplicateIp;
  }

  public AsymmetricRouteSpec getAsymmetricRoute() {
    return asymmetricRoute;
  }

  public void setAsymmetricRoute(AsymmetricRouteSpec asymmetricRoute) {
    this.asymmetricRoute = asymmetricRoute;
  }

  public LoopbackSpec getLoopback() {
    return loopback;
  }

  public void setLoopback(LoopbackSpec loopback) {
    this.loopback = loopback;
  }
}
