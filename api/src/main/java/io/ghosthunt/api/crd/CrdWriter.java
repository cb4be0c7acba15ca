package io.ghosthunt.api.crd;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRuleBuilder;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.status.ReportBounds;
import java.io.File;
import java.util.Comparator;
import java.util.List;

/**
 * Generates the GhostHunt CRD at build time (exec-maven-plugin, process-classes).
 *
 * <p>The fabric8 generator derives the schema from the model; this class adds the things the model
 * annotations cannot say: the order of the printer columns (the generator sorts them by name), the
 * list-map keys that let the operator server-side-apply its own conditions and check counts without
 * replacing others', and the two rules that bound a report as a whole and its evidence keys.
 * status.nodes stays an atomic list: the operator alone writes it (probes write reports), and in a
 * pod hunt one node has an entry per pod, so no field is its key.
 */
public final class CrdWriter implements CRDPostProcessor {

  static final List<String> COLUMN_ORDER =
      List.of(
          "Hunt", "Node", "Pod", "Phase", "Verdict", "Ghosts", "Nodes", "Last Run", "Next", "Age");

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: CrdWriter OUTPUT_DIR");
      System.exit(2);
    }
    File out = new File(args[0]);
    if (!out.isDirectory() && !out.mkdirs()) {
      throw new IllegalStateException("cannot create " + out);
    }
    new CRDGenerator()
        .inOutputDir(out)
        .forCRDVersions("v1")
        .withPostProcessor(new CrdWriter())
        .customResourceClasses(GhostHunt.class, GhostHuntReport.class)
        .generate();
    System.out.println(
        "CRDs written to "
            + new File(out, GhostHunt.CRD_FILE)
            + " and "
            + new File(out, GhostHuntReport.CRD_FILE));
  }

  @Override
  public HasMetadata process(HasMetadata resource, String crdSpecVersion) {
    CustomResourceDefinition crd = (CustomResourceDefinition) resource;
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      version
          .getAdditionalPrinterColumns()
          .sort(
              Comparator.comparingInt(
                  (CustomResourceColumnDefinition c) -> columnRank(c.getName())));
      JSONSchemaProps status =
          version.getSchema().getOpenAPIV3Schema().getProperties().get("status");
      if (GhostHuntReport.CRD_NAME.equals(crd.getMetadata().getName())) {
        boundFindings(status.getProperties().get("findings"));
      }
      if (!GhostHunt.CRD_NAME.equals(crd.getMetadata().getName())) {
        continue;
      }
      listMap(status.getProperties().get("conditions"), "type");
      listMap(status.getProperties().get("checks"), "check");
    }
    return crd;
  }

  /**
   * The CEL rule on the text of all of a report's findings together, and the one on evidence keys
   * (a structural schema has no way to bound a map's keys but a rule): the field annotations bound
   * each item, and 512 findings at their own bounds could still be 13 million characters, eight
   * times what etcd takes in one write (see ReportBounds). Only the report's CRD gets them: its
   * lists are all bounded, so the API server's cost estimate for the rules is small (512 x 32
   * entries), where the hunt's status.nodes is not bounded in items (the operator keeps it to 40
   * KiB itself) and the same rules there would be estimated past the cost limit, and the CRD
   * refused.
   */
  private static void boundFindings(JSONSchemaProps findings) {
    findings.setXKubernetesValidations(
        List.of(
            rule(
                FINDINGS_TEXT_RULE,
                "the findings' text (targets, summaries, remediations, evidence keys and values)"
                    + " is at most "
                    + ReportBounds.MAX_FINDINGS_TEXT
                    + " characters")));
    findings
        .getItems()
        .getSchema()
        .getProperties()
        .get("evidence")
        .setXKubernetesValidations(
            List.of(
                rule(
                    "self.all(k, size(k) <= " + ReportBounds.MAX_EVIDENCE_KEY + ")",
                    "every evidence key is at most "
                        + ReportBounds.MAX_EVIDENCE_KEY
                        + " characters")));
  }

  private static ValidationRule rule(String rule, String message) {
    return new ValidationRuleBuilder().withRule(rule).withMessage(message).build();
  }

  /**
   * What {@link ReportBounds#text(List)} counts, as CEL: sum() is the Kubernetes list library's.
   */
  static final String FINDINGS_TEXT_RULE =
      "self.map(f, (has(f.target) ? size(f.target) : 0)"
          + " + (has(f.summary) ? size(f.summary) : 0)"
          + " + (has(f.remediation) ? size(f.remediation) : 0)"
          + " + (has(f.evidence) ? f.evidence.map(k, size(k) + size(f.evidence[k])).sum() : 0)"
          + ").sum() <= "
          + ReportBounds.MAX_FINDINGS_TEXT;

  private static int columnRank(String name) {
    int i = COLUMN_ORDER.indexOf(name);
    return i < 0 ? COLUMN_ORDER.size() : i;
  }

  private static void listMap(JSONSchemaProps list, String key) {
    list.setXKubernetesListType("map");
    list.setXKubernetesListMapKeys(List.of(key));
    JSONSchemaProps item = list.getItems().getSchema();
    // A list-map key must be required, or the API server refuses the schema.
    if (item.getRequired() == null || !item.getRequired().contains(key)) {
      List<String> required =
          new java.util.ArrayList<>(item.getRequired() == null ? List.of() : item.getRequired());
      required.add(key);
      item.setRequired(required);
    }
  }
}
