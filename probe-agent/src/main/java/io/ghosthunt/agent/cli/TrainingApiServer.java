package io.ghosthunt.agent.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A stand-in for the API server on loopback, for {@link CdsTraining} alone: TLS with a certificate
 * of its own (an RSA key as kubeadm's, made by the JDK's keytool), its CA given to the client as a
 * cluster's is, a GhostHunt to read and a report status to write. The agent's whole way to the API
 * server then runs while the archive is made, so that the classes of the TLS handshake, of the
 * certificate's validation and of an HTTP exchange are mapped from it in every probe instead of
 * loaded and verified at its start. The JDK has no HTTP/2 server: the HTTP/2 framing the real API
 * server negotiates stays out of the archive.
 */
final class TrainingApiServer implements AutoCloseable {

  private static final String PASSWORD = "cds-training";

  private final Path dir;
  private final HttpsServer server;

  /** The CA file a client trusts this server with. */
  final Path ca;

  private TrainingApiServer(Path dir, HttpsServer server, Path ca) {
    this.dir = dir;
    this.server = server;
    this.ca = ca;
  }

  /**
   * Starts it, answering every GET with {@code readBody} and every PATCH with {@code writtenBody}.
   */
  static TrainingApiServer start(String readBody, String writtenBody)
      throws IOException, InterruptedException, GeneralSecurityException {
    Path dir = Files.createTempDirectory("ghosthunt-cds-training");
    try {
      SSLContext tls = tls(dir);
      HttpsServer server =
          HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(tls));
      server.createContext(
          "/",
          exchange ->
              answer(exchange, "GET".equals(exchange.getRequestMethod()) ? readBody : writtenBody));
      server.start();
      return new TrainingApiServer(dir, server, dir.resolve("ca.pem"));
    } catch (IOException | InterruptedException | GeneralSecurityException | RuntimeException e) {
      delete(dir);
      throw e;
    }
  }

  /** A key and its self-signed certificate made by keytool in {@code dir}, and its CA file. */
  private static SSLContext tls(Path dir)
      throws IOException, InterruptedException, GeneralSecurityException {
    Path keystore = dir.resolve("server.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    keytool(
        List.of(
            keytool,
            "-genkeypair",
            "-alias",
            "apiserver",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-dname",
            "CN=127.0.0.1",
            "-ext",
            "SAN=ip:127.0.0.1",
            "-validity",
            "2",
            "-storetype",
            "PKCS12",
            "-keystore",
            keystore.toString(),
            "-storepass",
            PASSWORD));
    keytool(
        List.of(
            keytool,
            "-exportcert",
            "-rfc",
            "-alias",
            "apiserver",
            "-keystore",
            keystore.toString(),
            "-storepass",
            PASSWORD,
            "-file",
            dir.resolve("ca.pem").toString()));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(ks, PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keys.getKeyManagers(), null, null);
    return tls;
  }

  /** The URL a client reaches it at. */
  String url() {
    return "https://127.0.0.1:" + server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, String body) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static void keytool(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("keytool failed: " + output.strip());
    }
  }

  @Override
  public void close() throws IOException {
    server.stop(0);
    delete(dir);
  }

  private static void delete(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }
}
