package io.ghosthunt.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one shutdown hook, in a JVM of its own that gets SIGTERM while a command runs: it kills the
 * commands in progress, undoes the owners last-registered first, runs its own commands, and refuses
 * any other thread's.
 */
class TeardownTest {

  @Test
  void sigtermKillsWhatRunsThenUndoesTheLastMadeFirstAndRefusesOtherThreads(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("out.txt");
    Process jvm =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Subject.class.getName(),
                out.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
      String ready = lines.readLine();
      assertEquals("ready", ready);
      Thread.sleep(300); // the main thread is in its Lab.exec of sleep 602 now
      long signalled = System.nanoTime();
      jvm.destroy(); // SIGTERM
      assertTrue(jvm.waitFor(20, TimeUnit.SECONDS), "the JVM did not end after SIGTERM");
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
      assertTrue(took < 5_000, "the hook waited for a command instead of killing it: " + took);
      assertEquals(
          List.of("stopping", "B: refused elsewhere", "A: true ran, exit 0"),
          Files.readAllLines(out));
      assertEquals(
          List.of(),
          ProcessHandle.allProcesses()
              .filter(
                  p ->
                      p.info()
                          .commandLine()
                          .map(c -> c.contains("sleep 601") || c.contains("sleep 602"))
                          .orElse(false))
              .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
              .toList(),
          "a command of the stopped JVM is still running");
    } finally {
      jvm.destroyForcibly();
    }
  }

  /** The JVM under test. */
  public static final class Subject {
    public static void main(String[] args) throws Exception {
      Path out = Path.of(args[0]);
      List<String> lines = new ArrayList<>();
      Runnable flush =
          () -> {
            try {
              Files.write(out, lines);
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          };
      Teardown.register(
          "A",
          () -> {
            Lab.Exec e = Lab.exec(List.of("true"), Duration.ofSeconds(10));
            lines.add("A: true ran, exit " + e.exitCode());
            flush.run();
          });
      Teardown.register(
          "B",
          () -> {
            String[] result = {"allowed"};
            Thread other =
                new Thread(
                    () -> {
                      try {
                        Lab.exec(List.of("true"), Duration.ofSeconds(10));
                      } catch (Teardown.Stopping e) {
                        result[0] = "refused";
                      }
                    });
            other.start();
            other.join();
            lines.add("B: " + result[0] + " elsewhere");
            flush.run();
          });
      Teardown.onStopping(
          () -> {
            lines.add("stopping");
            flush.run();
          });
      Teardown.start(new ProcessBuilder("sleep", "601"));
      System.out.println("ready");
      System.out.flush();
      // Holds a make until the hook kills its command.
      Lab.exec(List.of("sleep", "602"), Duration.ofMinutes(1));
      Thread.currentThread().join();
    }
  }
}
