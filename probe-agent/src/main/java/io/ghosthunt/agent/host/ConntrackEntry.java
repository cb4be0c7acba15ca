package io.ghosthunt.agent.host;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection-tracking entry, as {@code conntrack -L} or /proc/net/nf_conntrack print it.
 *
 * @param protocol tcp, udp, icmp, ...
 * @param state the TCP state (SYN_SENT, ESTABLISHED, ...), empty for stateless protocols
 * @param original the original direction's src, dst, sport, dport
 * @param reply the reply direction's src, dst, sport, dport
 * @param unreplied whether the kernel flagged it [UNREPLIED]: no packet came back yet
 */
public record ConntrackEntry(
    String protocol,
    String state,
    Map<String, String> original,
    Map<String, String> reply,
    boolean unreplied,
    String line) {

  /** TCP stuck in the handshake or never answered: the mark of replies taking another path. */
  public boolean stuck() {
    return "tcp".equals(protocol)
        && (unreplied || "SYN_SENT".equals(state) || "SYN_RECV".equals(state));
  }

  public boolean involves(String address) {
    return address.equals(original.get("src")) || address.equals(original.get("dst"));
  }

  /** "tcp 198.51.100.10:40000 -> 203.0.113.10:80 SYN_SENT [UNREPLIED]" */
  public String describe() {
    return protocol
        + " "
        + original.get("src")
        + port(original.get("sport"))
        + " -> "
        + original.get("dst")
        + port(original.get("dport"))
        + (state.isEmpty() ? "" : " " + state)
        + (unreplied ? " [UNREPLIED]" : "");
  }

  private static String port(String p) {
    return p == null ? "" : ":" + p;
  }

  public static List<ConntrackEntry> parse(String text) {
    List<ConntrackEntry> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] t = line.trim().split("\\s+");
      int i = 0;
      if (t.length > 1 && (t[0].equals("ipv4") || t[0].equals("ipv6"))) {
        i = 2; // /proc/net/nf_conntrack and -o extended prefix the layer-3 name and number
      }
      if (t.length < i + 4) {
        continue;
      }
      String protocol = t[i];
      String state = "";
      Map<String, String> original = new HashMap<>();
      Map<String, String> reply = new HashMap<>();
      boolean unreplied = false;
      Map<String, String> current = original;
      for (int k = i + 3; k < t.length; k++) {
        String tok = t[k];
        int eq = tok.indexOf('=');
        if (eq > 0) {
          String key = tok.substring(0, eq);
          if (current.containsKey(key) && current == original && (key.equals("src"))) {
            current = reply;
          }
          if (key.equals("src")
              || key.equals("dst")
              || key.equals("sport")
              || key.equals("dport")) {
            current.put(key, tok.substring(eq + 1));
          }
        } else if (tok.equals("[UNREPLIED]")) {
          unreplied = true;
          current = reply;
        } else if (!tok.startsWith("[")
            && state.isEmpty()
            && original.isEmpty()
            && tok.chars().allMatch(c -> Character.isUpperCase(c) || c == '_')) {
          state = tok;
        }
      }
      if (!original.isEmpty()) {
        out.add(new ConntrackEntry(protocol, state, original, reply, unreplied, line.trim()));
      }
    }
    return out;
  }
}
