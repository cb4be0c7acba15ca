package io.ghosthunt.agent.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ghosthunt.agent.check.Check;
import io.ghosthunt.agent.check.CheckRunner;
import io.ghosthunt.agent.check.ConfigMaps;
import io.ghosthunt.api.HuntResolver;
import io.ghosthunt.api.InvalidHuntException;
import io.ghosthunt.api.ResolvedHunt;
import io.ghosthunt.api.ServiceFacts;
import io.ghosthunt.api.spec.GhostHuntSpec;
import io.ghosthunt.api.spec.Symptom;
import io.ghosthunt.api.status.NodeStatus;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code ghosthunt check}: run a hunt's checks on this machine and print the findings. */
public final class CheckCommand {

  // Not String.formatted: java.util.Formatter's locale data costs a cold JVM ~20 ms on every run,
  // help or not.
  private static final String HELP =
      """
      Usage: ghosthunt check [-f FILE | --target URL|HOST[:PORT]] [options]

      Runs a GhostHunt's checks on this machine, against its live state, and prints the findings.
      With neither -f nor --target it runs the embedded default hunt (examples/tuesday-possession.yaml:
      who holds port 8080, when java should).

        -f, --file FILE        a GhostHunt YAML file, as you would kubectl apply it ('-' reads stdin)
            --target T         shorthand without a file: an http(s) URL or host[:port]; every check
                               derives its inputs from it (see the README for the rules)
            --symptom S        narrow to the checks for a symptom: {symptoms}
        -o, --output FORMAT    table (default: a checklist for people) or json (one status.nodes
                               entry: {"node": ..., "findings": [...]}, for scripts)
            --node NAME        the node name to report (default: $NODE_NAME, else the host name)
            --timeout SECONDS  bound for the whole hunt (default: spec.timeoutSeconds, else 120)
            --ca-file FILE     PEM CA bundle for http2 (what http2.caBundleConfigMap names in a cluster)
            --services FILE    what the API says of the Services the dns names may name, as a pod
                               hunt's probe writes it (JSON): a Service name's answer is compared
                               with its ClusterIP, and a cluster DNS cache told from kube-dns
            --etc DIR          read resolv.conf and hosts from DIR instead of /etc, e.g. a
                               container's (/proc/PID/root/etc) when run inside its network
                               namespace (nsenter --net=/proc/PID/ns/net), as a pod hunt's probe does;
                               their links are followed inside DIR's parent, as that root sees them;
                               http2's hosts and loopback's "localhost" resolve through them too
                               (the hosts file, then resolv.conf's nameservers, search and ndots)
        -h, --help             this help

      Checks read kernel state (sockets, processes, conntrack, the firewall): run as root for
      complete answers. A check that cannot run says why (verdict error) instead of failing the hunt.

      Exit codes (check and hunt alike): 0 no ghost, every check ran (Clear or Inconclusive: the
      live state did not let it tell, the output says why); 1 a ghost; 2 bad input, or something
      could not be checked (a check that could not run, a node not hunted, a failed hunt).

      Examples:
        ghosthunt check
        ghosthunt check -f examples/localhost-cant-connect.yaml
        ghosthunt check --target http://127.0.0.1:8080/ --symptom LocalhostCantConnect -o json
      """;

  /** --services FILE: what a pod hunt's probe read from the operator, for the dns check. */
  private static ServiceFacts services(Args args) throws UsageException {
    if (!args.has("services")) {
      return ServiceFacts.NONE;
    }
    Path file = Path.of(args.get("services"));
    try {
      return ServiceFacts.decode(Files.readString(file));
    } catch (java.io.IOException e) {
      throw new UsageException("--services " + file + ": no such readable file");
    } catch (IllegalArgumentException e) {
      throw new UsageException("--services " + file + ": " + e.getMessage());
    }
  }

  private final java.util.function.Function<Path, List<Check>> checks;
  private final PrintStream out;

  /**
   * @param checks the checks, given the folder to read resolv.conf and hosts from
   */
  public CheckCommand(java.util.function.Function<Path, List<Check>> checks, PrintStream out) {
    this.checks = checks;
    this.out = out;
  }

  public int run(String[] argv) throws UsageException {
    Args args =
        Args.parse(
            argv,
            Set.of(
                "file",
                "target",
                "symptom",
                "output",
                "node",
                "timeout",
                "ca-file",
                "etc",
                "services"),
            Set.of("help"),
            Map.of("f", "file", "o", "output", "h", "help"));
    if (args.has("help")) {
      out.print(
          HELP.replace(
              "{symptoms}",
              Arrays.stream(Symptom.values()).map(Enum::name).collect(Collectors.joining(", "))));
      return 0;
    }
    if (!args.positional().isEmpty()) {
      throw new UsageException("unexpected argument '" + args.positional().get(0) + "'");
    }
    if (args.has("file") && args.has("target")) {
      throw new UsageException("give either -f FILE or --target, not both");
    }
    String output = args.has("output") ? args.get("output") : "table";
    if (!output.equals("table") && !output.equals("json")) {
      throw new UsageException("--output must be table or json, not '" + output + "'");
    }
    Path etc = Path.of(args.has("etc") ? args.get("etc") : "/etc");
    if (!Files.isDirectory(etc)) {
      throw new UsageException("--etc " + etc + " is not a directory");
    }
    List<Check> all = checks.apply(etc);
    HuntFiles.LocalHunt hunt;
    if (args.has("file")) {
      String text = HuntFiles.text(args.get("file"));
      prefetch(all, text);
      hunt = HuntFiles.parseLocal(text, HuntFiles.source(args.get("file")));
    } else if (args.has("target")) {
      GhostHuntSpec spec = new GhostHuntSpec();
      spec.setTarget(args.get("target"));
      hunt = new HuntFiles.LocalHunt("local", spec);
    } else {
      String text = HuntFiles.embeddedDefaultText();
      prefetch(all, text);
      hunt = HuntFiles.parseLocal(text, HuntFiles.EMBEDDED);
    }
    if (args.has("symptom")) {
      try {
        hunt.spec().setSymptom(Symptom.valueOf(args.get("symptom")));
      } catch (IllegalArgumentException e) {
        throw new UsageException(
            "--symptom '"
                + args.get("symptom")
                + "' is not one of "
                + Arrays.stream(Symptom.values())
                    .map(Enum::name)
                    .collect(Collectors.joining(", ")));
      }
    }
    ResolvedHunt resolved;
    try {
      resolved = HuntResolver.resolve(hunt.spec());
    } catch (InvalidHuntException e) {
      throw new UsageException("the hunt cannot run:\n  - " + String.join("\n  - ", e.problems()));
    }
    Duration timeout =
        Duration.ofSeconds(
            args.has("timeout")
                ? seconds(args.get("timeout"))
                : hunt.spec().timeoutSecondsOrDefault());
    ConfigMaps configMaps = ConfigMaps.NONE;
    if (args.has("ca-file")) {
      Path ca = Path.of(args.get("ca-file"));
      if (!Files.isReadable(ca)) {
        throw new UsageException("--ca-file " + ca + ": no such readable file");
      }
      configMaps = (name, key) -> Files.readAllBytes(ca);
    }
    NodeStatus node =
        new CheckRunner(all)
            .run(resolved, nodeName(args.get("node")), timeout, configMaps, services(args));
    if (output.equals("json")) {
      ObjectMapper json =
          new ObjectMapper()
              .setSerializationInclusion(JsonInclude.Include.NON_NULL)
              .enable(SerializationFeature.INDENT_OUTPUT);
      try {
        out.println(json.writeValueAsString(node));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    } else {
      String name = hunt.name() == null ? "local" : hunt.name();
      FindingsTable.print(out, name, node, resolved.skipped());
    }
    return ExitCodes.of(false, List.of(node));
  }

  /**
   * Lets the checks the hunt may run start reading the host while its file is parsed: a check is
   * likely when the text names it, any check with a port when it names a target. A guess from the
   * raw text, before any parsing; a wrong one wastes only the background work.
   */
  static void prefetch(List<Check> checks, String huntText) {
    for (Check c : checks) {
      if (huntText.contains(c.key().key()) || huntText.contains("target")) {
        c.prefetch();
      }
    }
  }

  private static int seconds(String text) throws UsageException {
    try {
      int s = Integer.parseInt(text);
      if (s < 1 || s > 3600) {
        throw new NumberFormatException();
      }
      return s;
    } catch (NumberFormatException e) {
      throw new UsageException(
          "--timeout must be a number of seconds from 1 to 3600, not '" + text + "'");
    }
  }

  static String nodeName(String explicit) {
    if (explicit != null) {
      return explicit;
    }
    String env = System.getenv("NODE_NAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }
}
