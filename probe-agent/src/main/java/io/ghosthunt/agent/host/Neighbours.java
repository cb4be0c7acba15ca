package io.ghosthunt.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's IPv4 neighbour (ARP) table, /proc/net/arp: which MAC this node currently believes.
 */
public final class Neighbours {
  private Neighbours() {}

  /** address → "MAC on DEV" for complete entries. */
  public static Map<String, String> read() {
    Map<String, String> table = new LinkedHashMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/net/arp"));
    } catch (IOException e) {
      return table;
    }
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      String[] f = line.trim().split("\\s+");
      // Flags 0x2 is ATF_COM: resolved. An incomplete entry has a zero MAC.
      if (f.length >= 6 && (Integer.decode(f[2]) & 0x2) != 0) {
        table.put(f[0], f[3] + " on " + f[5]);
      }
    }
    return table;
  }
}
