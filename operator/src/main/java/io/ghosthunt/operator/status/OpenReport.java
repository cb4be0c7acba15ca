package io.ghosthunt.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.HuntResolver;
import io.ghosthunt.api.InvalidHuntException;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.HuntPhase;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.operator.probes.Labels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A hunt's results as an OpenReports {@code Report} (openreports.io/v1alpha1, the successor of the
 * wgpolicyk8s.io PolicyReport), where policy engines and scanners put theirs and their dashboards
 * and notifiers read them: one per hunt in its namespace, scoped to it and owned by it (the garbage
 * collector removes it with the hunt), replaced by each run. One result per node (or pod) and
 * check.
 */
public final class OpenReport {

  public static final String API_VERSION = "openreports.io/v1alpha1";
  public static final String KIND = "Report";
  public static final String CONDITION = "OpenReport";

  /** At most this many results: a Report is one etcd object (1.5 MB), like the hunt's status. */
  public static final int MAX_RESULTS = 500;

  /**
   * And at most this many characters of results (each ~ its JSON size): 500 results with every
   * evidence key a probe may write would pass etcd's limit. Ghosts, errors and warnings come first.
   */
  public static final int MAX_CHARS = 512 * 1024;

  /** Longest property value kept: evidence is already bounded and redacted by the probes. */
  static final int MAX_PROPERTY = 1024;

  /** What a Report is called beside the hunt: other tools' Reports in the namespace keep theirs. */
  static final String PREFIX = "ghosthunt-";

  /** Whether the operator writes Reports, and whether the API server serves their kind. */
  public enum Availability {
    /** The chart does not ask for them (openReports.enabled false). */
    OFF,
    SERVED,
    /** Asked for, but the openreports.io CRD is not installed. */
    MISSING
  }

  private OpenReport() {}

  /** The Report's name: the hunt's, after {@value #PREFIX}. */
  public static String name(GhostHunt hunt) {
    return PREFIX + hunt.getMetadata().getName();
  }

  /**
   * The Report of a completed round.
   *
   * @param run the scheduled run (0 for a hunt without schedule)
   * @param nodes every target's entry, from the reports
   */
  public static GenericKubernetesResource of(
      GhostHunt hunt, int run, List<NodeStatus> nodes, Instant at) {
    List<Map<String, Object>> all = new ArrayList<>();
    Map<String, Integer> summary = new LinkedHashMap<>();
    for (String r : List.of("pass", "fail", "warn", "error", "skip")) {
      summary.put(r, 0);
    }
    for (NodeStatus node : nodes) {
      for (Map<String, Object> r : results(hunt, run, node, at)) {
        summary.merge((String) r.get("result"), 1, Integer::sum);
        all.add(r);
      }
    }
    GenericKubernetesResource report = new GenericKubernetesResource();
    report.setApiVersion(API_VERSION);
    report.setKind(KIND);
    report.setMetadata(
        new ObjectMetaBuilder()
            .withName(name(hunt))
            .withNamespace(hunt.getMetadata().getNamespace())
            .addToLabels("app.kubernetes.io/managed-by", "ghosthunt-operator")
            .addToLabels(Labels.HUNT_NAME, Labels.huntLabel(hunt))
            .withOwnerReferences(Labels.ownedBy(hunt))
            .build());
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("source", "ghosthunt");
    props.put(
        "scope",
        Map.of(
            "apiVersion", hunt.getApiVersion(),
            "kind", hunt.getKind(),
            "name", hunt.getMetadata().getName(),
            "namespace", hunt.getMetadata().getNamespace(),
            "uid", hunt.getMetadata().getUid()));
    props.put("summary", summary);
    props.put("results", kept(all));
    report.setAdditionalProperties(props);
    return report;
  }

  /** The results that fit, the worst first (a stable sort: targets keep their order within). */
  static List<Map<String, Object>> kept(List<Map<String, Object>> all) {
    List<String> order = List.of("fail", "error", "warn", "skip", "pass");
    List<Map<String, Object>> sorted = new ArrayList<>(all);
    sorted.sort(java.util.Comparator.comparingInt(r -> order.indexOf((String) r.get("result"))));
    List<Map<String, Object>> kept = new ArrayList<>();
    long chars = 0;
    for (Map<String, Object> r : sorted) {
      chars += r.toString().length();
      if (kept.size() == MAX_RESULTS || chars > MAX_CHARS) {
        break;
      }
      kept.add(r);
    }
    return kept;
  }

  /** The result a finding's verdict is: pass, fail, warn or error. */
  static String result(FindingVerdict v) {
    return switch (v) {
      case Clear -> "pass";
      case Ghost -> "fail";
      case Inconclusive -> "warn";
      case Error -> "error";
    };
  }

  /** One target's results: its findings, or a skip per check when it was not hunted. */
  private static List<Map<String, Object>> results(
      GhostHunt hunt, int run, NodeStatus node, Instant at) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (node.getFindings() == null || node.getFindings().isEmpty()) {
      String why =
          node.getMessage() != null
              ? "not hunted: " + node.getMessage()
              : node.getPhase() == NodePhase.Done
                  ? "no finding"
                  : "not hunted (" + node.getPhase() + ")";
      for (CheckKey key : checks(hunt)) {
        out.add(result(hunt, node, run, key.key(), "-", "skip", why, Map.of(), at));
      }
      return out;
    }
    for (Finding f : node.getFindings()) {
      Map<String, String> more = new LinkedHashMap<>();
      if (f.getGhost() != null) {
        more.put("ghost", f.getGhost().name());
      }
      if (f.getEvidence() != null) {
        f.getEvidence().forEach((k, v) -> more.put("evidence." + k, v));
      }
      if (f.getRemediation() != null && f.getVerdict() != FindingVerdict.Clear) {
        more.put("remediation", f.getRemediation());
      }
      String message = f.getSummary() != null ? f.getSummary() : String.valueOf(f.getVerdict());
      out.add(
          result(
              hunt,
              node,
              run,
              f.getCheck().key(),
              f.getTarget() != null ? f.getTarget() : "-",
              result(f.getVerdict()),
              message,
              more,
              at));
    }
    return out;
  }

  private static Map<String, Object> result(
      GhostHunt hunt,
      NodeStatus node,
      int run,
      String check,
      String target,
      String result,
      String message,
      Map<String, String> more,
      Instant at) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("node", node.getNode());
    if (node.getPod() != null) {
      properties.put("pod", node.getPod());
    }
    properties.put("target", target);
    if (run > 0) {
      properties.put("run", Integer.toString(run));
    }
    more.forEach((k, v) -> properties.put(k, cut(v)));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("source", "ghosthunt");
    r.put("policy", check);
    r.put("rule", target);
    r.put("result", result);
    r.put("message", message);
    r.put("properties", properties);
    r.put("resources", List.of(resource(hunt, node)));
    r.put("timestamp", Map.of("seconds", at.getEpochSecond(), "nanos", at.getNano()));
    return r;
  }

  /** The object the result is about: the pod in a pod hunt, else the node. */
  private static Map<String, String> resource(GhostHunt hunt, NodeStatus node) {
    return node.getPod() == null
        ? Map.of("apiVersion", "v1", "kind", "Node", "name", node.getNode())
        : Map.of(
            "apiVersion",
            "v1",
            "kind",
            "Pod",
            "name",
            node.getPod(),
            "namespace",
            hunt.getMetadata().getNamespace());
  }

  private static Set<CheckKey> checks(GhostHunt hunt) {
    try {
      return HuntResolver.resolve(hunt.getSpec()).keys();
    } catch (InvalidHuntException e) {
      return Set.of();
    }
  }

  private static String cut(String v) {
    return v == null || v.length() <= MAX_PROPERTY ? v : v.substring(0, MAX_PROPERTY - 1) + "…";
  }

  /**
   * A completed round's conditions with its OpenReport condition, and whether its Report is to be
   * written.
   */
  public record Completed(List<Condition> conditions, boolean write) {}

  /**
   * What a completed round says of its Report: none with the option off (a condition carried from
   * when it was on goes); a refusal already written for this very round stays, and the Report is
   * not sent again to be refused again; else served (write it) or missing.
   *
   * @param stored the status as stored before this reconcile
   * @param run the round's scheduled run, 0 for a hunt without schedule
   */
  public static Completed completed(
      Availability availability,
      GhostHunt hunt,
      long generation,
      int run,
      GhostHuntStatus stored,
      List<Condition> conditions,
      Instant now) {
    if (availability == Availability.OFF) {
      return new Completed(carried(List.of(), conditions), false);
    }
    Condition before = stored == null ? null : find(stored.getConditions());
    boolean sameRound =
        stored != null
            && (stored.getPhase() == HuntPhase.Complete || stored.getPhase() == HuntPhase.Failed)
            && java.util.Objects.equals(stored.getObservedGeneration(), generation)
            && (run == 0 || java.util.Objects.equals(stored.getRun(), run));
    if (sameRound
        && before != null
        && ConditionReason.ReportRefused.name().equals(before.getReason())) {
      return new Completed(with(conditions, before), false);
    }
    Condition now1 =
        condition(
            availability, hunt, generation, stored == null ? null : stored.getConditions(), now);
    return new Completed(with(conditions, now1), availability == Availability.SERVED);
  }

  private static Condition find(List<Condition> conditions) {
    return conditions == null
        ? null
        : conditions.stream().filter(c -> CONDITION.equals(c.getType())).findFirst().orElse(null);
  }

  /**
   * The conditions {@code to} with the OpenReport condition of {@code from} (or none): a scheduled
   * hunt's run rebuilds its conditions, and this one speaks of the last completed run until the
   * next completes.
   */
  public static List<Condition> carried(List<Condition> from, List<Condition> to) {
    List<Condition> out = new ArrayList<>();
    if (to != null) {
      to.stream().filter(c -> !CONDITION.equals(c.getType())).forEach(out::add);
    }
    if (from != null) {
      from.stream().filter(c -> CONDITION.equals(c.getType())).forEach(out::add);
    }
    return out;
  }

  /** {@code conditions} with {@code replacement} in place of any OpenReport condition. */
  public static List<Condition> with(List<Condition> conditions, Condition replacement) {
    List<Condition> out = carried(List.of(), conditions);
    out.add(replacement);
    return out;
  }

  /**
   * The OpenReport condition when the API server refused the run's Report for good (4xx): the hunt
   * completes with its verdict all the same.
   */
  public static Condition refused(
      GhostHunt hunt, String said, long generation, List<Condition> previous, Instant now) {
    return Conditions.of(
        CONDITION,
        "False",
        ConditionReason.ReportRefused.name(),
        "the API server refused Report " + name(hunt) + ": " + said,
        generation,
        previous,
        now);
  }

  /**
   * The condition that says where the run's results went: True with the Report's name, or False
   * when the chart asks for Reports and the API server does not serve them.
   */
  private static Condition condition(
      Availability availability,
      GhostHunt hunt,
      long generation,
      List<Condition> previous,
      Instant now) {
    boolean served = availability == Availability.SERVED;
    return Conditions.of(
        CONDITION,
        served ? "True" : "False",
        (served ? ConditionReason.ReportWritten : ConditionReason.OpenReportsMissing).name(),
        served
            ? "results in Report "
                + name(hunt)
                + " (kubectl get reports -n "
                + hunt.getMetadata().getNamespace()
                + ")"
            : "the chart asks for OpenReports (openReports.enabled) but the API server does not"
                + " serve openreports.io/v1alpha1 Report: install its CRD"
                + " (github.com/openreports/reports-api config/crd); the next completed run (a"
                + " scheduled one, or the hunt run again) writes it at the latest",
        generation,
        previous,
        now);
  }
}
