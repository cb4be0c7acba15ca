package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodProcessesTest {

  static final String UID = "5c9e1c2a-7d4b-4f7e-9a51-0e6f3c2b1a00";

  @Test
  void aPodsCgroupNamesItsUidUnderEitherCgroupDriver() {
    assertTrue(
        PodProcesses.inPod("0::/kubepods/besteffort/pod" + UID + "/0123abcd\n", UID), "cgroupfs");
    assertTrue(
        PodProcesses.inPod(
            "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                + UID.replace('-', '_')
                + ".slice/cri-containerd-0123abcd.scope\n",
            UID),
        "systemd");
    assertFalse(
        PodProcesses.inPod(
            "0::/kubepods/besteffort/pod" + UID.replace("00", "01") + "/0123abcd\n", UID),
        "another pod");
    assertFalse(PodProcesses.inPod("0::/system.slice/containerd.service\n", UID));
  }

  @Test
  void theProcessWithThePodsFilesIsChosenNotTheSandbox(@TempDir Path proc) throws IOException {
    process(proc, 40, "0::/kubepods/besteffort/pod" + UID + "/sandbox\n", false); // pause: no /etc
    process(proc, 41, "0::/kubepods/besteffort/pod" + UID + "/app\n", true);
    process(proc, 7, "0::/system.slice/containerd.service\n", true);
    Files.createDirectories(proc.resolve("self"));

    PodProcesses processes = new PodProcesses(proc);
    Map<String, List<Long>> found = processes.find(List.of(UID, "gone"));
    assertEquals(Map.of(UID, List.of(40L, 41L)), found, "a pod without a process here is absent");
    assertEquals(Optional.of(41L), processes.withPodFiles(found.get(UID)));
  }

  static void process(Path proc, int pid, String cgroup, boolean podFiles) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
    Files.writeString(dir.resolve("cgroup"), cgroup);
    if (podFiles) {
      Files.createDirectories(dir.resolve("root/etc"));
      Files.writeString(dir.resolve("root/etc/hosts"), "127.0.0.1 localhost\n");
    }
  }
}
