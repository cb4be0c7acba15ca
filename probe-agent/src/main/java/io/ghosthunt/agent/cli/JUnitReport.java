package io.ghosthunt.agent.cli;

import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * A hunt's status as JUnit XML for CI dashboards: one test case per node and check; a ghost is a
 * failure carrying its summary, evidence and fix; an Error finding, or a node that could not be
 * hunted, is an error; a check with only unsure findings is skipped with the reason.
 */
public final class JUnitReport {
  private JUnitReport() {}

  record Case(
      String classname,
      String name,
      double seconds,
      String kind,
      String type,
      String message,
      String body) {}

  public static String of(String namespace, String hunt, GhostHuntStatus status) {
    List<Case> cases = new ArrayList<>();
    List<NodeStatus> nodes =
        status == null || status.getNodes() == null ? List.of() : status.getNodes();
    for (NodeStatus node : nodes) {
      String classname =
          "ghosthunt."
              + hunt
              + "."
              + (node.getPod() == null ? node.getNode() : node.getNode() + ".pod/" + node.getPod());
      if (node.getPhase() != NodePhase.Done) {
        cases.add(
            new Case(
                classname,
                "probe",
                0,
                "error",
                String.valueOf(node.getPhase()),
                node.subject() + " was not hunted: " + node.getMessage(),
                null));
        continue;
      }
      Map<String, List<Finding>> byCheck = new LinkedHashMap<>();
      for (Finding f : node.getFindings() == null ? List.<Finding>of() : node.getFindings()) {
        byCheck.computeIfAbsent(f.getCheck().key(), k -> new ArrayList<>()).add(f);
      }
      byCheck.forEach((check, findings) -> cases.add(testCase(classname, check, findings)));
    }
    try {
      StringWriter text = new StringWriter();
      XMLStreamWriter x = XMLOutputFactory.newInstance().createXMLStreamWriter(text);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuites");
      x.writeAttribute("name", "ghosthunt");
      counts(x, cases);
      x.writeCharacters("\n  ");
      x.writeStartElement("testsuite");
      x.writeAttribute("name", "ghosthunt." + namespace + "." + hunt);
      counts(x, cases);
      if (status != null && status.getStartedAt() != null) {
        x.writeAttribute("timestamp", status.getStartedAt());
      }
      for (Case c : cases) {
        x.writeCharacters("\n    ");
        x.writeStartElement("testcase");
        x.writeAttribute("classname", c.classname());
        x.writeAttribute("name", c.name());
        x.writeAttribute("time", String.format(java.util.Locale.ROOT, "%.3f", c.seconds()));
        if (c.kind() != null) {
          x.writeCharacters("\n      ");
          x.writeStartElement(c.kind());
          if (c.type() != null) {
            x.writeAttribute("type", c.type());
          }
          x.writeAttribute("message", c.message());
          if (c.body() != null) {
            x.writeCharacters(c.body());
          }
          x.writeEndElement();
          x.writeCharacters("\n    ");
        }
        x.writeEndElement();
      }
      x.writeCharacters("\n  ");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndDocument();
      x.close();
      return text.toString();
    } catch (XMLStreamException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Case testCase(String classname, String check, List<Finding> findings) {
    double seconds =
        findings.stream()
                .mapToLong(f -> f.getDurationMs() == null ? 0 : f.getDurationMs())
                .max()
                .orElse(0)
            / 1000.0;
    List<Finding> ghosts =
        findings.stream().filter(f -> f.getVerdict() == FindingVerdict.Ghost).toList();
    List<Finding> errors =
        findings.stream().filter(f -> f.getVerdict() == FindingVerdict.Error).toList();
    boolean allUnsure =
        findings.stream().allMatch(f -> f.getVerdict() == FindingVerdict.Inconclusive);
    if (!ghosts.isEmpty()) {
      return new Case(
          classname,
          check,
          seconds,
          "failure",
          ghosts.get(0).getGhost().name(),
          ghosts.stream()
              .map(f -> f.getTarget() + ": " + f.getSummary())
              .collect(Collectors.joining("; ")),
          details(ghosts));
    }
    if (!errors.isEmpty()) {
      return new Case(
          classname,
          check,
          seconds,
          "error",
          "Error",
          errors.stream()
              .map(f -> f.getTarget() + ": " + f.getSummary())
              .collect(Collectors.joining("; ")),
          details(errors));
    }
    if (allUnsure) {
      return new Case(
          classname,
          check,
          seconds,
          "skipped",
          null,
          findings.stream()
              .map(f -> f.getTarget() + ": " + f.getSummary())
              .collect(Collectors.joining("; ")),
          null);
    }
    return new Case(classname, check, seconds, null, null, null, null);
  }

  private static String details(List<Finding> findings) {
    StringBuilder b = new StringBuilder();
    for (Finding f : findings) {
      b.append(f.getTarget()).append(": ").append(f.getSummary()).append('\n');
      if (f.getEvidence() != null) {
        f.getEvidence()
            .forEach((k, v) -> b.append("  ").append(k).append(": ").append(v).append('\n'));
      }
      if (f.getRemediation() != null) {
        b.append("  fix: ").append(f.getRemediation()).append('\n');
      }
    }
    return b.toString();
  }

  private static void counts(XMLStreamWriter x, List<Case> cases) throws XMLStreamException {
    x.writeAttribute("tests", Integer.toString(cases.size()));
    x.writeAttribute(
        "failures", Long.toString(cases.stream().filter(c -> "failure".equals(c.kind())).count()));
    x.writeAttribute(
        "errors", Long.toString(cases.stream().filter(c -> "error".equals(c.kind())).count()));
    x.writeAttribute(
        "skipped", Long.toString(cases.stream().filter(c -> "skipped".equals(c.kind())).count()));
  }
}
