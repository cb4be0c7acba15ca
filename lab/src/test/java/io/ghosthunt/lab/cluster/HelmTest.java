package io.ghosthunt.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The helm the lab runs is the CLI scripts/control-plane.sh built, of the pom's version. */
class HelmTest {

  @Test
  void isTheReleaseThePomNames() {
    assertEquals(
        "v" + Binaries.helmVersion(), Helm.run("version", "--template", "{{.Version}}").strip());
  }

  @Test
  void aFailureCarriesTheCommandAndWhatHelmPrinted() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Helm.run("no-such-command"));
    assertTrue(e.getMessage().startsWith("helm no-such-command: exit 1\n"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown command"), e.getMessage());
  }

  @Test
  void setsValuesAsTyped() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("replicaCount", 2);
    values.put("image.tag", "0.1.0");
    assertEquals(List.of("--set", "replicaCount=2", "--set", "image.tag=0.1.0"), Helm.set(values));
  }
}
