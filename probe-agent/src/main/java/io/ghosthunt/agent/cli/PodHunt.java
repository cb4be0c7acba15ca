package io.ghosthunt.agent.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ghosthunt.agent.host.PodProcesses;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.ServiceFacts;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pod hunt on this node: for each target pod, {@code ghosthunt check} in a child process that
 * {@code nsenter} put into the pod's network namespace, reading the pod's own resolv.conf and hosts
 * through {@code /proc/PID/root}. A child process, not threads: a network namespace belongs to a
 * thread, and the checks' thread pools, HTTP clients and helper commands would not all inherit it;
 * a process inherits it whole. Nothing enters the pod: its containers and spec stay untouched.
 */
final class PodHunt {

  private static final Logger LOG = LoggerFactory.getLogger(PodHunt.class);
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** A child's JVM start and its last write, on top of the checks' own bound. */
  private static final Duration CHILD_GRACE = Duration.ofSeconds(15);

  /** One target pod, as the operator named it: its name, UID and the report it fills. */
  record Target(String pod, String uid, String report) {

    /** {@code NAME/UID/REPORT,...}: pod and report names are DNS names and UIDs hex with dashes. */
    static List<Target> parse(String text) throws UsageException {
      List<Target> targets = new ArrayList<>();
      for (String item : text.split(",")) {
        String[] parts = item.split("/");
        if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank() || parts[2].isBlank()) {
          throw new UsageException(
              "--pods takes NAME/UID/REPORT[,NAME/UID/REPORT...], not '" + item + "'");
        }
        targets.add(new Target(parts[0], parts[1], parts[2]));
      }
      return targets;
    }
  }

  /** What is done with a pod's entry as soon as it is known. */
  @FunctionalInterface
  interface Done {
    /**
     * @param checksStarted when this pod's checks began (its child process started), or null when
     *     none ran
     */
    void accept(Target t, NodeStatus entry, Instant checksStarted);
  }

  private final PodProcesses processes;
  private final String node;
  private final Path tmp;

  PodHunt(PodProcesses processes, String node, Path tmp) {
    this.processes = processes;
    this.node = node;
    this.tmp = tmp;
  }

  /** Each pod's entry, in order, handed to {@code done} as soon as it is known. */
  void run(
      GhostHunt hunt,
      List<Target> targets,
      Instant deadline,
      byte[] caBundle,
      ServiceFacts services,
      Done done)
      throws IOException {
    Path file = Files.createTempFile(tmp, "hunt-", ".json");
    Path ca =
        caBundle == null ? null : Files.write(Files.createTempFile(tmp, "ca-", ".pem"), caBundle);
    Path svc =
        services.isEmpty()
            ? null
            : Files.writeString(Files.createTempFile(tmp, "services-", ".json"), services.encode());
    try {
      GhostHunt copy = new GhostHunt();
      copy.getMetadata().setName(hunt.getMetadata().getName());
      copy.setSpec(hunt.getSpec());
      Files.writeString(file, JSON.writeValueAsString(copy));
      Map<String, List<Long>> pids = processes.find(targets.stream().map(Target::uid).toList());
      for (int i = 0; i < targets.size(); i++) {
        Target t = targets.get(i);
        // What is left is shared among the pods still to hunt, so one slow pod cannot starve the
        // rest.
        Duration left = Duration.between(Instant.now(), deadline);
        Duration share = left.dividedBy(targets.size() - i);
        Instant began = Instant.now();
        NodeStatus entry = hunt(t, pids.getOrDefault(t.uid(), List.of()), file, ca, svc, share);
        entry.setPod(t.pod());
        entry.setNode(node);
        done.accept(t, entry, began);
      }
    } finally {
      Files.deleteIfExists(file);
      if (ca != null) {
        Files.deleteIfExists(ca);
      }
      if (svc != null) {
        Files.deleteIfExists(svc);
      }
    }
  }

  private NodeStatus hunt(
      Target t, List<Long> pids, Path file, Path ca, Path services, Duration share) {
    if (pids.isEmpty()) {
      return failed(
          "no process of pod "
              + t.pod()
              + " (UID "
              + t.uid()
              + ") runs on "
              + node
              + ": the pod ended or was replaced during the hunt");
    }
    long pid = processes.withPodFiles(pids).orElse(pids.get(0));
    if (processes.sharesOurNetwork(pid)) {
      return failed(
          "pod "
              + t.pod()
              + " uses the node's network (hostNetwork): hunt node "
              + node
              + " instead (spec.nodes)");
    }
    Path etc = processes.root(pid).resolve("etc");
    long seconds = Math.max(1, Math.min(3600, share.toSeconds()));
    List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + processes.netns(pid), "--"));
    cmd.addAll(javaCommand());
    cmd.addAll(
        List.of(
            "check",
            "-f",
            file.toString(),
            "-o",
            "json",
            "--node",
            node,
            "--timeout",
            Long.toString(seconds),
            "--etc",
            etc.toString()));
    if (ca != null) {
      cmd.addAll(List.of("--ca-file", ca.toString()));
    }
    if (services != null) {
      cmd.addAll(List.of("--services", services.toString()));
    }
    LOG.info("hunting inside pod {} (PID {}, {} s)", t.pod(), pid, seconds);
    try {
      Process child = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      child.getOutputStream().close();
      // Read both streams while it runs: a full pipe would stall the child.
      java.util.concurrent.CompletableFuture<byte[]> stdout =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(child.getInputStream()));
      java.util.concurrent.CompletableFuture<byte[]> stderr =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(child.getErrorStream()));
      if (!child.waitFor(seconds + CHILD_GRACE.toSeconds(), TimeUnit.SECONDS)) {
        child.destroyForcibly();
        return failed(
            "the checks inside pod " + t.pod() + " did not finish within " + seconds + " s");
      }
      String out = new String(stdout.join(), StandardCharsets.UTF_8);
      String err = new String(stderr.join(), StandardCharsets.UTF_8).strip();
      if (child.exitValue() > 2 || out.isBlank()) {
        return failed(
            "the checks could not run inside pod "
                + t.pod()
                + " (exit "
                + child.exitValue()
                + "): "
                + tail(err.isBlank() ? out : err));
      }
      NodeStatus entry = JSON.readValue(out, NodeStatus.class);
      return inPodTerms(entry, processes.root(pid).toString());
    } catch (IOException e) {
      return failed("cannot enter pod " + t.pod() + "'s network namespace: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed("interrupted while hunting inside pod " + t.pod());
    }
  }

  /**
   * The pod's files as the pod sees them: the child read {@code /proc/PID/root/etc/hosts}, the pod
   * knows it as {@code /etc/hosts}; the PID is a detail of this probe's run.
   */
  static NodeStatus inPodTerms(NodeStatus entry, String root) {
    if (entry.getFindings() == null) {
      return entry;
    }
    for (Finding f : entry.getFindings()) {
      f.setSummary(ofThePod(strip(f.getSummary(), root)));
      f.setRemediation(inPod(f.getGhost(), strip(f.getRemediation(), root)));
      if (f.getEvidence() != null) {
        Map<String, String> evidence = new LinkedHashMap<>();
        f.getEvidence().forEach((k, v) -> evidence.put(k, strip(v, root)));
        f.setEvidence(evidence);
      }
    }
    return entry;
  }

  /**
   * Where a pod's fix goes: the files and the MTU a user would edit by hand are the kubelet's and
   * the CNI's.
   */
  static String inPod(GhostName ghost, String remediation) {
    if (remediation == null) {
      return null;
    }
    if (ghost == GhostName.StaleDns && remediation.contains("/etc/hosts")) {
      return remediation
          + "; in a pod the kubelet writes /etc/hosts from spec.hostAliases: correct them in the pod's"
          + " template, and the new pods get the new line";
    }
    if (ghost == GhostName.MtuBlackhole) {
      return remediation
          + "; in a pod the CNI sets the interface MTU: set the CNI's MTU to the path's (an overlay's:"
          + " the underlay's MTU minus its encapsulation, 50 bytes for VXLAN) and recreate the pod";
    }
    return remediation;
  }

  /**
   * The dns check's phrases that say who resolves: the child that checked a pod's files speaks of
   * "the node", as every run of the checks does, and here it was the pod.
   */
  private static final List<String> NODE_PHRASES =
      List.of(
          "the node resolves",
          "the node answers",
          "the node cannot resolve",
          "the authority and the node both",
          "does not hand this node");

  static String ofThePod(String summary) {
    if (summary == null) {
      return null;
    }
    String s = summary;
    for (String phrase : NODE_PHRASES) {
      s = s.replace(phrase, phrase.replace("the node", "the pod").replace("this node", "this pod"));
    }
    return s;
  }

  private static String strip(String text, String root) {
    return text == null ? null : text.replace(root + "/", "/");
  }

  private NodeStatus failed(String message) {
    NodeStatus s = new NodeStatus(node, NodePhase.Failed);
    s.setMessage(message);
    return s;
  }

  /** This JVM again, with the same class path: the image's jar, or a build's classes. */
  static List<String> javaCommand() {
    String java = ProcessHandle.current().info().command().orElse("java");
    return List.of(
        java,
        "-XX:TieredStopAtLevel=1",
        "-XX:CompileThresholdScaling=5",
        "-XX:+UseSerialGC",
        "-XX:-UsePerfData",
        "-Xmx64m",
        "-cp",
        System.getProperty("java.class.path"),
        "io.ghosthunt.agent.Main");
  }

  private static byte[] readAll(java.io.InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private static String tail(String text) {
    String t = text.strip();
    return t.length() <= 600 ? t : "..." + t.substring(t.length() - 600);
  }
}
