package io.ghosthunt.agent.check;

import io.ghosthunt.agent.host.DnsClient;
import io.ghosthunt.agent.host.HostsFile;
import io.ghosthunt.agent.host.ProcessTable;
import io.ghosthunt.agent.host.SocketTable;
import java.nio.file.Path;
import java.util.List;

/** The checks this build carries, wired to the live host. */
public final class Checks {
  private Checks() {}

  /** The checks against this machine's own /etc. */
  public static List<Check> live() {
    return live(Path.of("/etc"));
  }

  /**
   * The checks, reading the resolver configuration and hosts file from {@code etc}: in a probe pod
   * that is the node's /etc mounted from the host, since the pod's own files are what the kubelet
   * wrote for the pod (the cluster's DNS), not what the node's processes resolve with.
   */
  public static List<Check> live(Path etc) {
    SocketTable sockets = new SocketTable();
    ProcessTable processes = new ProcessTable();
    HostsFile hosts = new HostsFile(etc.resolve("hosts"));
    return List.of(
        new PortOwnerCheck(sockets, processes),
        new DnsCheck(hosts, etc.resolve("resolv.conf"), new DnsClient()),
        new Http2Check(),
        new MtuCheck(),
        new DuplicateIpCheck(),
        new LoopbackCheck(sockets, processes, hosts, etc.resolve("gai.conf")),
        new AsymmetricRouteCheck());
  }
}
