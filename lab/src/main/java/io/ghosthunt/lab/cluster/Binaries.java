package io.ghosthunt.lab.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The binaries {@code scripts/control-plane.sh build} made from their Go modules (kube-apiserver,
 * etcd, the kubelet, kube-proxy, kubectl, helm, pause, coredns), in {@code
 * $KUBEAPITEST_DIR/k8s/<version>-linux-amd64}. Their versions are written once, in the parent pom
 * ({@code kube.version}, {@code helm.version}, {@code coredns.version}, {@code
 * openreports.version}); the build filters them into this module's {@code versions.properties}, and
 * the script reads them from the same pom.
 */
public final class Binaries {

  private static final Properties VERSIONS = load();

  private Binaries() {}

  /** The Kubernetes version of the lab's cluster, as {@code x.y.z} (no leading {@code v}). */
  public static String kubernetesVersion() {
    return VERSIONS.getProperty("kube.version");
  }

  /** The release of the helm CLI built beside the Kubernetes binaries, without the {@code v}. */
  public static String helmVersion() {
    return VERSIONS.getProperty("helm.version");
  }

  /**
   * The CoreDNS release of the lab clusters' DNS (kubeadm's for this Kubernetes), without the v.
   */
  public static String corednsVersion() {
    return VERSIONS.getProperty("coredns.version");
  }

  /** The OpenReports API module's version (github.com/openreports/reports-api). */
  public static String openReportsVersion() {
    return VERSIONS.getProperty("openreports.version");
  }

  /** The folder of the binaries (the script's KUBEAPITEST_DIR; the name stays for the caches). */
  public static Path dir() {
    String root =
        System.getenv()
            .getOrDefault(
                "KUBEAPITEST_DIR",
                Path.of(System.getProperty("user.home"), ".kubeapitest").toString());
    return Path.of(root, "k8s", kubernetesVersion() + "-linux-amd64");
  }

  /** One of them: {@code kubelet}, {@code kubectl}, {@code helm}... */
  public static Path path(String name) {
    return dir().resolve(name);
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in =
        Binaries.class.getResourceAsStream("/io/ghosthunt/lab/versions.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            "io/ghosthunt/lab/versions.properties is not on the classpath");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String key :
        new String[] {"kube.version", "helm.version", "coredns.version", "openreports.version"}) {
      String v = p.getProperty(key, "");
      if (v.isEmpty() || v.startsWith("${")) {
        throw new IllegalStateException(key + " was not filtered into versions.properties: " + v);
      }
    }
    return p;
  }
}
