package io.ghosthunt.agent.bench;

import io.ghosthunt.agent.check.Hunts;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.lab.DnsLab;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import io.ghosthunt.lab.MtuLab;
import io.ghosthunt.lab.SegmentLab;
import io.ghosthunt.lab.WebLab;
import java.util.ArrayList;
import java.util.List;

/**
 * Figures for the network checks, each in its lab (run by {@code scripts/bench.sh net}):
 *
 * <ul>
 *   <li>dns and http2 in-process against dig and curl doing the same queries (ratio);
 *   <li>mtu: probes used and time to the verdict, black hole and reporting twin;
 *   <li>all seven checks of one hunt on a clean house, JVM start included (wall).
 * </ul>
 */
public final class NetworkChecksBenchmark {

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "all";
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    if (what.equals("all") || what.equals("dns")) {
      try (Lab lab = new Lab()) {
        DnsLab dns = new DnsLab(lab);
        System.out.println(
            "== dns: app.example.test, resolver "
                + DnsLab.RESOLVER
                + ", authority "
                + DnsLab.AUTHORITY
                + " ==");
        System.out.print(
            inNode(
                dns.node,
                "dns",
                "app.example.test",
                DnsLab.RESOLVER,
                DnsLab.AUTHORITY,
                Integer.toString(runs)));
      }
    }
    if (what.equals("all") || what.equals("http2")) {
      try (Lab lab = new Lab()) {
        WebLab web = new WebLab(lab);
        String url = "https://" + WebLab.WEB + "/ok";
        System.out.println("== http2: " + url + " (nginx, TLS, ALPN) ==");
        System.out.print(inNode(web.node, "http2", url, Integer.toString(runs)));
      }
    }
    if (what.equals("all") || what.equals("mtu")) {
      for (boolean blackHole : new boolean[] {true, false}) {
        try (Lab lab = new Lab()) {
          MtuLab mtu = new MtuLab(lab, true, blackHole);
          System.out.println(
              "== mtu: 1500 → 1400 link, frag-needed "
                  + (blackHole ? "dropped (black hole)" : "reported")
                  + " ==");
          List<Long> took = new ArrayList<>();
          List<Long> wall = new ArrayList<>();
          String probes = null;
          String verdict = null;
          for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            LabHost.Run run =
                mtu.node.ghosthunt(
                    "check", "--target", MtuLab.FAR, "--symptom", "BigTransfersHang", "-o", "json");
            wall.add(System.nanoTime() - t);
            Finding f = Hunts.finding(run, CheckKey.MTU, MtuLab.FAR);
            took.add(f.getDurationMs() * 1_000_000);
            probes = f.getEvidence().get("probes");
            verdict = f.getVerdict() + ", path MTU " + f.getEvidence().get("pathMtu");
          }
          System.out.printf("verdict %s; probes %s%n", verdict, probes);
          System.out.printf(
              "time to the verdict (the check's own duration): median %.0f ms, max %.0f ms over %d runs"
                  + " (goal: black hole within 3000 ms); CLI wall median %.0f ms%n",
              InNodeBenchmark.median(took), max(took), runs, InNodeBenchmark.median(wall));
        }
      }
    }
    if (what.equals("all") || what.equals("house")) {
      try (Lab lab = new Lab()) {
        SegmentLab segment = new SegmentLab(lab);
        // A node's segment has its gateway: the host its default route names.
        segment.host("gateway", "192.0.2.1/24", "02:00:00:00:00:01");
        LabHost dnsHost = segment.host("dns", DnsLab.RESOLVER + "/24", "02:00:00:00:00:53");
        new DnsLab(segment.node, dnsHost, "eth0");
        LabHost webHost = segment.host("web", WebLab.WEB + "/24", "02:00:00:00:00:80");
        new WebLab(segment.node, webHost);
        segment.node.listen("0.0.0.0", 8080);
        String hunt =
            segment
                .node
                .file(
                    "house.yaml",
                    Hunts.hunt(
                        "house",
                        """
            checks:
              portOwner: {ports: [8080], expectedProcess: python3}
              dns: {names: [app.example.test], authorities: ["192.0.2.54"]}
              http2: {urls: ["https://192.0.2.80/ok"], insecureSkipTlsVerify: true}
              mtu: {targets: ["192.0.2.80"]}
              duplicateIp: {}
              asymmetricRoute: {peers: ["192.0.2.80"]}
              loopback: {ports: [8080]}
            """))
                .toString();
        System.out.println(
            "== all seven checks of one hunt on a clean house, JVM start included ==");
        List<Long> wall = new ArrayList<>();
        LabHost.Run last = null;
        for (int i = 0; i < runs; i++) {
          long t = System.nanoTime();
          last = segment.node.ghosthunt("check", "-f", hunt, "-o", "json");
          wall.add(System.nanoTime() - t);
        }
        StringBuilder per = new StringBuilder();
        for (Finding f : Hunts.node(last).getFindings()) {
          per.append(f.getCheck())
              .append(' ')
              .append(f.getVerdict())
              .append(' ')
              .append(f.getDurationMs())
              .append(" ms; ");
        }
        System.out.println("last run: exit " + last.exitCode() + "; " + per);
        System.out.printf(
            "wall: median %.0f ms, min %.0f ms, max %.0f ms over %d runs (goal <= 1000 ms)%n",
            InNodeBenchmark.median(wall), InNodeBenchmark.min(wall), max(wall), runs);
      }
    }
  }

  private static String inNode(LabHost node, String... args) {
    String cp = System.getProperty("java.class.path");
    return node.sh(
        java()
            + " -cp "
            + cp
            + " "
            + InNodeBenchmark.class.getName()
            + " "
            + String.join(" ", args));
  }

  private static String java() {
    return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static double max(List<Long> nanos) {
    return java.util.Collections.max(nanos) / 1e6;
  }
}
