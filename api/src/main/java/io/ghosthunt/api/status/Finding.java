package io.ghosthunt.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.ghosthunt.api.CheckKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** One check's result for one target on one node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Finding {

  /** Evidence values are cut to this many characters so that a status stays small at scale. */
  public static final int MAX_EVIDENCE_VALUE = ReportBounds.MAX_EVIDENCE_VALUE;

  /** At most this many evidence entries per finding. */
  public static final int MAX_EVIDENCE_ENTRIES = ReportBounds.MAX_EVIDENCE_ENTRIES;

  @Required
  @JsonPropertyDescription("The check that produced this finding.")
  private CheckKey check;

  @JsonPropertyDescription("What was checked, e.g. tcp/8080, app.example.com, 192.0.2.1.")
  @Size(max = ReportBounds.MAX_TARGET)
  private String target;

  @Required
  @JsonPropertyDescription("Clear, Ghost, Inconclusive or Error.")
  private FindingVerdict verdict;

  @JsonPropertyDescription("The ghost found, when the verdict is Ghost.")
  private GhostName ghost;

  @JsonPropertyDescription("One line a person reads first.")
  @Size(max = ReportBounds.MAX_SUMMARY)
  private String summary;

  @JsonPropertyDescription(
      "The facts behind the verdict: PID, command, MACs, answers, path MTU, rule.")
  @Size(max = ReportBounds.MAX_EVIDENCE_ENTRIES)
  private Map<String, @Size(max = ReportBounds.MAX_EVIDENCE_VALUE) String> evidence;

  @JsonPropertyDescription("What to do about it.")
  @Size(max = ReportBounds.MAX_REMEDIATION)
  private String remediation;

  @JsonPropertyDescription("How long the check took for this target, in milliseconds.")
  private Long durationMs;

  public Finding() {}

  public Finding(CheckKey check, String target, FindingVerdict verdict) {
    this.check = check;
    this.target = target;
    this.verdict = verdict;
  }

  /** Adds one piece of evidence, key and value bounded in size; null values are left out. */
  public Finding evidence(String key, Object value) {
    if (value == null) {
      return this;
    }
    if (evidence == null) {
      evidence = new LinkedHashMap<>();
    }
    key = ReportBounds.clip(key, ReportBounds.MAX_EVIDENCE_KEY);
    if (evidence.size() >= MAX_EVIDENCE_ENTRIES && !evidence.containsKey(key)) {
      return this;
    }
    evidence.put(key, ReportBounds.clip(String.valueOf(value), MAX_EVIDENCE_VALUE));
    return this;
  }

  public boolean isGhost() {
    return verdict == FindingVerdict.Ghost;
  }

  public CheckKey getCheck() {
    return check;
  }

  public void setCheck(CheckKey check) {
    this.check = check;
  }

  public String getTarget() {
    return target;
  }

  public void setTarget(String target) {
    this.target = target;
  }

  public FindingVerdict getVerdict() {
    return verdict;
  }

  public void setVerdict(FindingVerdict verdict) {
    this.verdict = verdict;
  }

  public GhostName getGhost() {
    return ghost;
  }

  public void setGhost(GhostName ghost) {
    this.ghost = ghost;
  }

  public String getSummary() {
    return summary;
  }

  public void setSummary(String summary) {
    this.summary = summary;
  }

  public Map<String, String> getEvidence() {
    return evidence;
  }

  public void setEvidence(Map<String, String> evidence) {
    this.evidence = evidence;
  }

  public String getRemediation() {
    return remediation;
  }

  public void setRemediation(String remediation) {
    this.remediation = remediation;
  }

  public Long getDurationMs() {
    return durationMs;
  }

  public void setDurationMs(Long durationMs) {
    this.durationMs = durationMs;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Finding)) {
      return false;
    }
    Finding f = (Finding) o;
    return check == f.check
        && Objects.equals(target, f.target)
        && verdict == f.verdict
        && ghost == f.ghost
        && Objects.equals(summary, f.summary)
        && Objects.equals(evidence, f.evidence)
        && Objects.equals(remediation, f.remediation)
        && Objects.equals(durationMs, f.durationMs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(check, target, verdict, ghost, summary, evidence, remediation, durationMs);
  }

  @Override
  public String toString() {
    return check
        + " "
        + target
        + " "
        + verdict
        + (ghost == null ? "" : " " + ghost)
        + ": "
        + summary;
  }
}
