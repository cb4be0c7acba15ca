package io.ghosthunt.api.crd;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import java.io.File;
import java.util.Comparator;
import java.util.List;

/**
 * Generates the GhostHunt CRD at build time (exec-maven-plugin, process-classes).
 *
 * <p>The fabric8 generator derives the schema from the model; this class adds the two things the
 * model annotations cannot say: the order of the printer columns (the generator sorts them by name)
 * and the list-map keys that let the operator server-side-apply its own conditions and check counts
 * without replacing others'. status.nodes stays an atomic list: the operator alone writes it
 * (probes write reports), and in a pod hunt one node has an entry per pod, so no field is its key.
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
      if (!GhostHunt.CRD_NAME.equals(crd.getMetadata().getName())) {
        continue;
      }
      JSONSchemaProps status =
          version.getSchema().getOpenAPIV3Schema().getProperties().get("status");
      listMap(status.getProperties().get("conditions"), "type");
      listMap(status.getProperties().get("checks"), "check");
    }
    return crd;
  }

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
