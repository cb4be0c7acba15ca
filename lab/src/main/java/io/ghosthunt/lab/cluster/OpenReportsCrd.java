package io.ghosthunt.lab.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.lab.Lab;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenReports {@code Report} CRD as its Go module ships it ({@code config/crd} of
 * github.com/openreports/reports-api at {@code openreports.version}), fetched with {@code go mod
 * download} from the module proxy: the tests apply the API's own file, never a copy of it.
 */
public final class OpenReportsCrd {

  public static final String MODULE = "github.com/openreports/reports-api";
  public static final String NAME = "reports.openreports.io";

  private static final Pattern DIR = Pattern.compile("\"Dir\":\\s*\"([^\"]+)\"");

  private OpenReportsCrd() {}

  /** The module's CRD file, downloaded into Go's module cache when it is not there yet. */
  public static Path file() {
    String module = MODULE + "@v" + Binaries.openReportsVersion();
    List<String> cmd = new ArrayList<>(List.of("env", "GOFLAGS=-mod=mod"));
    cmd.addAll(List.of("go", "mod", "download", "-json", module));
    Lab.Exec run = Lab.exec(cmd, Duration.ofMinutes(3));
    if (run.exitCode() != 0) {
      // Some networks reach the module proxy but not the checksum database, as
      // scripts/control-plane.sh says too: the proxy still verifies what it serves.
      cmd.add(1, "GOSUMDB=off");
      run = Lab.exec(cmd, Duration.ofMinutes(3));
    }
    Matcher m = DIR.matcher(run.output());
    if (run.exitCode() != 0 || !m.find()) {
      throw new IllegalStateException("go mod download " + module + ": " + run.output());
    }
    Path crd = Path.of(m.group(1), "config", "crd", "openreports.io_reports.yaml");
    if (!Files.isRegularFile(crd)) {
      throw new IllegalStateException(module + " has no " + crd);
    }
    return crd;
  }

  /** Applies the CRD and waits until the API server serves it. */
  public static void install(KubernetesClient admin) {
    try (InputStream in = Files.newInputStream(file())) {
      for (HasMetadata o : admin.load(in).items()) {
        admin.resource(o).serverSideApply();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(NAME)
        .waitUntilCondition(OpenReportsCrd::established, 1, TimeUnit.MINUTES);
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
