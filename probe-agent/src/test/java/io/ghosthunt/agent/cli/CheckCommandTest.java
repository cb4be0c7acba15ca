package io.ghosthunt.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.check.Check;
import io.ghosthunt.agent.check.CheckContext;
import io.ghosthunt.agent.check.Findings;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.status.Finding;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

  /** A check that only records what it was asked to do. */
  static final class Recording implements Check {
    final CheckKey key;
    final List<String> calls = new ArrayList<>();

    Recording(CheckKey key) {
      this.key = key;
    }

    @Override
    public CheckKey key() {
      return key;
    }

    @Override
    public void prefetch() {
      calls.add("prefetch");
    }

    @Override
    public List<Finding> run(ChecksSpec checks, CheckContext context) {
      calls.add("run");
      return List.of(Findings.clear(key, "tcp/8080", "port 8080 is free: the ghost is elsewhere"));
    }
  }

  @Test
  void checksTheHuntNamesStartReadingTheHostBeforeItIsParsed() {
    Recording ports = new Recording(CheckKey.PORT_OWNER);
    Recording loopback = new Recording(CheckKey.LOOPBACK);
    CheckCommand.prefetch(
        List.of(ports, loopback), "spec:\n  checks:\n    portOwner: {ports: [1]}");
    assertEquals(List.of("prefetch"), ports.calls);
    assertEquals(List.of(), loopback.calls);

    // A target derives the checks: any of them may run.
    CheckCommand.prefetch(List.of(loopback), "spec: {target: 'http://127.0.0.1:8080/'}");
    assertEquals(List.of("prefetch"), loopback.calls);
  }

  @Test
  void aHuntFileRunsItsChecksAndPrintsTheirFindings(@TempDir Path dir) throws Exception {
    Path hunt = dir.resolve("hunt.yaml");
    Files.writeString(
        hunt,
        """
        apiVersion: ghosthunt.io/v1alpha1
        kind: GhostHunt
        metadata: {name: tuesday}
        spec:
          checks:
            portOwner: {ports: [8080]}
        """);
    Recording ports = new Recording(CheckKey.PORT_OWNER);
    Recording dns = new Recording(CheckKey.DNS);
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int exit =
        new CheckCommand(etc -> List.of(ports, dns), new PrintStream(out, true, "UTF-8"))
            .run(new String[] {"-f", hunt.toString(), "--node", "n1"});

    assertEquals(0, exit);
    assertEquals(List.of("prefetch", "run"), ports.calls);
    assertEquals(List.of(), dns.calls);
    String table = out.toString(StandardCharsets.UTF_8);
    assertTrue(table.contains("GhostHunt tuesday on n1"), table);
    assertTrue(table.contains("port 8080 is free"), table);
  }

  @Test
  void helpListsTheSymptomsAndBadInputSaysWhatIsWrong(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CheckCommand command = new CheckCommand(etc -> List.of(), new PrintStream(out, true, "UTF-8"));
    assertEquals(0, command.run(new String[] {"--help"}));
    assertTrue(
        out.toString(StandardCharsets.UTF_8)
            .contains("for a symptom: ServiceWontStart, WrongServer, OneClientFails"));

    Path typo = dir.resolve("typo.yaml");
    Files.writeString(
        typo, "apiVersion: ghosthunt.io/v1alpha1\nkind: GhostHunt\nspce: {}\nspec: {}\n");
    assertEquals(
        typo + ": unknown field 'spce'; known: apiVersion, kind, metadata, spec, status",
        assertThrows(UsageException.class, () -> command.run(new String[] {"-f", typo.toString()}))
            .getMessage());
  }

  @Test
  void aSelectorTheApiServerWouldRefuseIsRefusedHereToo(@TempDir Path dir) throws Exception {
    CheckCommand command =
        new CheckCommand(etc -> List.of(), new PrintStream(new ByteArrayOutputStream()));
    Path hunt = dir.resolve("hunt.yaml");
    Files.writeString(
        hunt,
        """
        apiVersion: ghosthunt.io/v1alpha1
        kind: GhostHunt
        metadata: {name: issue-24}
        spec:
          target: app.example.com
          nodes:
            selector:
              matchLabels: {role: web server}
              matchExpressions: [{key: a, operator: Foo}]
        """);
    String message =
        assertThrows(UsageException.class, () -> command.run(new String[] {"-f", hunt.toString()}))
            .getMessage();
    assertEquals(
        List.of(
            "the hunt cannot run:",
            "  - spec.nodes.selector.matchLabels[role]: 'web server' is not a label value: empty,"
                + " or at most 63 letters, digits, '-', '_' or '.', beginning and ending with a"
                + " letter or digit",
            "  - spec.nodes.selector.matchExpressions[0].operator: 'Foo' is not one of In, NotIn,"
                + " Exists, DoesNotExist"),
        message.lines().toList());

    // A selector field the model does not know is refused by name (the client's LabelSelector
    // kept unknown fields and ignored them).
    Files.writeString(
        hunt,
        """
        apiVersion: ghosthunt.io/v1alpha1
        kind: GhostHunt
        spec: {target: app.example.com, nodes: {selector: {matchLabel: {role: web}}}}
        """);
    assertEquals(
        hunt
            + ": spec.nodes.selector.matchLabel: unknown field 'matchLabel'; known:"
            + " matchExpressions, matchLabels",
        assertThrows(UsageException.class, () -> command.run(new String[] {"-f", hunt.toString()}))
            .getMessage());
  }

  @Test
  void aLocalCheckPrintsItsFindingsRedactedInBothFormats(@TempDir Path dir) throws Exception {
    Path hunt = dir.resolve("hunt.yaml");
    Files.writeString(
        hunt,
        "apiVersion: ghosthunt.io/v1alpha1\nkind: GhostHunt\nmetadata: {name: t}\n"
            + "spec:\n  checks:\n    portOwner: {ports: [8080]}\n");
    Check squatter =
        new Check() {
          @Override
          public CheckKey key() {
            return CheckKey.PORT_OWNER;
          }

          @Override
          public List<Finding> run(ChecksSpec checks, CheckContext context) {
            Finding f =
                Findings.ghost(
                    CheckKey.PORT_OWNER,
                    "tcp/8080",
                    io.ghosthunt.api.status.GhostName.OrphanedPort,
                    "port 8080 is held by PID 4242 (app --token s3cr3t-abc --port=8080)",
                    "kill 4242");
            f.evidence("command", "app --token s3cr3t-abc postgres://u:p@h/db");
            return List.of(f);
          }
        };
    for (String format : List.of("table", "json")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int exit =
          new CheckCommand(etc -> List.of(squatter), new PrintStream(out, true, "UTF-8"))
              .run(new String[] {"-f", hunt.toString(), "--node", "n1", "-o", format});
      String printed = out.toString(StandardCharsets.UTF_8);
      assertEquals(1, exit, printed);
      assertTrue(printed.contains("app --token *** postgres://***@h/db"), printed);
      assertTrue(!printed.contains("s3cr3t-abc") && !printed.contains(":p@"), printed);
    }
  }
}
