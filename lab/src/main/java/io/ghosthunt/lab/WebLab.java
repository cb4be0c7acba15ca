package io.ghosthunt.lab;

import java.nio.file.Path;

/**
 * A node and a web host running nginx (Debian's nginx-light) with a self-signed certificate for
 * {@code app.example.test}: TLS with ALPN h2 on 443 (and 8443, for {@link
 * #resetEveryFifthConnection}), HTTP/1.1 only on 80, h2c only on 8080. {@code /health} answers 500
 * to HTTP/2 requests and 200 to HTTP/1.1 (a backend that breaks on one protocol), {@code /reset}
 * resets HTTP/2 streams, {@code /ok} works on both.
 *
 * <pre>
 *   node 192.0.2.10 ── 192.0.2.80 web (nginx)
 * </pre>
 */
public final class WebLab {

  public static final String WEB = "192.0.2.80";

  public final LabHost node;
  public final LabHost web;

  /** The server's self-signed certificate: a CA bundle that makes it trusted. */
  public final Path cert;

  public WebLab(Lab lab) {
    this.node = lab.host("node");
    this.web = lab.host("web");
    lab.link(node, "n-web", "192.0.2.10/24", web, "web-n", WEB + "/24");
    cert = start();
  }

  /** nginx on a {@code web} host that the caller has already connected, holding {@link #WEB}. */
  public WebLab(LabHost node, LabHost web) {
    this.node = node;
    this.web = web;
    cert = start();
  }

  private Path start() {
    Path key = web.file("key.pem", "");
    Path cert = web.file("cert.pem", "");
    web.sh(
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout "
            + key
            + " -out "
            + cert
            + " -days 2"
            + " -subj /CN=app.example.test -addext subjectAltName=DNS:app.example.test,IP:"
            + WEB
            + " 2>/dev/null");
    Path scratch = key.getParent();
    Path conf =
        web.file(
            "nginx.conf",
            """
        pid %1$s/%2$s-nginx.pid;
        error_log %1$s/%2$s-nginx-error.log;
        events {}
        http {
          access_log off;
          client_body_temp_path %1$s; proxy_temp_path %1$s; fastcgi_temp_path %1$s;
          uwsgi_temp_path %1$s; scgi_temp_path %1$s;
          map $server_protocol $h2 { "HTTP/2.0" 1; default 0; }
          server {
            listen %3$s:443 ssl http2;
            listen %3$s:8443 ssl http2;
            listen %3$s:80;
            listen %3$s:8080 http2;
            ssl_certificate %4$s;
            ssl_certificate_key %5$s;
            location /health { if ($h2) { return 500 "upstream rejected the request\\n"; } return 200 "ok\\n"; }
            location /reset { if ($h2) { return 444; } return 200 "ok\\n"; }
            location /ok { return 200 "ok\\n"; }
          }
        }
        """
                .formatted(scratch, web.ns(), WEB, cert, key));
    // nginx forks into the background after it has bound its ports.
    web.daemon("nginx -c " + conf, "nginx.log");
    return cert;
  }

  /**
   * The web host refuses every fifth new connection to {@code port} with a TCP reset, counting them
   * in order (nft {@code numgen inc}): one failed attempt now and then, as a flaky load balancer
   * gives, on a server whose every path works.
   */
  public void resetEveryFifthConnection(int port) {
    web.sh(
        "nft add table inet ghflaky"
            + " && nft add chain inet ghflaky input '{ type filter hook input priority 0; }'"
            + " && nft add rule inet ghflaky input 'tcp dport "
            + port
            + " tcp flags & (syn | ack) == syn"
            + " numgen inc mod 5 == 0 counter reject with tcp reset'");
  }

  /**
   * A plain HTTP/1 server on {@code port} of the web host (not nginx) that closes, without a word,
   * every connection opening with the h2 preface, as servers do with what they cannot parse.
   */
  public void silentOnPreface(int port) {
    Path script =
        web.file(
            "silent-" + port + ".py",
            """
        import os, socket
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('%s', %d))
        s.listen(16)
        if os.fork():
            os._exit(0)
        os.setsid()
        while True:
            c, _ = s.accept()
            try:
                if not c.recv(4096).startswith(b'PRI '):
                    c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nConnection: close\\r\\n\\r\\nok\\n')
            finally:
                c.close()
        """
                .formatted(WEB, port));
    // The script forks into the background once it listens.
    web.daemon("python3 " + script, "silent-" + port + ".log");
  }
}
