package io.ghosthunt.agent.check;

import io.ghosthunt.agent.host.Addresses;
import io.ghosthunt.agent.host.PodResolver;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.ConfigMapKeyRef;
import io.ghosthunt.api.spec.Http2Spec;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.GhostName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.internal.http2.ConnectionShutdownException;
import okhttp3.internal.http2.StreamResetException;

/**
 * One client 500s: the same request over HTTP/2 (ALPN on TLS, prior knowledge on http://) and over
 * HTTP/1.1, compared. Ghost {@code Http2Quirk} when HTTP/1.1 works and HTTP/2 fails or answers 5xx.
 */
public final class Http2Check implements Check {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /** The body is read (a reset can come mid-body) but not kept beyond this. */
  private static final long BODY_LIMIT = 1 << 20;

  /** The certificate the server showed when nothing verifies it (OkHttp then reports no peer). */
  private final AtomicReference<String> unverifiedPeer = new AtomicReference<>();

  /** How the pod resolves the URLs' hosts; null where the JVM's own lookup is the right one. */
  private final PodResolver names;

  /** URLs' hosts resolved by the JVM: the machine's own C library, the node's view on a node. */
  public Http2Check() {
    this(null);
  }

  /**
   * URLs' hosts resolved as in a pod: its hosts file and nameservers, not the probe image's, which
   * the JVM would read. Only the addresses come from there: TLS (SNI, the certificate's name) and
   * the Host header still use the URL's host.
   */
  public Http2Check(PodResolver names) {
    this.names = names;
  }

  @Override
  public CheckKey key() {
    return CheckKey.HTTP2;
  }

  /** HTTP/1.1's failure when HTTP/2's connection found no route. */
  static final String NOT_TRIED =
      "not tried: HTTP/2's connection found no route to the host, and HTTP/1.1 goes to the same"
          + " address";

  /**
   * What one protocol got: a status, or the class of failure.
   *
   * @param noRoute the connection found no route to the host (no ARP or neighbour answer, or an
   *     ICMP host or network unreachable): any protocol to that address would fail the same way
   */
  record Outcome(
      Protocol protocol, int status, String failure, String tls, long ms, boolean noRoute) {
    boolean works() {
      return failure == null && status < 500;
    }

    /** HTTP/1.1 after HTTP/2's connection found no route: the same address, the same answer. */
    static Outcome notTried() {
      return new Outcome(null, 0, NOT_TRIED, null, 0, true);
    }

    boolean tried() {
      return !NOT_TRIED.equals(failure);
    }

    String describe() {
      String p = protocol == null ? "" : ", " + protocol;
      return (failure == null ? Integer.toString(status) : "failed: " + failure)
          + p
          + ", "
          + ms
          + " ms";
    }
  }

  @Override
  public List<Finding> run(ChecksSpec checks, CheckContext context) throws Exception {
    Http2Spec spec = checks.getHttp2();
    boolean insecure = Boolean.TRUE.equals(spec.getInsecureSkipTlsVerify());
    ConfigMapKeyRef ref = spec.getCaBundleConfigMap();
    List<X509Certificate> bundle = List.of();
    String trust = insecure ? "none (insecureSkipTlsVerify)" : "the system trust store";
    if (ref != null && !insecure) {
      try {
        bundle = certificates(context.configMaps().read(ref.getName(), ref.keyOrDefault()));
      } catch (IOException | CertificateException e) {
        String why =
            "cannot use the CA bundle "
                + ref.getName()
                + "/"
                + ref.keyOrDefault()
                + ": "
                + e.getMessage();
        return spec.getUrls().stream().map(u -> Findings.error(key(), u, why)).toList();
      }
      if (bundle.isEmpty()) {
        String why =
            "the CA bundle "
                + ref.getName()
                + "/"
                + ref.keyOrDefault()
                + " holds no PEM certificate";
        return spec.getUrls().stream().map(u -> Findings.error(key(), u, why)).toList();
      }
      trust +=
          " + "
              + bundle.size()
              + " CA certificate"
              + (bundle.size() == 1 ? "" : "s")
              + " from ConfigMap "
              + ref.getName()
              + "/"
              + ref.keyOrDefault();
    }
    PodLookups lookups = names == null ? null : new PodLookups(names, context);
    OkHttpClient base = base(insecure, bundle, lookups);
    List<Finding> findings = new ArrayList<>();
    try {
      for (String url : spec.getUrls()) {
        long started = System.nanoTime();
        PodResolver.Result resolved = lookups == null ? null : lookups.of(url);
        boolean tls = url.regionMatches(true, 0, "https:", 0, 6);
        List<Protocol> h2Protocols =
            tls
                ? List.of(Protocol.HTTP_2, Protocol.HTTP_1_1)
                : List.of(Protocol.H2_PRIOR_KNOWLEDGE);
        Outcome h2 = fetch(base, url, h2Protocols, context);
        // An unreachable host's wait (three seconds for an ARP that gets no answer) is paid once.
        Outcome h1 =
            h2.noRoute()
                ? Outcome.notTried()
                : fetch(base, url, List.of(Protocol.HTTP_1_1), context);
        Outcome h2Again = null;
        Outcome h1Again = null;
        if (quirk(tls, h2, h1)) {
          // One failed attempt is no quirk (a reset, a timeout, one 5xx): both protocols once more,
          // each
          // on a fresh connection; a ghost only when HTTP/2 fails again while HTTP/1.1 still works.
          base.connectionPool().evictAll();
          h2Again = fetch(base, url, h2Protocols, context);
          h1Again = fetch(base, url, List.of(Protocol.HTTP_1_1), context);
        }
        Finding f = judge(url, tls, h2, h1, h2Again, h1Again, insecure);
        f.evidence("HTTP/2", h2.describe());
        f.evidence("HTTP/1.1", h1.describe());
        if (h2Again != null) {
          f.evidence("HTTP/2 again", h2Again.describe());
          f.evidence("HTTP/1.1 again", h1Again.describe());
        }
        f.evidence("negotiation", tls ? "ALPN offering h2, http/1.1" : "h2c prior knowledge");
        if (h2.tls() != null || h1.tls() != null) {
          f.evidence(
              "tls",
              (h2.tls() != null ? h2.tls() : h1.tls())
                  + (insecure ? " (certificate not verified)" : ""));
        }
        if (tls) {
          f.evidence("trust", trust);
        }
        if (resolved != null && resolved.resolved()) {
          f.evidence("resolvedBy", resolved.resolvedBy());
          f.evidence(
              "resolvedTo",
              resolved.addresses().stream().map(Addresses::text).collect(Collectors.joining(" ")));
        }
        f.setDurationMs((System.nanoTime() - started) / 1_000_000);
        findings.add(f);
      }
    } finally {
      base.dispatcher().executorService().shutdown();
      base.connectionPool().evictAll();
    }
    return findings;
  }

  private static boolean offered(boolean tls, Outcome h2) {
    boolean offered =
        h2.failure() != null
            || h2.protocol() == Protocol.HTTP_2
            || h2.protocol() == Protocol.H2_PRIOR_KNOWLEDGE;
    return offered && !(!tls && h2.failure() != null && h2.failure().startsWith("no HTTP/2:"));
  }

  /**
   * HTTP/1.1 works where HTTP/2, offered, does not: what a quirk looks like in one attempt of each.
   */
  private static boolean quirk(boolean tls, Outcome h2, Outcome h1) {
    return h1.works() && offered(tls, h2) && !h2.works();
  }

  private static String how(Outcome h2) {
    return h2.failure() != null ? "HTTP/2 fails: " + h2.failure() : "HTTP/2 answers " + h2.status();
  }

  private Finding judge(
      String url,
      boolean tls,
      Outcome h2,
      Outcome h1,
      Outcome h2Again,
      Outcome h1Again,
      boolean insecure) {
    boolean h2Offered = offered(tls, h2);
    if (quirk(tls, h2, h1) && h2Again != null && !quirk(tls, h2Again, h1Again)) {
      if (h2Again.works() && h1Again.works()) {
        return Findings.clear(
            key(),
            url,
            url
                + " answers "
                + h2Again.status()
                + " over HTTP/2 and "
                + h1Again.status()
                + " over HTTP/1.1 on a second attempt; the first attempt's "
                + how(h2)
                + " did not repeat, so it is no HTTP/2 quirk");
      }
      return Findings.inconclusive(
          key(),
          url,
          "the first attempt's "
              + how(h2)
              + ", but a second attempt of each protocol"
              + " gave HTTP/2 "
              + h2Again.describe()
              + " and HTTP/1.1 "
              + h1Again.describe()
              + ": flaky, not an HTTP/2 quirk");
    }
    if (quirk(tls, h2, h1)) {
      String how = how(h2);
      return Findings.ghost(
          key(),
          url,
          GhostName.Http2Quirk,
          url + " answers " + h1.status() + " over HTTP/1.1 but " + how,
          "clients that negotiate HTTP/2 (browsers, gRPC, curl by default) hit the broken path: until the server's or"
              + " proxy's HTTP/2 handling is fixed, pin them to HTTP/1.1 (curl --http1.1) or stop advertising h2 "
              + (tls ? "in ALPN" : "on this port")
              + "; compare both with: curl -sv --http2"
              + (tls ? "" : "-prior-knowledge")
              + (insecure ? " -k" : "")
              + " "
              + url
              + " and curl -sv --http1.1 "
              + url);
    }
    if (!h1.tried()) {
      return Findings.inconclusive(
          key(),
          url,
          url
              + " cannot be reached: HTTP/2's connection found no route to the host ("
              + h2.failure()
              + "), so HTTP/1.1, to the same address, was not tried: no HTTP/2 quirk can be told");
    }
    if (!h1.works() && !h2.works()) {
      return Findings.inconclusive(
          key(),
          url,
          "both protocols fail, so this is not an HTTP/2 quirk: HTTP/2 "
              + h2.describe()
              + "; HTTP/1.1 "
              + h1.describe());
    }
    if (!h1.works()) {
      return Findings.inconclusive(
          key(),
          url,
          "HTTP/1.1 fails ("
              + h1.describe()
              + ") while HTTP/2 answers "
              + h2.status()
              + ": the reverse of an HTTP/2 quirk");
    }
    if (!h2Offered) {
      return Findings.clear(
          key(),
          url,
          url
              + " answers "
              + h1.status()
              + " over HTTP/1.1 and does not offer HTTP/2"
              + (tls ? " (ALPN chose http/1.1)" : " (no h2c on this port)")
              + ", so no client can hit an HTTP/2 path");
    }
    return Findings.clear(
        key(),
        url,
        url + " answers " + h2.status() + " over HTTP/2 and " + h1.status() + " over HTTP/1.1");
  }

  private Outcome fetch(
      OkHttpClient base, String url, List<Protocol> protocols, CheckContext context) {
    OkHttpClient client =
        base.newBuilder().protocols(protocols).callTimeout(context.atMost(REQUEST_TIMEOUT)).build();
    Request request =
        new Request.Builder().url(url).header("User-Agent", "ghosthunt-http2-check").get().build();
    long started = System.nanoTime();
    try (Response response = client.newCall(request).execute()) {
      ResponseBody body = response.body();
      if (body != null) {
        body.source().request(BODY_LIMIT);
      }
      String tls =
          response.handshake() == null
              ? null
              : response.handshake().tlsVersion().javaName()
                  + (response.handshake().peerPrincipal() != null
                      ? " " + response.handshake().peerPrincipal().getName()
                      : unverifiedPeer.get() != null ? " " + unverifiedPeer.get() : "");
      return new Outcome(response.protocol(), response.code(), null, tls, ms(started), false);
    } catch (IOException e) {
      String failure = failure(specific(e), protocols);
      if (protocols.contains(Protocol.H2_PRIOR_KNOWLEDGE) && !failure.startsWith("no HTTP/2")) {
        String answer =
            answerToPreface(request.url().host(), request.url().port(), client.dns(), context);
        if (answer != null) {
          failure = "no HTTP/2: the server " + answer + " (" + failure + ")";
        }
      }
      // A stream reset or a GOAWAY is an HTTP/2 frame: the protocol was negotiated even though the
      // request failed.
      boolean spokeH2 =
          e instanceof StreamResetException || e instanceof ConnectionShutdownException;
      Protocol spoken =
          protocols.get(0) == Protocol.HTTP_1_1
              ? Protocol.HTTP_1_1
              : spokeH2 ? protocols.get(0) : null;
      return new Outcome(spoken, 0, failure, null, ms(started), noRoute(specific(e)));
    }
  }

  /** EHOSTUNREACH or ENETUNREACH on connect, as the JDK reports them. */
  static boolean noRoute(IOException e) {
    // The JDK throws ENETUNREACH as a plain SocketException.
    return e instanceof NoRouteToHostException
        || e instanceof SocketException
            && e.getMessage() != null
            && e.getMessage().contains("Network is unreachable");
  }

  /**
   * OkHttp wraps the failure of its last route ("exhausted all routes"); the first cause says what
   * happened.
   */
  static IOException specific(IOException e) {
    IOException best = e;
    for (int depth = 0; depth < 8; depth++) {
      Throwable next =
          best.getCause() instanceof IOException c
              ? c
              : best.getSuppressed().length > 0 && best.getSuppressed()[0] instanceof IOException s
                  ? s
                  : null;
      if (next == null || next == best) {
        break;
      }
      best = (IOException) next;
    }
    return best;
  }

  static final String CLOSES_ON_PREFACE = "closes the connection on the h2 preface without a word";

  /**
   * How a server that is no h2c server meets the h2 preface: it answers in HTTP/1, or it closes the
   * connection without a byte (plain HTTP servers that drop what they cannot parse); null when it
   * does neither, as an HTTP/2 server does.
   */
  static String answerToPreface(String host, int port, CheckContext context) {
    return answerToPreface(host, port, Dns.SYSTEM, context);
  }

  /** The same, {@code host} resolved by {@code dns}: the pod's lookup in a pod hunt. */
  static String answerToPreface(String host, int port, Dns dns, CheckContext context) {
    InetAddress address;
    try {
      address = dns.lookup(host).get(0);
    } catch (UnknownHostException e) {
      return null; // no connection: nothing to say about the preface
    }
    byte[] preface =
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] settings = {0, 0, 0, 4, 0, 0, 0, 0, 0};
    try (Socket s = new Socket()) {
      int ms = (int) context.atMost(Duration.ofSeconds(2)).toMillis();
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(address, port), ms);
      s.setSoTimeout(ms);
      byte[] head;
      try {
        s.getOutputStream().write(preface);
        s.getOutputStream().write(settings);
        s.getOutputStream().flush();
        head = s.getInputStream().readNBytes(5);
      } catch (SocketTimeoutException e) {
        return null; // it waits for more, as an HTTP/2 server may
      } catch (IOException e) {
        // A server that closes while the preface is still arriving resets the connection: the
        // write breaks the pipe or the read is reset, the same silence by another road.
        return CLOSES_ON_PREFACE;
      }
      if (head.length == 0) {
        return CLOSES_ON_PREFACE;
      }
      return new String(head, java.nio.charset.StandardCharsets.US_ASCII).equals("HTTP/")
          ? "answers the h2 preface in HTTP/1"
          : null;
    } catch (IOException e) {
      return null; // no connection: nothing to say about the preface
    }
  }

  /** The class of failure, in the words of the protocol: RST_STREAM, GOAWAY, TLS, timeout... */
  static String failure(IOException e, List<Protocol> protocols) {
    if (e instanceof StreamResetException r) {
      return "RST_STREAM " + r.errorCode;
    }
    if (e instanceof ConnectionShutdownException) {
      return "GOAWAY: the server shut the connection down";
    }
    String message = String.valueOf(e.getMessage());
    if (protocols.contains(Protocol.H2_PRIOR_KNOWLEDGE)
        && (message.startsWith("Expected a SETTINGS frame")
            || message.equals("FRAME_SIZE_ERROR: 4740180"))) {
      // An HTTP/1 server answers the h2 preface with an HTTP/1 error page; read as a frame header,
      // its first bytes "HTT" are a length of 0x485454 = 4740180.
      return "no HTTP/2: the server answers the h2 preface in HTTP/1 (" + message + ")";
    }
    if (e instanceof ProtocolException || message.contains("PROTOCOL_ERROR")) {
      return "protocol error: " + message;
    }
    if (e instanceof SSLException) {
      return "TLS: " + message;
    }
    if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
      return "timeout: " + message;
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
      return "connect: " + message;
    }
    if (e instanceof UnknownHostException) {
      return "cannot resolve the host: " + message;
    }
    if (message.contains("unexpected end of stream") || message.contains("EOF")) {
      return "connection closed by the server: " + message;
    }
    return e.getClass().getSimpleName() + ": " + message;
  }

  private OkHttpClient base(boolean insecure, List<X509Certificate> bundle, Dns dns)
      throws GeneralSecurityException, IOException {
    // No retries and no connection reuse between the two protocols: each outcome is one honest
    // attempt.
    OkHttpClient.Builder b =
        new OkHttpClient.Builder()
            .retryOnConnectionFailure(false)
            .followRedirects(false)
            .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
            .socketFactory(new NoDelaySockets());
    if (dns != null) {
      b.dns(dns);
    }
    if (insecure) {
      X509TrustManager trustAll =
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
              if (chain.length > 0) {
                unverifiedPeer.set(chain[0].getSubjectX500Principal().getName());
              }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          };
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, new TrustManager[] {trustAll}, null);
      b.sslSocketFactory(ssl.getSocketFactory(), trustAll)
          .hostnameVerifier((host, session) -> true);
    } else if (!bundle.isEmpty()) {
      // The bundle adds to the system store: a private CA for this service, public CAs still
      // trusted.
      TrustManagerFactory system =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      system.init((KeyStore) null);
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (TrustManager tm : system.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          for (X509Certificate c : x.getAcceptedIssuers()) {
            store.setCertificateEntry("system-" + i++, c);
          }
        }
      }
      for (X509Certificate c : bundle) {
        store.setCertificateEntry("bundle-" + i++, c);
      }
      TrustManagerFactory both =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      both.init(store);
      X509TrustManager tm = (X509TrustManager) both.getTrustManagers()[0];
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, new TrustManager[] {tm}, null);
      b.sslSocketFactory(ssl.getSocketFactory(), tm);
    }
    return b.build();
  }

  /**
   * The pod's answers for this run's hosts, each host resolved once: OkHttp looks it up again for
   * every connection, and both protocols and their second attempts must meet the same addresses,
   * within one budget.
   */
  static final class PodLookups implements Dns {
    private final PodResolver names;
    private final CheckContext context;
    private final Map<String, PodResolver.Result> results = new ConcurrentHashMap<>();

    PodLookups(PodResolver names, CheckContext context) {
      this.names = names;
      this.context = context;
    }

    /** What the URL's host resolved to in the pod; null for an address or a URL OkHttp refuses. */
    PodResolver.Result of(String url) {
      HttpUrl parsed = HttpUrl.parse(url);
      return parsed == null || Addresses.isLiteral(parsed.host()) ? null : result(parsed.host());
    }

    private PodResolver.Result result(String host) {
      return results.computeIfAbsent(host, h -> names.resolve(h, context.atMost(REQUEST_TIMEOUT)));
    }

    @Override
    public List<InetAddress> lookup(String host) throws UnknownHostException {
      if (Addresses.isLiteral(host)) {
        return List.of(Addresses.literal(host));
      }
      PodResolver.Result r = result(host);
      if (!r.resolved()) {
        throw new UnknownHostException(host + ": " + r.failure());
      }
      return r.addresses();
    }
  }

  /**
   * Sockets with Nagle off, as curl and browsers use them: with it on, the small TLS and HTTP/2
   * frames wait for delayed ACKs and every request pays tens of milliseconds that are not the
   * server's.
   */
  private static final class NoDelaySockets extends SocketFactory {
    private final SocketFactory plain = SocketFactory.getDefault();

    private static Socket noDelay(Socket s) throws IOException {
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public Socket createSocket() throws IOException {
      return noDelay(plain.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return noDelay(plain.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort)
        throws IOException {
      return noDelay(plain.createSocket(host, port, local, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return noDelay(plain.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
        throws IOException {
      return noDelay(plain.createSocket(host, port, local, localPort));
    }
  }

  static List<X509Certificate> certificates(byte[] pem) throws CertificateException {
    return CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem))
        .stream()
        .map(X509Certificate.class::cast)
        .toList();
  }

  private static long ms(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}
