package io.ghosthunt.agent.check;

import io.ghosthunt.agent.host.DnsClient;
import io.ghosthunt.agent.host.ForeignRoot;
import io.ghosthunt.agent.host.HostsFile;
import io.ghosthunt.agent.host.PodResolver;
import io.ghosthunt.agent.host.ProcessTable;
import io.ghosthunt.agent.host.SocketTable;
import java.nio.file.Path;
import java.util.List;

/** The checks this build carries, wired to the live host. */
public final class Checks {
  private Checks() {}

  /**
   * The node's /run/systemd/resolve as the probe pod mounts it next to the node's /etc: where the
   * node's resolv.conf links lead under systemd-resolved.
   */
  public static final String RESOLVED_RUN = "/run/systemd/resolve";

  /** The checks against this machine's own /etc. */
  public static List<Check> live() {
    return live(Path.of("/etc"));
  }

  /**
   * The checks, reading the resolver configuration and hosts file from {@code etc}, their links
   * followed inside {@code etc}'s parent: {@code /proc/PID/root/etc} is a pod's own, a link in it
   * leads within the pod. Outside this machine's own /etc, host names resolve through those files
   * too: the JVM's lookup would read the probe's.
   */
  public static List<Check> live(Path etc) {
    Path abs = etc.toAbsolutePath();
    Path parent = abs.getParent();
    if (parent == null) {
      return live(ForeignRoot.whole(abs), "/", true);
    }
    boolean own = abs.normalize().equals(Path.of("/etc"));
    return live(ForeignRoot.whole(parent), "/" + abs.getFileName(), !own);
  }

  /**
   * The checks of a probe pod, given where the node's /etc is mounted: in a probe pod that is the
   * node's /etc mounted from the host, since the pod's own files are what the kubelet wrote for the
   * pod (the cluster's DNS), not what the node's processes resolve with. Only it and {@link
   * #RESOLVED_RUN} are the node's under its parent; at /etc itself (the agent run by hand on a
   * node) the whole machine is.
   */
  public static List<Check> onNode(Path hostEtc) {
    Path abs = hostEtc.toAbsolutePath().normalize();
    if (abs.equals(Path.of("/etc"))) {
      return live(abs);
    }
    String etc = "/" + abs.getFileName();
    // The names of http2's URLs stay the JVM's there, as node hunts have always resolved them.
    return live(ForeignRoot.partial(abs.getParent(), List.of(etc, RESOLVED_RUN)), etc, false);
  }

  /**
   * The checks, reading resolv.conf, hosts and gai.conf from the folder {@code etc} of {@code
   * root}.
   *
   * @param namesInRoot whether http2's URLs and loopback's "localhost" resolve through those files
   *     and resolv.conf's nameservers (a pod's), or as on a node (the JVM's lookup; the hosts file
   *     alone for "localhost")
   */
  public static List<Check> live(ForeignRoot root, String etc, boolean namesInRoot) {
    String in = etc.endsWith("/") ? etc : etc + "/";
    SocketTable sockets = new SocketTable();
    ProcessTable processes = new ProcessTable();
    HostsFile hosts = new HostsFile(root, in + "hosts");
    DnsClient dns = new DnsClient();
    PodResolver names = namesInRoot ? new PodResolver(hosts, root, in + "resolv.conf", dns) : null;
    return List.of(
        new PortOwnerCheck(sockets, processes),
        new DnsCheck(hosts, root, in + "resolv.conf", dns),
        new Http2Check(names),
        new MtuCheck(),
        new DuplicateIpCheck(),
        new LoopbackCheck(sockets, processes, hosts, root, in + "gai.conf", names),
        new AsymmetricRouteCheck());
  }
}
