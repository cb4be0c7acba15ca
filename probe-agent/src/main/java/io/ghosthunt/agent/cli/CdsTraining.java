package io.ghosthunt.agent.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ghosthunt.agent.check.Checks;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;

/**
 * What a build runs once under {@code -XX:ArchiveClassesAtExit}, so that the JVM of the image (and
 * of {@code ./ghosthunt}) maps the classes a probe loads from an archive instead of loading and
 * verifying them at every start (class data sharing): a host-only hunt whose checks touch nothing
 * beyond loopback, then the agent's way to the API server up to a refused connection on loopback
 * port 1, and its report as JSON, then the agent's whole run against a stand-in API server over TLS
 * ({@link TrainingApiServer}). Not in the help: a build step, not a user's command.
 */
public final class CdsTraining {

  private static final String HUNT =
      """
      {"apiVersion": "ghosthunt.io/v1alpha1", "kind": "GhostHunt",
       "metadata": {"name": "training", "namespace": "cds", "generation": 1},
       "spec": {"checks": {"portOwner": {"ports": [1]}}, "timeoutSeconds": 10}}
      """;

  private static final String STATUS =
      """
      {"apiVersion": "v1", "kind": "Status", "status": "Failure", "code": 404, "reason": "NotFound",
       "message": "ghosthuntreports.ghosthunt.io \\"training\\" not found",
       "details": {"name": "training", "group": "ghosthunt.io", "kind": "ghosthuntreports"}}
      """;

  private CdsTraining() {}

  public static int run() {
    try {
      checks();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    apiServer();
    agentRun();
    return 0;
  }

  private static final String REPORT =
      """
      {"apiVersion": "ghosthunt.io/v1alpha1", "kind": "GhostHuntReport",
       "metadata": {"name": "training", "namespace": "cds", "resourceVersion": "2"}}
      """;

  /**
   * The probe's own run against a stand-in API server on loopback: its client with a CA file and a
   * token, its hunt read over TLS, its checks, its report's status written.
   */
  private static void agentRun() {
    try (TrainingApiServer api = TrainingApiServer.start(HUNT, REPORT)) {
      System.setProperty(Config.KUBERNETES_MASTER_SYSTEM_PROPERTY, api.url());
      System.setProperty(Config.KUBERNETES_CA_CERTIFICATE_FILE_SYSTEM_PROPERTY, api.ca.toString());
      System.setProperty(Config.KUBERNETES_OAUTH_TOKEN_SYSTEM_PROPERTY, "cds-training");
      System.setProperty(Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false");
      System.setProperty(Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY, "false");
      PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
      int code =
          new AgentCommand(Checks::onNode, quiet)
              .run(
                  new String[] {
                    "--hunt", "cds/training", "--node", "cds-training", "--report", "training"
                  });
      if (code != 0) {
        System.err.println("cds-training: the agent's run against the stand-in ended with " + code);
      }
    } catch (IOException | GeneralSecurityException | UsageException e) {
      // The archive is still made; a probe then loads these classes at its start, as before.
      System.err.println("cds-training: no TLS exchange trained: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void checks() throws IOException {
    Path hunt = Files.createTempFile("ghosthunt-cds-training", ".yaml");
    try (InputStream in = CdsTraining.class.getResourceAsStream("/cds-training.yaml")) {
      Files.write(hunt, in.readAllBytes());
      PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
      new CheckCommand(Checks::live, quiet).run(new String[] {"-f", hunt.toString(), "-o", "json"});
    } catch (UsageException e) {
      throw new IllegalStateException("the embedded training hunt is wrong: " + e.getMessage());
    } finally {
      Files.deleteIfExists(hunt);
    }
  }

  /** The agent's client and a refused read, and the report it would write, as JSON. */
  private static void apiServer() {
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("https://127.0.0.1:1")
                    .withOauthToken("cds-training")
                    .withRequestRetryBackoffLimit(0)
                    .withConnectionTimeout(1_000)
                    .build())
            .build()) {
      NodeStatus entry = new NodeStatus("cds-training", NodePhase.Done);
      entry.addFinding(new Finding(CheckKey.DNS, "cds.test", FindingVerdict.Clear));
      String json =
          client
              .getKubernetesSerialization()
              .asJson(
                  AgentCommand.reportStatus(
                      entry, AgentCommand.timeline(null, null), Instant.now()));
      client.getKubernetesSerialization().unmarshal(json, Object.class);
      // What the agent reads: its hunt, and the Status of a refusal; any resource by its kind,
      // which fills the client's registry of every kind it knows.
      client.getKubernetesSerialization().unmarshal(HUNT, GhostHunt.class);
      client.getKubernetesSerialization().unmarshal(STATUS);
      client.getKubernetesSerialization().unmarshal(HUNT);
      try {
        client.resources(GhostHunt.class).inNamespace("cds").withName("training").get();
      } catch (KubernetesClientException expected) {
        // Refused: the classes of the way there are loaded, which is all this is for.
      }
    }
  }
}
