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

  public static List<Check> live() {
    SocketTable sockets = new SocketTable();
    ProcessTable processes = new ProcessTable();
    return List.of(
        new PortOwnerCheck(sockets, processes),
        new DnsCheck(new HostsFile(Path.of("/etc/hosts")), Path.of("/etc/resolv.conf"), new DnsClient()),
        new Http2Check(),
        new MtuCheck(),
        new DuplicateIpCheck(),
        new LoopbackCheck(sockets, processes),
        new AsymmetricRouteCheck());
  }
}
