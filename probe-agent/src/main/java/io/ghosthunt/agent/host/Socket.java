package io.ghosthunt.agent.host;

import java.net.InetAddress;

/**
 * One row of the kernel's socket table (/proc/net/{tcp,tcp6,udp,udp6}).
 *
 * @param protocol "tcp" or "udp"
 * @param state the kernel state (LISTEN, ESTABLISHED, TIME_WAIT, CLOSE_WAIT, ..., UNCONN for UDP)
 * @param inode the socket inode, 0 for sockets no process owns any more (TIME_WAIT)
 */
public record Socket(
    String protocol,
    InetAddress localAddress,
    int localPort,
    InetAddress remoteAddress,
    int remotePort,
    String state,
    long inode,
    int uid) {

  public boolean listening() {
    return "LISTEN".equals(state) || ("udp".equals(protocol) && "UNCONN".equals(state));
  }

  public String local() {
    return format(localAddress, localPort);
  }

  public static String format(InetAddress address, int port) {
    String host = Addresses.text(address);
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
