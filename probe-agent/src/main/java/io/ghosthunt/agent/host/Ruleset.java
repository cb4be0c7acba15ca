package io.ghosthunt.agent.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live firewall: {@code nft -j list ruleset} (native nftables and iptables-nft alike), plus
 * {@code iptables-legacy-save} where the legacy backend holds rules.
 */
public final class Ruleset {

  /** The rules read, and why a source could not be read (empty when all went well). */
  public record Read(List<FirewallRule> rules, List<String> problems) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private Ruleset() {}

  public static Read read(Duration timeout) {
    List<FirewallRule> rules = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Commands.Result nft = Commands.run(timeout, "nft", "-j", "list", "ruleset");
    if (nft.ok()) {
      try {
        rules.addAll(parseNft(nft.stdout()));
      } catch (IOException e) {
        problems.add("nft -j list ruleset: unreadable JSON: " + e.getMessage());
      }
    } else {
      problems.add(nft.failure());
    }
    for (String save : List.of("iptables-legacy-save", "ip6tables-legacy-save")) {
      if (onPath(save)) {
        Commands.Result legacy = Commands.run(timeout, save);
        if (legacy.ok()) {
          rules.addAll(parseIptablesSave(save.replace("-save", ""), legacy.stdout()));
        }
      }
    }
    return new Read(rules, problems);
  }

  private static boolean onPath(String tool) {
    for (String dir :
        System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  static List<FirewallRule> parseNft(String json) throws IOException {
    JsonNode root = JSON.readTree(json).path("nftables");
    Map<String, String> hooks = new HashMap<>();
    List<FirewallRule> rules = new ArrayList<>();
    for (JsonNode item : root) {
      JsonNode chain = item.get("chain");
      if (chain != null && chain.has("hook")) {
        hooks.put(
            chain.path("family").asText()
                + " "
                + chain.path("table").asText()
                + " "
                + chain.path("name").asText(),
            chain.path("hook").asText());
      }
      JsonNode rule = item.get("rule");
      if (rule == null) {
        continue;
      }
      String chainId =
          rule.path("family").asText()
              + " "
              + rule.path("table").asText()
              + " "
              + rule.path("chain").asText();
      List<FirewallRule.Match> matches = new ArrayList<>();
      List<String> text = new ArrayList<>();
      String verdict = null;
      Long packets = null;
      for (JsonNode e : rule.path("expr")) {
        String kind = e.fieldNames().hasNext() ? e.fieldNames().next() : "";
        JsonNode v = e.get(kind);
        switch (kind) {
          case "match" -> {
            String key = left(v.path("left"));
            List<String> values = right(v.path("right"));
            boolean negated = "!=".equals(v.path("op").asText());
            matches.add(new FirewallRule.Match(key, negated, values));
            text.add(
                key
                    + (negated ? " != " : " ")
                    + (values.size() == 1
                        ? values.get(0)
                        : "{ " + String.join(", ", values) + " }"));
          }
          case "counter" -> {
            packets = v.path("packets").asLong();
            text.add("counter packets " + packets);
          }
          case "accept", "drop", "return" -> {
            verdict = kind;
            text.add(kind);
          }
          case "reject" -> {
            verdict = "reject";
            text.add("reject");
          }
          case "jump", "goto" -> {
            verdict = kind + " " + v.path("target").asText();
            text.add(verdict);
          }
          case "xt" -> {
            // iptables-nft targets and matches nft cannot express natively.
            String name = v.path("name").asText();
            if ("target".equals(v.path("type").asText())
                && ("REJECT".equals(name) || "DROP".equals(name))) {
              verdict = name.toLowerCase(java.util.Locale.ROOT);
            }
            text.add("xt " + v.path("type").asText() + " " + name);
          }
          default -> text.add(kind);
        }
      }
      rules.add(
          new FirewallRule(
              "nft " + chainId + " handle " + rule.path("handle").asText(),
              hooks.get(chainId),
              matches,
              verdict,
              packets,
              String.join(" ", text)));
    }
    return rules;
  }

  private static String left(JsonNode left) {
    if (left.has("meta")) {
      return left.path("meta").path("key").asText();
    }
    if (left.has("payload")) {
      return left.path("payload").path("protocol").asText()
          + " "
          + left.path("payload").path("field").asText();
    }
    if (left.has("ct")) {
      return "ct " + left.path("ct").path("key").asText();
    }
    return left.toString();
  }

  private static List<String> right(JsonNode right) {
    List<String> out = new ArrayList<>();
    if (right.isArray()) {
      right.forEach(n -> out.addAll(right(n)));
    } else if (right.has("set")) {
      right.get("set").forEach(n -> out.addAll(right(n)));
    } else if (right.has("prefix")) {
      out.add(
          right.path("prefix").path("addr").asText()
              + "/"
              + right.path("prefix").path("len").asText());
    } else if (right.has("range")) {
      out.add(right.path("range").get(0).asText() + "-" + right.path("range").get(1).asText());
    } else {
      out.add(right.asText());
    }
    return out;
  }

  private static final Pattern OPT = Pattern.compile("(!\\s+)?(-[a-z]|--[a-z-]+)\\s+(\\S+)");

  static List<FirewallRule> parseIptablesSave(String tool, String save) {
    List<FirewallRule> rules = new ArrayList<>();
    String table = "filter";
    Map<String, Integer> counts = new HashMap<>();
    for (String line : save.split("\n")) {
      if (line.startsWith("*")) {
        table = line.substring(1).trim();
      } else if (line.startsWith("-A ")) {
        String[] parts = line.split("\\s+", 3);
        String chain = parts[1];
        int n = counts.merge(table + chain, 1, Integer::sum);
        List<FirewallRule.Match> matches = new ArrayList<>();
        String verdict = null;
        String proto = "tcp";
        Matcher m = OPT.matcher(parts.length > 2 ? parts[2] : "");
        while (m.find()) {
          boolean neg = m.group(1) != null;
          String value = m.group(3);
          switch (m.group(2)) {
            case "-i", "--in-interface" ->
                matches.add(new FirewallRule.Match("iifname", neg, List.of(value)));
            case "-o", "--out-interface" ->
                matches.add(new FirewallRule.Match("oifname", neg, List.of(value)));
            case "-s", "--source" ->
                matches.add(
                    new FirewallRule.Match(
                        tool.startsWith("ip6") ? "ip6 saddr" : "ip saddr", neg, List.of(value)));
            case "-d", "--destination" ->
                matches.add(
                    new FirewallRule.Match(
                        tool.startsWith("ip6") ? "ip6 daddr" : "ip daddr", neg, List.of(value)));
            case "-p", "--protocol" -> proto = value;
            case "--dport", "--dports" ->
                matches.add(
                    new FirewallRule.Match(proto + " dport", neg, List.of(value.split(","))));
            case "--ctstate", "--state" ->
                matches.add(
                    new FirewallRule.Match(
                        "ct state",
                        neg,
                        List.of(value.toLowerCase(java.util.Locale.ROOT).split(","))));
            case "-j" -> verdict = value.toLowerCase(java.util.Locale.ROOT);
            default -> {}
          }
        }
        String hook =
            switch (chain) {
              case "INPUT" -> "input";
              case "OUTPUT" -> "output";
              case "FORWARD" -> "forward";
              case "PREROUTING" -> "prerouting";
              case "POSTROUTING" -> "postrouting";
              default -> null;
            };
        rules.add(
            new FirewallRule(
                tool + " " + table + " " + chain + " rule " + n,
                hook,
                matches,
                verdict,
                null,
                line));
      }
    }
    return rules;
  }
}
