package io.ghosthunt.agent;

import io.ghosthunt.agent.check.Checks;
import io.ghosthunt.agent.cli.AgentCommand;
import io.ghosthunt.agent.cli.CdsTraining;
import io.ghosthunt.agent.cli.CheckCommand;
import io.ghosthunt.agent.cli.HuntCommand;
import io.ghosthunt.agent.cli.UsageException;
import io.ghosthunt.agent.redact.Redactor;
import java.util.Arrays;
import java.util.Set;

/** The {@code ghosthunt} command line. */
public final class Main {

  static final String HELP =
      """
      GhostHunt: hunts the seven classic network ghosts on live machines.

      Usage: ghosthunt COMMAND [options]

      Commands:
        check    run a GhostHunt's checks on this machine and print the findings
        hunt     run a GhostHunt in the cluster, wait for its verdict, write JUnit XML (for CI)
        demo     a haunted house on this machine: control plane, lab nodes, operator (./ghosthunt demo)
        agent    the probe pod's mode: run a hunt's checks on this node, write its status entry
        operator run the operator against the current kubeconfig (./ghosthunt operator --help)
        help     this help

      Run 'ghosthunt COMMAND --help' for a command's options.
      Exit codes (check and hunt alike): 0 no ghost, every check ran (Clear or Inconclusive: the
      live state did not let it tell, the output says why); 1 a ghost; 2 bad input, or something
      could not be checked (a check that could not run, a node not hunted, a failed hunt).
      """;

  private Main() {}

  public static void main(String[] argv) {
    System.exit(run(argv));
  }

  static int run(String[] argv) {
    if (argv.length == 0
        || argv[0].equals("help")
        || argv[0].equals("--help")
        || argv[0].equals("-h")) {
      System.out.print(HELP);
      return argv.length == 0 ? 2 : 0;
    }
    String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
    try {
      return switch (argv[0]) {
        case "check" -> new CheckCommand(Checks::live, System.out).run(rest);
        case "agent" -> new AgentCommand(Checks::onNode, System.out).run(rest);
        case "hunt" -> new HuntCommand(System.out, System.err).run(rest);
        case "cds-training" -> CdsTraining.run();
        case "demo" ->
            throw new UsageException("the demo runs from the source tree: ./ghosthunt demo");
        case "operator" ->
            throw new UsageException("the operator ships in its own jar: run ./ghosthunt operator");
        default -> throw new UsageException("unknown command '" + argv[0] + "'");
      };
    } catch (UsageException e) {
      // It may quote the hunt (a URL of its spec); an agent's stderr is its termination message.
      System.err.println(Redactor.redact("ghosthunt: " + e.getMessage()));
      System.err.println(
          "Run 'ghosthunt "
              + (Set.of("check", "agent", "hunt").contains(argv[0]) ? argv[0] + " " : "")
              + "--help' for usage.");
      return 2;
    } catch (RuntimeException e) {
      // The agent's last line is its pod's termination message: it may quote what failed.
      System.err.println(Redactor.redact("ghosthunt: failed: " + e));
      return 2;
    }
  }
}
