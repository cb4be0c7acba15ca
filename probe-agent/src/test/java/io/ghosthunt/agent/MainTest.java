package io.ghosthunt.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void whatTheCommandLineSaysOnStderrIsRedacted() {
    // An agent's stderr is its pod's termination message, which the operator copies into status.
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      exit = Main.run(new String[] {"check", "postgres://app:hunter2@db/app"});
    } finally {
      System.setErr(saved);
    }
    String said = err.toString(StandardCharsets.UTF_8);
    assertEquals(2, exit);
    assertTrue(said.startsWith("ghosthunt: unexpected argument 'postgres://***@db/app'"), said);
  }
}
