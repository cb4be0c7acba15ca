package io.ghosthunt.operator.observer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

class ProbePodProblemTest {

  static Pod terminated(String podReason, int exit, String reason, String message) {
    return new PodBuilder()
        .withNewStatus()
        .withPhase("Failed")
        .withReason(podReason)
        .addNewContainerStatus()
        .withName("probe")
        .withNewState()
        .withNewTerminated()
        .withExitCode(exit)
        .withReason(reason)
        .withMessage(message)
        .withStartedAt("2026-12-01T10:00:00Z")
        .endTerminated()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  @Test
  void aProbeWhoseImageNeverCameIsStillPendingWhenTheKubeletEndsItsPod() {
    Pod waiting =
        new PodBuilder()
            .withNewStatus()
            .withPhase("Pending")
            .addNewContainerStatus()
            .withName("probe")
            .withNewState()
            .withNewWaiting()
            .withReason("ImagePullBackOff")
            .withMessage("Back-off pulling image \"ghcr.io/ghosthunt/probe-agent:0.1.0\"")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertEquals("Pending", ProbePodProblem.phase(waiting));
    assertEquals(
        "ImagePullBackOff: Back-off pulling image \"ghcr.io/ghosthunt/probe-agent:0.1.0\"",
        ProbePodProblem.describe(waiting));
    // At activeDeadlineSeconds the kubelet fails the pod and marks the container that never ran as
    // terminated.
    Pod ended =
        new PodBuilder()
            .withNewStatus()
            .withPhase("Failed")
            .withReason("DeadlineExceeded")
            .withMessage("Pod was active on the node longer than the specified deadline")
            .addNewContainerStatus()
            .withName("probe")
            .withNewState()
            .withNewTerminated()
            .withExitCode(137)
            .withReason("ContainerStatusUnknown")
            .withMessage("The container could not be located when the pod was terminated")
            .endTerminated()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertEquals("Pending", ProbePodProblem.phase(ended));
    assertEquals(
        "it passed its deadline (activeDeadlineSeconds)",
        ProbePodProblem.describe(ended),
        "no last words: it never ran");
  }

  @Test
  void aCrashCarriesItsExitCodeAndItsLastLogLinesOnOneLine() {
    Pod pod =
        terminated(
            null,
            1,
            "Error",
            "[0.03s][warning][os,thread] Failed to start thread\n"
                + "Error occurred during initialization of VM\njava.lang.OutOfMemoryError: unable to create native thread\n");
    assertEquals(
        "exit code 1 (Error): [0.03s][warning][os,thread] Failed to start thread / Error occurred during"
            + " initialization of VM / java.lang.OutOfMemoryError: unable to create native thread",
        ProbePodProblem.describe(pod));
  }

  @Test
  void aPassedDeadlineSaysWhatTheProbeWasDoing() {
    Pod pod =
        terminated(
            "DeadlineExceeded",
            143,
            "Error",
            "ghosthunt agent: stopped after 9 s while reading GhostHunt hunts/x from https://203.0.113.225:443/; nothing was written");
    assertEquals(
        "it passed its deadline (activeDeadlineSeconds); its last words: ghosthunt agent: stopped after 9 s while"
            + " reading GhostHunt hunts/x from https://203.0.113.225:443/; nothing was written",
        ProbePodProblem.describe(pod));
    assertEquals(
        "it passed its deadline (activeDeadlineSeconds)",
        ProbePodProblem.describe(
            new PodBuilder().withNewStatus().withReason("DeadlineExceeded").endStatus().build()));
  }

  @Test
  void aFailedPodWhoseProbeIsStillStoppingCountsAsRunning() {
    Pod stopping =
        new PodBuilder()
            .withNewStatus()
            .withPhase("Failed")
            .withReason("DeadlineExceeded")
            .addNewContainerStatus()
            .withName("probe")
            .withNewState()
            .withNewRunning()
            .endRunning()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertEquals("Running", ProbePodProblem.phase(stopping));
    assertEquals(
        "Failed", ProbePodProblem.phase(terminated("DeadlineExceeded", 143, "Error", "bye")));
    assertEquals("Pending", ProbePodProblem.phase(new PodBuilder().build()));
  }

  @Test
  void aStackTraceLeavesItsExceptionAndCausesNotItsFrames() {
    String trace =
        "Exception in thread \"main\" java.lang.OutOfMemoryError: unable to create native thread\n"
            + "\tat java.base/java.lang.Thread.start0(Native Method)\n\tat java.base/java.util.jar.JarFile.<init>(JarFile.java:346)\n"
            + "Caused by: java.io.IOException: no room\n\t... 12 more\n";
    assertEquals(
        "Exception in thread \"main\" java.lang.OutOfMemoryError: unable to create native thread"
            + " / Caused by: java.io.IOException: no room",
        ProbePodProblem.lastWords(trace));
  }

  @Test
  void longLastWordsKeepTheirEnd() {
    String words = ProbePodProblem.lastWords("x".repeat(1000) + "\nthe reason");
    assertEquals(ProbePodProblem.LAST_WORDS + 1, words.length());
    assertEquals(true, words.endsWith("x / the reason"));
  }

  @Test
  void aWaitingContainerSaysWhy() {
    Pod pod =
        new PodBuilder()
            .withNewStatus()
            .withPhase("Pending")
            .addNewContainerStatus()
            .withName("probe")
            .withNewState()
            .withNewWaiting()
            .withReason("ErrImageNeverPull")
            .withMessage("image is not present")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertEquals("ErrImageNeverPull: image is not present", ProbePodProblem.describe(pod));
    assertNull(
        ProbePodProblem.describe(
            new PodBuilder().withNewStatus().withPhase("Running").endStatus().build()));
  }
}
