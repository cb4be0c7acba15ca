package io.ghosthunt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The constraints as generated: each one present in the CRD YAML the build writes. */
class CrdSchemaTest {

  static final Path GENERATED =
      Path.of("target", "classes", "META-INF", "fabric8", GhostHunt.CRD_FILE);
  static final Path COMMITTED = Path.of("..", "crds", GhostHunt.CRD_FILE);

  private static CustomResourceDefinitionVersion version;
  private static JSONSchemaProps spec;
  private static JSONSchemaProps status;

  @BeforeAll
  static void load() throws IOException {
    CustomResourceDefinition crd =
        new KubernetesSerialization()
            .unmarshal(Files.readString(GENERATED), CustomResourceDefinition.class);
    assertEquals("ghosthunts.ghosthunt.io", crd.getMetadata().getName());
    assertEquals(List.of("gh"), crd.getSpec().getNames().getShortNames());
    assertTrue(crd.getSpec().getNames().getCategories().contains("ghosthunt"));
    assertEquals("Namespaced", crd.getSpec().getScope());
    version = crd.getSpec().getVersions().get(0);
    spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    status = version.getSchema().getOpenAPIV3Schema().getProperties().get("status");
  }

  private static JSONSchemaProps at(JSONSchemaProps root, String... path) {
    JSONSchemaProps p = root;
    for (String segment : path) {
      p = segment.equals("[]") ? p.getItems().getSchema() : p.getProperties().get(segment);
    }
    return p;
  }

  @Test
  void versionServesStatusAndPrinterColumnsInOrder() {
    assertEquals("v1alpha1", version.getName());
    assertTrue(version.getSubresources().getStatus() != null, "status subresource");
    assertEquals(
        List.of("Phase", "Verdict", "Ghosts", "Nodes", "Last Run", "Next", "Age"),
        version.getAdditionalPrinterColumns().stream().map(c -> c.getName()).toList());
    assertEquals(".status.progress", version.getAdditionalPrinterColumns().get(3).getJsonPath());
  }

  @Test
  void portsAreBoundedToOneThrough65535() {
    for (String check : List.of("portOwner", "loopback")) {
      JSONSchemaProps item = at(spec, "checks", check, "ports", "[]");
      assertEquals(1.0, item.getMinimum().doubleValue(), check);
      assertEquals(65535.0, item.getMaximum().doubleValue(), check);
    }
  }

  @Test
  void everyTargetListHoldsAtMost64Entries() {
    List<String[]> lists =
        List.of(
            new String[] {"portOwner", "ports"},
            new String[] {"loopback", "ports"},
            new String[] {"dns", "names"},
            new String[] {"dns", "resolvers"},
            new String[] {"dns", "authorities"},
            new String[] {"dns", "expectedAddresses"},
            new String[] {"http2", "urls"},
            new String[] {"mtu", "targets"},
            new String[] {"duplicateIp", "addresses"},
            new String[] {"asymmetricRoute", "peers"});
    for (String[] l : lists) {
      assertEquals(64L, at(spec, "checks", l[0], l[1]).getMaxItems(), String.join(".", l));
    }
  }

  /**
   * The regex of a field's CEL rule {@code ...matches(r'REGEX')...}, checked to carry a message.
   */
  private static Pattern ruleRegex(JSONSchemaProps field, String messageStart) {
    ValidationRule rule = field.getXKubernetesValidations().get(0);
    assertTrue(rule.getMessage().startsWith(messageStart), rule.getMessage());
    String text = rule.getRule();
    int from = text.indexOf("r'") + 2;
    return Pattern.compile(text.substring(from, text.indexOf("'", from)));
  }

  @Test
  void urlsMustBeHttpOrHttps() {
    JSONSchemaProps urls = at(spec, "checks", "http2", "urls");
    assertTrue(
        urls.getXKubernetesValidations().get(0).getRule().startsWith("self.all(x, x.matches("));
    Pattern url = ruleRegex(urls, "every URL must be http:// or https://");
    assertTrue(url.matcher("https://app.example.com:8443/health").matches());
    assertTrue(url.matcher("http://[2001:db8::1]:8080/").matches());
    assertTrue(!url.matcher("ftp://app.example.com/").matches());
    assertTrue(!url.matcher("app.example.com").matches());
    assertEquals(2048L, at(urls, "[]").getMaxLength());
  }

  @Test
  void addressesMustBeIpLiteralsOrNames() {
    Pattern ip =
        ruleRegex(
            at(spec, "checks", "dns", "expectedAddresses"), "every expected address must be an IP");
    assertTrue(ip.matcher("203.0.113.10").matches());
    assertTrue(ip.matcher("2001:db8::10").matches());
    assertTrue(!ip.matcher("app.example.com").matches());
    assertTrue(!ip.matcher("256.1.1.1").matches());
    for (String f : List.of("resolvers", "authorities")) {
      assertEquals(ip.pattern(), ruleRegex(at(spec, "checks", "dns", f), "every").pattern(), f);
    }
    Pattern name = ruleRegex(at(spec, "checks", "dns", "names"), "every name must be a DNS name");
    assertTrue(name.matcher("app.example.com").matches());
    assertTrue(!name.matcher("app_example com").matches());
    Pattern neighbour =
        ruleRegex(
            at(spec, "checks", "duplicateIp", "addresses"),
            "every address must be an IPv4 or IPv6 address");
    assertEquals(ip.pattern(), neighbour.pattern());
    assertEquals(45L, at(spec, "checks", "duplicateIp", "addresses", "[]").getMaxLength());
    for (String[] f :
        List.of(new String[] {"mtu", "targets"}, new String[] {"asymmetricRoute", "peers"})) {
      Pattern host = ruleRegex(at(spec, "checks", f[0], f[1]), "every");
      assertTrue(host.matcher("198.51.100.20").matches());
      assertTrue(host.matcher("app.example.com").matches());
      assertTrue(host.matcher("2001:db8::20").matches());
      assertTrue(!host.matcher("not a host").matches());
    }
    Pattern target = ruleRegex(at(spec, "target"), "target must be an http(s) URL or host[:port]");
    assertTrue(target.matcher("https://app.example.com:8443/health").matches());
    assertTrue(target.matcher("db.example.com:5432").matches());
    assertTrue(target.matcher("[2001:db8::1]:5432").matches());
    assertTrue(!target.matcher("ftp://example.com").matches());
  }

  /** Every {@code r'REGEX'} of a CEL rule, in order. */
  private static List<Pattern> regexes(String rule) {
    List<Pattern> out = new java.util.ArrayList<>();
    for (int from = rule.indexOf("r'"); from >= 0; from = rule.indexOf("r'", from)) {
      int end = rule.indexOf("'", from + 2);
      out.add(Pattern.compile(rule.substring(from + 2, end)));
      from = end + 1;
    }
    return out;
  }

  private static ValidationRule rule(JSONSchemaProps field, String messageStart) {
    return field.getXKubernetesValidations().stream()
        .filter(r -> r.getMessage().startsWith(messageStart))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no rule '" + messageStart + "...'"));
  }

  /** A label key as the key rules say: the first regex matches (CEL: a search), the second not. */
  private static boolean labelKey(String rule, String key) {
    List<Pattern> p = regexes(rule);
    assertEquals(2, p.size(), rule);
    return p.get(0).matcher(key).find() && !p.get(1).matcher(key).find();
  }

  private static final List<String> SELECTORS = List.of("nodes", "pods");

  @Test
  void selectorOperatorsAreClosed() {
    for (String s : SELECTORS) {
      JSONSchemaProps requirement = at(spec, s, "selector", "matchExpressions", "[]");
      assertEquals(
          List.of("DoesNotExist", "Exists", "In", "NotIn"),
          requirement.getProperties().get("operator").getEnum().stream()
              .map(n -> n.asText())
              .toList(),
          s);
      assertEquals(List.of("key", "operator"), requirement.getRequired(), s);
    }
  }

  @Test
  void selectorValuesFollowTheOperator() {
    for (String s : SELECTORS) {
      JSONSchemaProps requirement = at(spec, s, "selector", "matchExpressions", "[]");
      ValidationRule needs =
          rule(requirement, "values must not be empty when operator is In or NotIn");
      assertEquals(".values", needs.getFieldPath());
      assertTrue(needs.getRule().contains("self.operator in ['In', 'NotIn']"), needs.getRule());
      assertTrue(needs.getRule().contains("size(self.values) > 0"), needs.getRule());
      ValidationRule refuses =
          rule(requirement, "values must be empty when operator is Exists or DoesNotExist");
      assertEquals(".values", refuses.getFieldPath());
      assertTrue(
          refuses.getRule().contains("self.operator in ['Exists', 'DoesNotExist']"),
          refuses.getRule());
      assertTrue(refuses.getRule().contains("size(self.values) == 0"), refuses.getRule());
    }
  }

  @Test
  void selectorKeysAreLabelKeys() {
    String prefix253 = "a".repeat(253);
    for (String s : SELECTORS) {
      String key =
          rule(at(spec, s, "selector", "matchExpressions", "[]", "key"), "key must be a label key")
              .getRule();
      String labels =
          rule(at(spec, s, "selector", "matchLabels"), "every key must be a label key").getRule();
      assertEquals(
          regexes(key).stream().map(Pattern::pattern).toList(),
          regexes(labels).stream().map(Pattern::pattern).toList(),
          "matchLabels keys and matchExpressions keys follow one rule");
      assertTrue(labels.startsWith("self.all(k, "), labels);
      for (String good :
          List.of(
              "a",
              "role",
              "kubernetes.io/os",
              "node-role.kubernetes.io/control-plane",
              "A_b.c-D",
              "x".repeat(63),
              prefix253 + "/" + "b".repeat(63))) {
        assertTrue(labelKey(key, good), good);
      }
      for (String bad :
          List.of(
              "",
              "bad key",
              "-a",
              "a-",
              "x".repeat(64),
              "Example.com/role",
              "example.com/",
              "/role",
              "a/b/c",
              "a".repeat(254) + "/b")) {
        assertFalse(labelKey(key, bad), bad);
      }
    }
  }

  @Test
  void selectorValuesAreLabelValuesAndMayBeEmpty() {
    for (String s : SELECTORS) {
      String values =
          rule(
                  at(spec, s, "selector", "matchExpressions", "[]", "values"),
                  "every value must be a label value")
              .getRule();
      String labels =
          rule(at(spec, s, "selector", "matchLabels"), "every value must be a label value")
              .getRule();
      assertTrue(values.startsWith("self.all(v, v.matches("), values);
      assertTrue(labels.startsWith("self.all(k, self[k].matches("), labels);
      Pattern value = regexes(values).get(0);
      assertEquals(value.pattern(), regexes(labels).get(0).pattern());
      for (String good : List.of("", "web", "v1.2_3-rc", "x".repeat(63))) {
        assertTrue(value.matcher(good).find(), good);
      }
      for (String bad : List.of("web server", "-web", "web.", "x".repeat(64), "a,b", "a=b")) {
        assertFalse(value.matcher(bad).find(), bad);
      }
    }
  }

  /**
   * The API server estimates each CEL rule's cost from the sizes of what it touches, and refuses a
   * CRD whose estimate is too high: every list, map and string under a selector has a bound.
   */
  @Test
  void everythingUnderASelectorIsBounded() {
    for (String s : SELECTORS) {
      List<String> unbounded = new java.util.ArrayList<>();
      bounded("spec." + s + ".selector", at(spec, s, "selector"), unbounded);
      assertEquals(List.of(), unbounded);
    }
    assertEquals(64L, at(spec, "nodes", "selector", "matchLabels").getMaxProperties());
    assertEquals(
        63L,
        at(spec, "nodes", "selector", "matchLabels")
            .getAdditionalProperties()
            .getSchema()
            .getMaxLength());
    assertEquals(64L, at(spec, "nodes", "selector", "matchExpressions").getMaxItems());
    assertEquals(
        64L, at(spec, "nodes", "selector", "matchExpressions", "[]", "values").getMaxItems());
    assertEquals(
        317L, at(spec, "nodes", "selector", "matchExpressions", "[]", "key").getMaxLength());
  }

  private static void bounded(String path, JSONSchemaProps p, List<String> unbounded) {
    switch (p.getType()) {
      case "array" -> {
        if (p.getMaxItems() == null) {
          unbounded.add(path + " (maxItems)");
        }
        bounded(path + "[]", p.getItems().getSchema(), unbounded);
      }
      case "string" -> {
        if (p.getMaxLength() == null && (p.getEnum() == null || p.getEnum().isEmpty())) {
          unbounded.add(path + " (maxLength)");
        }
      }
      case "object" -> {
        if (p.getAdditionalProperties() != null
            && p.getAdditionalProperties().getSchema() != null) {
          if (p.getMaxProperties() == null) {
            unbounded.add(path + " (maxProperties)");
          }
          bounded(path + "{}", p.getAdditionalProperties().getSchema(), unbounded);
        }
        if (p.getProperties() != null) {
          p.getProperties().forEach((name, child) -> bounded(path + "." + name, child, unbounded));
        }
      }
      default -> {}
    }
  }

  @Test
  void timeoutIsBoundedToOneHour() {
    JSONSchemaProps timeout = at(spec, "timeoutSeconds");
    assertEquals(1.0, timeout.getMinimum().doubleValue());
    assertEquals(3600.0, timeout.getMaximum().doubleValue());
  }

  @Test
  void somethingToCheckIsRequiredWithAMessage() {
    List<ValidationRule> rules = spec.getXKubernetesValidations();
    assertEquals(2, rules.size());
    ValidationRule something =
        rules.stream()
            .filter(r -> r.getRule().contains("has(self.target) || has(self.checks)"))
            .findFirst()
            .orElseThrow();
    assertTrue(something.getMessage().startsWith("nothing to check"));
    ValidationRule exclusive =
        rules.stream()
            .filter(r -> r.getRule().equals("!(has(self.nodes) && has(self.pods))"))
            .findFirst()
            .orElseThrow();
    assertTrue(exclusive.getMessage().startsWith("spec.nodes and spec.pods exclude each other"));
    ValidationRule checks = at(spec, "checks").getXKubernetesValidations().get(0);
    assertEquals("checks must name at least one check", checks.getMessage());
  }

  @Test
  void enumsAreClosed() {
    assertEquals(7, at(spec, "symptom").getEnum().size());
    assertEquals(
        List.of("TCP", "UDP"),
        at(spec, "checks", "portOwner", "protocol").getEnum().stream()
            .map(n -> n.asText())
            .toList());
    assertEquals(8, at(status, "nodes", "[]", "findings", "[]", "ghost").getEnum().size());
    assertEquals(4, at(status, "nodes", "[]", "findings", "[]", "verdict").getEnum().size());
  }

  @Test
  void statusListsAreMapsWhereOthersApplyTheirOwnEntries() {
    JSONSchemaProps nodes = at(status, "nodes");
    // The operator alone writes the entries, and a pod hunt has several per node: no field is a
    // key.
    assertNull(nodes.getXKubernetesListType());
    assertTrue(
        nodes.getXKubernetesListMapKeys() == null || nodes.getXKubernetesListMapKeys().isEmpty());
    assertTrue(nodes.getItems().getSchema().getRequired().contains("node"));
    assertEquals(List.of("type"), at(status, "conditions").getXKubernetesListMapKeys());
  }

  @Test
  void committedCrdsAreWhatTheModelGenerates() throws IOException {
    for (String file : List.of(GhostHunt.CRD_FILE, GhostHuntReport.CRD_FILE)) {
      Path generated = GENERATED.resolveSibling(file);
      Path committed = COMMITTED.resolveSibling(file);
      String is = Files.exists(committed) ? Files.readString(committed) : "(missing)";
      assertTrue(
          Files.readString(generated).equals(is),
          "crds/"
              + file
              + " is out of date with the model: run"
              + " `mvn -q -pl api process-classes && cp api/"
              + generated
              + " crds/` and commit it");
    }
  }

  @Test
  void aReportListsItsHuntNodeVerdictAndGhosts() throws IOException {
    CustomResourceDefinition crd =
        new KubernetesSerialization()
            .unmarshal(
                Files.readString(GENERATED.resolveSibling(GhostHuntReport.CRD_FILE)),
                CustomResourceDefinition.class);
    assertEquals(List.of("ghr"), crd.getSpec().getNames().getShortNames());
    assertEquals(
        List.of("Hunt", "Node", "Pod", "Verdict", "Ghosts", "Age"),
        crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
            .map(c -> c.getName())
            .toList());
    assertEquals(
        List.of("generation", "hunt", "node"),
        crd
            .getSpec()
            .getVersions()
            .get(0)
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec")
            .getRequired()
            .stream()
            .sorted()
            .toList());
  }

  private static JSONSchemaProps reportSchema() throws IOException {
    return new KubernetesSerialization()
        .unmarshal(
            Files.readString(GENERATED.resolveSibling(GhostHuntReport.CRD_FILE)),
            CustomResourceDefinition.class)
        .getSpec()
        .getVersions()
        .get(0)
        .getSchema()
        .getOpenAPIV3Schema();
  }

  /**
   * Every string, list and map under {@code p} with its bound, or the path of the first without.
   */
  private static void assertBounded(JSONSchemaProps p, String path) {
    switch (p.getType()) {
      case "string" ->
          assertTrue(p.getMaxLength() != null || p.getEnum() != null, path + " has no maxLength");
      case "array" -> {
        assertTrue(p.getMaxItems() != null, path + " has no maxItems");
        assertBounded(p.getItems().getSchema(), path + "[]");
      }
      case "object" -> {
        if (p.getAdditionalProperties() != null) {
          assertTrue(p.getMaxProperties() != null, path + " has no maxProperties");
          assertBounded(p.getAdditionalProperties().getSchema(), path + ".*");
        }
        if (p.getProperties() != null) {
          p.getProperties().forEach((name, child) -> assertBounded(child, path + "." + name));
        }
      }
      default -> {}
    }
  }

  @Test
  void aReportBoundsEverythingItsProbeWrites() throws IOException {
    JSONSchemaProps report = reportSchema();
    assertBounded(report.getProperties().get("status"), "status");
    assertBounded(report.getProperties().get("spec"), "spec");
    JSONSchemaProps status = report.getProperties().get("status");
    JSONSchemaProps findings = at(status, "findings");
    assertEquals(512L, findings.getMaxItems());
    JSONSchemaProps finding = at(findings, "[]");
    for (String field : List.of("target", "summary", "remediation")) {
      assertEquals(2048L, at(finding, field).getMaxLength(), field);
    }
    JSONSchemaProps evidence = at(finding, "evidence");
    assertEquals(32L, evidence.getMaxProperties());
    assertEquals(512L, evidence.getAdditionalProperties().getSchema().getMaxLength());
    ValidationRule keys = evidence.getXKubernetesValidations().get(0);
    assertEquals("self.all(k, size(k) <= 128)", keys.getRule());
    assertEquals(4096L, at(status, "message").getMaxLength());
    assertEquals(512.0, at(status, "ghosts").getMaximum().doubleValue());
    assertEquals(253L, at(report.getProperties().get("spec"), "node").getMaxLength());
    // The text of all findings together: what keeps 512 findings at their bounds under 1.5 MiB.
    ValidationRule text = findings.getXKubernetesValidations().get(0);
    assertTrue(text.getRule().startsWith("self.map(f, (has(f.target) ? size(f.target) : 0)"));
    assertTrue(text.getRule().endsWith(".sum() <= 196608"), text.getRule());
    assertTrue(text.getMessage().startsWith("the findings' text"), text.getMessage());
  }

  @Test
  void theHuntsNodeEntriesHaveTheReportsFieldBoundsButNotItsRules() {
    JSONSchemaProps findings = at(status, "nodes", "[]", "findings");
    assertEquals(512L, findings.getMaxItems());
    assertEquals(2048L, at(findings, "[]", "summary").getMaxLength());
    assertEquals(4096L, at(status, "nodes", "[]", "message").getMaxLength());
    assertEquals(253L, at(status, "nodes", "[]", "node").getMaxLength());
    // status.nodes has no maxItems (the operator keeps it to 40 KiB): a rule inside it would be
    // estimated past the API server's cost limit.
    for (JSONSchemaProps p : List.of(findings, at(findings, "[]", "evidence"))) {
      assertTrue(
          p.getXKubernetesValidations() == null || p.getXKubernetesValidations().isEmpty(),
          String.valueOf(p.getXKubernetesValidations()));
    }
  }
}
