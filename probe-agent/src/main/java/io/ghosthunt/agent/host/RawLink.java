package io.ghosthunt.agent.host;

import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;

/**
 * Raw frames on one interface through libpcap (pcap4j): send exactly the bytes a probe needs and
 * see every answer, including the ICMP errors and ARP replies the kernel's sockets would hide.
 * Needs CAP_NET_RAW (the probe pod has it).
 */
public final class RawLink implements AutoCloseable {

  /** The kernel hands captured frames over in blocks, at the latest after this long. */
  private static final int READ_TIMEOUT_MS = 5;

  /** Between two looks at an empty capture buffer. */
  private static final long IDLE_NANOS = 200_000;

  private final PcapHandle handle;
  private final String name;
  private final byte[] mac;
  private final int mtu;

  private RawLink(PcapHandle handle, String name, byte[] mac, int mtu) {
    this.handle = handle;
    this.name = name;
    this.mac = mac;
    this.mtu = mtu;
  }

  /**
   * Opens {@code iface} for incoming frames matching {@code filter} (BPF, as tcpdump writes it).
   * Fails with the reason in words: no such interface, not Ethernet, no libpcap, no permission.
   */
  public static RawLink open(String iface, String filter) throws IOException {
    NetworkInterface ni;
    try {
      ni = NetworkInterface.getByName(iface);
    } catch (SocketException e) {
      throw new IOException("interface " + iface + ": " + e.getMessage(), e);
    }
    if (ni == null) {
      throw new IOException("no interface " + iface + " on this node");
    }
    byte[] mac = ni.getHardwareAddress();
    if (mac == null || mac.length != 6) {
      throw new IOException(
          "interface "
              + iface
              + " has no Ethernet address (loopback, tunnel or point-to-point):"
              + " raw probes need an Ethernet interface");
    }
    try {
      PcapHandle h =
          new PcapHandle.Builder(iface)
              .snaplen(ni.getMTU() + 64)
              .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
              .timeoutMillis(READ_TIMEOUT_MS)
              .direction(PcapHandle.PcapDirection.IN)
              .build();
      try {
        h.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
        // A blocking read on Linux may never return while nothing arrives (TPACKET_V3 retires no
        // empty block), and a black hole is exactly nothing arriving: read without blocking.
        h.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
      } catch (PcapNativeException | NotOpenException e) {
        h.close();
        throw new IOException("capture filter \"" + filter + "\": " + e.getMessage(), e);
      }
      return new RawLink(h, iface, mac, ni.getMTU());
    } catch (PcapNativeException e) {
      throw new IOException(
          "libpcap cannot open "
              + iface
              + ": "
              + e.getMessage()
              + " (the agent needs CAP_NET_RAW and CAP_NET_ADMIN)",
          e);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw new IOException(
          "libpcap is not installed on this node (Debian: libpcap0.8): " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  public byte[] mac() {
    return mac.clone();
  }

  public int mtu() {
    return mtu;
  }

  public void send(byte[] frame) throws IOException {
    try {
      handle.sendPacket(frame);
    } catch (PcapNativeException | NotOpenException e) {
      throw new IOException(
          "sending " + frame.length + " bytes on " + name + ": " + e.getMessage(), e);
    }
  }

  /** The next frame that passes the filter, or null once {@code until} has passed. */
  public byte[] receive(Instant until) throws IOException {
    while (true) {
      try {
        byte[] frame = handle.getNextRawPacket();
        if (frame != null) {
          return frame;
        }
      } catch (NotOpenException e) {
        throw new IOException(e);
      }
      if (!Instant.now().isBefore(until)) {
        return null;
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new IOException("interrupted");
      }
      LockSupport.parkNanos(IDLE_NANOS);
    }
  }

  @Override
  public void close() {
    handle.close();
  }
}
