package io.ghosthunt.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ghosthunt.api.GhostHunt;
import java.util.List;
import org.junit.jupiter.api.Test;

class HuntFilesTest {

  @Test
  void theEmbeddedDefaultIsTheTuesdayPossession() throws Exception {
    GhostHunt hunt = HuntFiles.embeddedDefault();
    assertEquals("tuesday-possession", hunt.getMetadata().getName());
    assertEquals("java", hunt.getSpec().getChecks().getPortOwner().getExpectedProcess());
  }

  @Test
  void errorsNameTheFieldAndWhatIsAllowed() {
    String head = "apiVersion: ghosthunt.io/v1alpha1\nkind: GhostHunt\nmetadata: {name: x}\n";
    assertEquals(
        "f: spec.checks.portOwner.pots: unknown field 'pots'; known: expectedProcess, ports, protocol",
        assertThrows(
                UsageException.class,
                () -> HuntFiles.parse(head + "spec: {checks: {portOwner: {pots: [1]}}}", "f"))
            .getMessage());
    assertEquals(
        "f: spec.checks.portOwner.protocol: 'SCTP' is not valid; one of TCP, UDP",
        assertThrows(
                UsageException.class,
                () -> HuntFiles.parse(head + "spec: {checks: {portOwner: {protocol: SCTP}}}", "f"))
            .getMessage());
    assertEquals(
        "f: expected apiVersion ghosthunt.io/v1alpha1 and kind GhostHunt, found v1 and Pod",
        assertThrows(
                UsageException.class, () -> HuntFiles.parse("apiVersion: v1\nkind: Pod\n", "f"))
            .getMessage());
    assertEquals(
        "f: the GhostHunt has no spec",
        assertThrows(UsageException.class, () -> HuntFiles.parse(head, "f")).getMessage());
  }

  @Test
  void theLocalReadBindsTheSpecWithTheSameErrors() throws Exception {
    String head = "apiVersion: ghosthunt.io/v1alpha1\nkind: GhostHunt\nmetadata: {name: x}\n";
    HuntFiles.LocalHunt hunt =
        HuntFiles.parseLocal(head + "spec: {checks: {portOwner: {ports: [8080]}}}", "f");
    assertEquals("x", hunt.name());
    assertEquals(List.of(8080), hunt.spec().getChecks().getPortOwner().getPorts());
    assertEquals(
        "f: spec.checks.portOwner.pots: unknown field 'pots'; known: expectedProcess, ports, protocol",
        assertThrows(
                UsageException.class,
                () -> HuntFiles.parseLocal(head + "spec: {checks: {portOwner: {pots: [1]}}}", "f"))
            .getMessage());
    assertEquals(
        "f: spec.timeoutSeconds: 'soon' is not valid (expected Integer)",
        assertThrows(
                UsageException.class,
                () -> HuntFiles.parseLocal(head + "spec: {timeoutSeconds: soon}", "f"))
            .getMessage());
    assertEquals(
        "f: the GhostHunt has no spec",
        assertThrows(UsageException.class, () -> HuntFiles.parseLocal(head, "f")).getMessage());
  }
}
