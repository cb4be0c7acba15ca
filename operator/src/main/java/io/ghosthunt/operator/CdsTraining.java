package io.ghosthunt.operator;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.status.GhostHuntStatus;
import io.ghosthunt.operator.metrics.HealthServer;
import io.ghosthunt.operator.metrics.OperatorMetrics;
import java.io.IOException;
import java.util.Map;

/**
 * What the image build runs once under {@code -XX:ArchiveClassesAtExit}, so that the operator's JVM
 * maps the classes its start loads from an archive instead of loading and verifying them at every
 * start (class data sharing): the operator built and its reconciler registered, its health server,
 * a refused list of the hunts on loopback port 1, a hunt's status as JSON. Not in the help: a build
 * step, not a user's command.
 */
final class CdsTraining {

  private CdsTraining() {}

  static void run() throws IOException {
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("https://127.0.0.1:1")
                    .withOauthToken("cds-training")
                    .withRequestRetryBackoffLimit(0)
                    .withConnectionTimeout(1_000)
                    .build())
            .build();
    OperatorMetrics metrics = new OperatorMetrics();
    GhostHuntOperator op =
        new GhostHuntOperator(client, OperatorConfig.fromEnv(Map.of()), metrics, null);
    HealthServer health = new HealthServer(0, metrics, op::unready);
    GhostHunt hunt = new GhostHunt();
    hunt.setStatus(new GhostHuntStatus());
    String json = client.getKubernetesSerialization().asJson(hunt);
    client.getKubernetesSerialization().unmarshal(json, GhostHunt.class);
    try {
      client.resources(GhostHunt.class).inAnyNamespace().list();
    } catch (KubernetesClientException expected) {
      // Refused: the classes of the way there are loaded, which is all this is for.
    }
    health.close();
  }
}
