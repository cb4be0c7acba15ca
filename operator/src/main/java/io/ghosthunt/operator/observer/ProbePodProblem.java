package io.ghosthunt.operator.observer;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Why a probe pod failed or is stuck, in the words the kubelet and the probe itself used. */
public final class ProbePodProblem {

  /** How much of a probe's last words goes into its node's entry: the end, where the reason is. */
  static final int LAST_WORDS = 400;

  private static final java.util.regex.Pattern STACK_FRAME =
      java.util.regex.Pattern.compile("at \\S+\\(.*\\)|\\.\\.\\. \\d+ more");

  private ProbePodProblem() {}

  /**
   * The pod's phase as the hunt counts it: a pod that its kubelet has marked Failed but whose probe
   * is still stopping (its deadline passed; SIGTERM sent, the grace period running) is still
   * Running, since its last words are yet to come.
   */
  public static String phase(Pod pod) {
    PodStatus s = pod.getStatus();
    if (s == null || s.getPhase() == null) {
      return "Pending";
    }
    boolean stopping =
        "Failed".equals(s.getPhase())
            && s.getContainerStatuses() != null
            && s.getContainerStatuses().stream()
                .anyMatch(c -> c.getState() != null && c.getState().getRunning() != null);
    if (stopping) {
      return "Running";
    }
    // A probe whose container never ran (its image could not be pulled, say) was never on the node:
    // the kubelet failing its pod at the deadline makes it no more a failed probe than before.
    boolean neverStarted =
        "Failed".equals(s.getPhase())
            && s.getContainerStatuses() != null
            && !s.getContainerStatuses().isEmpty()
            && s.getContainerStatuses().stream().noneMatch(ProbePodProblem::ran);
    return neverStarted ? "Pending" : s.getPhase();
  }

  /**
   * Whether the container ever ran. A kubelet ending a pod marks a container that never started as
   * terminated too ({@code ContainerStatusUnknown}, exit 137), but without a start time.
   */
  static boolean ran(ContainerStatus c) {
    return c.getState() != null
        && (c.getState().getRunning() != null
            || c.getState().getTerminated() != null
                && c.getState().getTerminated().getStartedAt() != null);
  }

  /** The problem, or null when the pod shows none. */
  public static String describe(Pod pod) {
    PodStatus s = pod.getStatus();
    if (s == null) {
      return null;
    }
    ContainerStateTerminated failed = null;
    if (s.getContainerStatuses() != null) {
      for (ContainerStatus c : s.getContainerStatuses()) {
        if (c.getState() == null) {
          continue;
        }
        if (c.getState().getTerminated() != null
            && c.getState().getTerminated().getExitCode() != 0
            && ran(c)) {
          failed = c.getState().getTerminated();
        } else if (c.getState().getWaiting() != null
            && c.getState().getWaiting().getReason() != null) {
          return c.getState().getWaiting().getReason()
              + (c.getState().getWaiting().getMessage() == null
                  ? ""
                  : ": " + c.getState().getWaiting().getMessage());
        }
      }
    }
    String words = failed == null ? "" : lastWords(failed.getMessage());
    if ("DeadlineExceeded".equals(s.getReason())) {
      return "it passed its deadline (activeDeadlineSeconds)"
          + (words.isEmpty() ? "" : "; its last words: " + words);
    }
    if (failed != null) {
      return "exit code "
          + failed.getExitCode()
          + (failed.getReason() == null ? "" : " (" + failed.getReason() + ")")
          + (words.isEmpty() ? "" : ": " + words);
    }
    return s.getReason() != null
        ? s.getReason() + (s.getMessage() == null ? "" : ": " + s.getMessage())
        : s.getMessage();
  }

  /**
   * A termination message on one line: with FallbackToLogsOnError it is the log's tail, many lines
   * of which the last say why. A Java stack trace's frames say where, not why: they are left out,
   * so that the exception and its causes are what remains.
   */
  static String lastWords(String message) {
    if (message == null) {
      return "";
    }
    String line =
        Arrays.stream(message.split("\n"))
            .map(String::strip)
            .filter(l -> !l.isEmpty())
            .filter(l -> !STACK_FRAME.matcher(l).matches())
            .collect(Collectors.joining(" / "));
    return line.length() <= LAST_WORDS ? line : "…" + line.substring(line.length() - LAST_WORDS);
  }
}
