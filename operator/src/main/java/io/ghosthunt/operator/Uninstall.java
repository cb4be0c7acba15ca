package io.ghosthunt.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.ghosthunt.api.GhostHunt;
import io.javaoperatorsdk.operator.ReconcilerUtils;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the chart's pre-delete hook runs ({@code --release-hunts}): hunts outlive the chart (their
 * CRD stays), but their finalizer needs an operator to remove it, so an uninstall would leave every
 * hunt undeletable. The hook stops the operator first (else it would put the finalizer back on its
 * next reconcile), then removes the finalizer from every hunt. Nothing it guarded is left to clean:
 * the probe namespace, and with it every probe and agent account, goes with the release.
 */
public final class Uninstall {

  private static final Logger LOG = LoggerFactory.getLogger(Uninstall.class);

  static final String FINALIZER = ReconcilerUtils.getDefaultFinalizerName(GhostHunt.class);

  private Uninstall() {}

  /**
   * @param releaseNamespace where the operator's Deployment runs
   * @param watched the namespaces whose hunts the operator reconciled; empty: all
   * @return how many hunts were released
   */
  public static int releaseHunts(
      KubernetesClient client, String releaseNamespace, Set<String> watched, Duration wait)
      throws Exception {
    stopOperator(client, releaseNamespace, wait);
    int released = 0;
    for (GhostHunt hunt : hunts(client, watched)) {
      if (release(client, hunt)) {
        released++;
      }
    }
    LOG.info("released {} hunts from the operator's finalizer", released);
    return released;
  }

  /** First, or a running operator would put the finalizer back on its next reconcile. */
  private static void stopOperator(KubernetesClient client, String releaseNamespace, Duration wait)
      throws Exception {
    client.apps().deployments().inNamespace(releaseNamespace).withName(DEPLOYMENT).delete();
    client
        .pods()
        .inNamespace(releaseNamespace)
        .withLabel("app.kubernetes.io/name", DEPLOYMENT)
        .informOnCondition(List::isEmpty)
        .get(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static List<GhostHunt> hunts(KubernetesClient client, Set<String> watched) {
    return watched.isEmpty()
        ? client.resources(GhostHunt.class).inAnyNamespace().list().getItems()
        : watched.stream()
            .flatMap(
                ns -> client.resources(GhostHunt.class).inNamespace(ns).list().getItems().stream())
            .toList();
  }

  /**
   * @return whether the hunt held the finalizer and this removed it; false too for a hunt deleted
   *     meanwhile
   */
  private static boolean release(KubernetesClient client, GhostHunt hunt) {
    List<String> finalizers = hunt.getMetadata().getFinalizers();
    int at = finalizers == null ? -1 : finalizers.indexOf(FINALIZER);
    if (at < 0) {
      return false;
    }
    try {
      // Test, then remove: exactly our finalizer, whatever else changed meanwhile.
      client
          .resources(GhostHunt.class)
          .inNamespace(hunt.getMetadata().getNamespace())
          .withName(hunt.getMetadata().getName())
          .patch(
              PatchContext.of(PatchType.JSON),
              "[{\"op\":\"test\",\"path\":\"/metadata/finalizers/%d\",\"value\":\"%s\"},{\"op\":\"remove\",\"path\":\"/metadata/finalizers/%d\"}]"
                  .formatted(at, FINALIZER, at));
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      return false;
    }
  }

  static final String DEPLOYMENT = "ghosthunt-operator";
}
