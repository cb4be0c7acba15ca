package io.ghosthunt.operator.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

class BlockerTest {

  static KubernetesClientException error(int code, String kind, String message) {
    Status status =
        new StatusBuilder()
            .withCode(code)
            .withMessage(message)
            .withNewDetails()
            .withKind(kind)
            .endDetails()
            .build();
    return new KubernetesClientException(status);
  }

  @Test
  void aMissingProbeNamespaceSaysWhatToRun() {
    Blocker b =
        Blocker.of(
                error(404, "namespaces", "namespaces \"ghosthunt-system\" not found"),
                "ghosthunt-system")
            .orElseThrow();
    assertEquals(Blocker.BlockReason.ProbeNamespaceMissing, b.reason());
    assertTrue(
        b.message()
            .contains(
                "kubectl create namespace ghosthunt-system && kubectl label namespace ghosthunt-system"
                    + " pod-security.kubernetes.io/enforce=privileged"),
        b.message());
  }

  @Test
  void rbacDenialsBlockButPodSecurityRefusalsAndOtherErrorsDoNot() {
    Blocker b =
        Blocker.of(
                error(
                    403,
                    "serviceaccounts",
                    "serviceaccounts is forbidden: User \"system:serviceaccount:ops:op\""
                        + " cannot create resource \"serviceaccounts\" in API group \"\" in the namespace \"ghosthunt-system\""),
                "ghosthunt-system")
            .orElseThrow();
    assertEquals(Blocker.BlockReason.OperatorForbidden, b.reason());
    assertTrue(
        b.message()
            .startsWith(
                "the operator is not allowed to start probes: serviceaccounts is forbidden"),
        b.message());
    assertTrue(
        Blocker.of(
                error(
                    403,
                    "pods",
                    "pods \"gh-x\" is forbidden: violates PodSecurity \"baseline:latest\""),
                "p")
            .isEmpty());
    assertTrue(Blocker.of(error(404, "pods", "pods \"gh-x\" not found"), "p").isEmpty());
    assertTrue(Blocker.of(error(500, null, "etcdserver: request timed out"), "p").isEmpty());
  }

  @Test
  void aBlockerStandsInTheStatusOfItsGenerationOnly() {
    var blocked =
        new io.fabric8.kubernetes.api.model.ConditionBuilder()
            .withType("Complete")
            .withStatus("False")
            .withReason("AdmissionPolicyMissing")
            .withMessage("install them")
            .withObservedGeneration(2L)
            .build();
    assertEquals(
        java.util.Optional.of(
            new Blocker(Blocker.BlockReason.AdmissionPolicyMissing, "install them")),
        Blocker.standing(java.util.List.of(blocked), 2));
    assertEquals(java.util.Optional.empty(), Blocker.standing(java.util.List.of(blocked), 3));
    var hunting =
        new io.fabric8.kubernetes.api.model.ConditionBuilder(blocked).withReason("Hunting").build();
    assertEquals(java.util.Optional.empty(), Blocker.standing(java.util.List.of(hunting), 2));
  }

  @Test
  void aReasonNoBlockerGivesIsNoBlockerAndNoError() {
    var other =
        new io.fabric8.kubernetes.api.model.ConditionBuilder()
            .withType("Complete")
            .withStatus("False")
            .withReason("SomethingNewer")
            .withMessage("not ours")
            .withObservedGeneration(2L)
            .build();
    assertEquals(java.util.Optional.empty(), Blocker.standing(java.util.List.of(other), 2));
    var nameless =
        new io.fabric8.kubernetes.api.model.ConditionBuilder(other).withReason(null).build();
    assertEquals(java.util.Optional.empty(), Blocker.standing(java.util.List.of(nameless), 2));
  }

  @Test
  void everyBlockReasonIsTheReasonItsConditionSays() {
    // Statuses written before the reasons were typed carry these strings; they must still read
    // back.
    for (String written :
        java.util.List.of("ProbeNamespaceMissing", "OperatorForbidden", "AdmissionPolicyMissing")) {
      var c =
          new io.fabric8.kubernetes.api.model.ConditionBuilder()
              .withType("Complete")
              .withStatus("False")
              .withReason(written)
              .withMessage("m")
              .withObservedGeneration(1L)
              .build();
      assertEquals(
          written, Blocker.standing(java.util.List.of(c), 1).orElseThrow().reason().name());
    }
  }
}
