package io.ghosthunt.agent.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.NodePhase;
import io.ghosthunt.api.status.NodeStatus;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {

  private static void assertRedacted(String expected, String text) {
    assertEquals(expected, Redactor.redact(text), text);
    // Twice is once: what the probe redacted, the CLI may redact again.
    assertEquals(expected, Redactor.redact(expected), "again: " + expected);
  }

  @Test
  void theIssuesCommandLineKeepsEverythingButTheSecrets() {
    String in =
        "postgres --db-password=hunter2 --token s3cr3t-abc postgres://u:p@h/db -Dapi.key=zzz";
    String out = Redactor.redact(in);
    assertEquals("postgres --db-password=*** --token *** postgres://***@h/db -Dapi.key=***", out);
    for (String kept : List.of("postgres ", "--db-password=", "--token", "h/db", "-Dapi.key=")) {
      assertTrue(out.contains(kept), kept + " in " + out);
    }
    for (String gone : List.of("hunter2", "s3cr3t-abc", ":p@", "zzz")) {
      assertFalse(out.contains(gone), gone + " in " + out);
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // --name=V
        "app --password=hunter2 --port=80 | app --password=*** --port=80",
        "app --api-key=abc123 | app --api-key=***",
        "app --apikey=abc123 | app --apikey=***",
        "app --client_secret=abc | app --client_secret=***",
        "app --authtoken=abc | app --authtoken=***",
        "app --auth=admin:pw | app --auth=***",
        "app --passwd=x1 | app --passwd=***",
        "app --aws-credentials=x1 | app --aws-credentials=***",
        "app --private-key=x1 | app --private-key=***",
        "app --privateKey=x1 | app --privateKey=***",
        "redis-server --requirepass foobared --port 6379 | redis-server --requirepass *** --port 6379",
        "redis-server --masterauth foobared | redis-server --masterauth ***",
        "app --password=\"two words\" | app --password=\"***\"",
        "sh -c \"app --secret=abc --port=80\" | sh -c \"app --secret=*** --port=80\"",
        "app --password=pa$$w0rd\\1 --port=80 | app --password=*** --port=80",
        // A value runs to white space, a ) that follows it included: a password may hold a ).
        // (The checks quote a command line through ProcessInfo.describe, which redacts it before
        // it adds the parentheses, so their ) stays.)
        "PID 7 (app --token s3cr3t), not java | PID 7 (app --token *** not java",
        // --name V and -name V (Go's flag package)
        "app --token s3cr3t --verbose | app --token *** --verbose",
        "app -password hunter2 -port 80 | app -password *** -port 80",
        "app --api-key 'a b' | app --api-key '***'",
        // -Dname=V
        "java -Dfoo.password=x1 -jar app.jar | java -Dfoo.password=*** -jar app.jar",
        "java -Dkey=x1 -Dapp.name=web | java -Dkey=*** -Dapp.name=web",
        "java -Djavax.net.ssl.keyStorePassword=changeit | java -Djavax.net.ssl.keyStorePassword=***",
        // NAME=V, environment style
        "MYSQL_ROOT_PASSWORD=hunter2 mysqld | MYSQL_ROOT_PASSWORD=*** mysqld",
        "env AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG HOME=/root | env AWS_SECRET_ACCESS_KEY=*** HOME=/root",
        "GITHUB_TOKEN=abc PGPASSWORD=def psql | GITHUB_TOKEN=*** PGPASSWORD=*** psql",
        "helm install --set db.password=x1 web | helm install --set db.password=*** web",
        // name: V, "name": "V", 'name': 'V'
        "password: hunter2 | password: ***",
        "X-Api-Key: abc123 | X-Api-Key: ***",
        "{\"password\":\"hunter2\",\"user\":\"u\"} | {\"password\":\"***\",\"user\":\"u\"}",
        "{\"apiKey\": \"abc\", \"port\": 80} | {\"apiKey\": \"***\", \"port\": 80}",
        "{\"token\": 12345, \"port\": 80} | {\"token\": ***, \"port\": 80}",
        "{'client_secret': 'abc'} | {'client_secret': '***'}",
        // Kubernetes env entries (Troubleshoot's JSON env redactors)
        "{\"name\":\"DB_PASSWORD\",\"value\":\"hunter2\"} | {\"name\":\"DB_PASSWORD\",\"value\":\"***\"}",
        "{\"name\":\"LOG_LEVEL\",\"value\":\"debug\"} | {\"name\":\"LOG_LEVEL\",\"value\":\"debug\"}",
        // query strings: the value ends at &
        "https://h/cb?code=1&access_token=abc&x=1 | https://h/cb?code=1&access_token=***&x=1",
        "https://b.s3.amazonaws.com/o?X-Amz-Credential=AK%2F1&X-Amz-Signature=ff0 | https://b.s3.amazonaws.com/o?X-Amz-Credential=***&X-Amz-Signature=***",
        "https://acct.blob.core.windows.net/c?sv=2022&sig=abc%3D | https://acct.blob.core.windows.net/c?sv=2022&sig=***",
        // connection strings (Troubleshoot's Password= and Pwd= redactors): the value ends at ;
        "Server=db;Database=app;User Id=sa;Password=hunter2;Encrypt=true | Server=db;Database=app;User Id=sa;Password=***;Encrypt=true",
        "Driver={ODBC};Server=db;Uid=sa;Pwd=hunter2; | Driver={ODBC};Server=db;Uid=sa;Pwd=***;",
        "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc+/=;EndpointSuffix=x | DefaultEndpointsProtocol=https;AccountName=a;AccountKey=***;EndpointSuffix=x",
      })
  void namedValuesAreMasked(String in, String expected) {
    assertRedacted(expected, in);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "postgres://u:p@h/db | postgres://***@h/db",
        "postgres://u:p@h:5432/db?sslmode=require | postgres://***@h:5432/db?sslmode=require",
        "mongodb+srv://admin:s3cr3t@cluster0.example.net/test | mongodb+srv://***@cluster0.example.net/test",
        "redis://:hunter2@cache:6379/0 | redis://***@cache:6379/0",
        // an @ in the password: the whole userinfo still goes
        "amqp://u:p@ss@rabbit/ | amqp://***@rabbit/",
        // a user and no password: masked too, since a token is often the user name
        "https://ghtoken123@github.com/o/r.git | https://***@github.com/o/r.git",
        "https://x-access-token:abc@github.com/o/r | https://***@github.com/o/r",
        "\"url\":\"http://u:p@proxy:3128\" | \"url\":\"http://***@proxy:3128\"",
        // Go's MySQL DSN (Troubleshoot's)
        "app -dsn root:hunter2@tcp(db:3306)/app | app -dsn ***@tcp(db:3306)/app",
        "DSN=root:hunter2@unix(/run/mysqld.sock)/app | DSN=***@unix(/run/mysqld.sock)/app",
        // curl -u user:password: the pair goes (GitHub takes -u TOKEN:)
        "curl -u admin:hunter2 http://h/ | curl -u *** http://h/",
        "curl --user=admin:hunter2 http://h/ | curl --user=*** http://h/",
        "curl --proxy-user u:p -x http://proxy:3128 http://h/ | curl --proxy-user *** -x http://proxy:3128 http://h/",
      })
  void userinfoIsMasked(String in, String expected) {
    assertRedacted(expected, in);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "Authorization: Bearer eyJ0eXAiOi.abc | Authorization: Bearer ***",
        "Bearer abc.def-ghi | Bearer ***",
        "curl -H 'Authorization: Bearer abc' http://h/ | curl -H 'Authorization: Bearer ***' http://h/",
        "curl -H \"Authorization: Basic dXNlcjpwYXNz\" http://h/ | curl -H \"Authorization: Basic ***\" http://h/",
        "Proxy-Authorization: Basic dXNlcjpwYXNz | Proxy-Authorization: Basic ***",
        "Authorization: Token abc123 | Authorization: Token ***",
        "Authorization: Digest username=\"u\", response=\"6629fae4\" | Authorization: Digest ***",
        // a flag's value is one word: the next flag is no credential
        "app --auth basic --port 80 | app --auth *** --port 80",
        "authorization=sk-abc | authorization=***",
        "Cookie: JSESSIONID=abc123 | Cookie: ***",
        "erl -setcookie monster -name rabbit | erl -setcookie *** -name rabbit",
      })
  void credentialsAfterAnAuthSchemeAreMasked(String in, String expected) {
    assertRedacted(expected, in);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "aws s3 ls --profile AKIAIOSFODNN7EXAMPLE | aws s3 ls --profile ***",
        "id ASIAY34FZKBOKMUTVV7A used | id *** used",
        "git clone https://github.com/o/r ghp_1234567890abcdefghijklmnopqrstuvwxyzAB | git clone https://github.com/o/r ***",
        "pat github_pat_11ABCDEFG0123456789_abcdefghijklmnop | pat ***",
        "glpat-abcdefghijklmnopqrst12 in use | *** in use",
        "xoxb-123456789012-abcdefghij | ***",
        "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc | stripe ***",
        "npm_abcdefghijklmnopqrstuvwxyz0123456789 | ***",
        "key AIzaSyA-abcdefghijklmnopqrstuvwxyz01234 | key ***",
        "sa eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl ok | sa *** ok",
      })
  void tokenShapesAreMaskedWhereverTheyStand(String in, String expected) {
    assertRedacted(expected, in);
  }

  @Test
  void aPrivateKeyKeepsItsArmourOnly() {
    String pem =
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----";
    assertRedacted("-----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY-----", pem);
    assertRedacted(
        "cut: -----BEGIN OPENSSH PRIVATE KEY-----***",
        "cut: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA…");
  }

  /**
   * Text a size bound cut ({@code …}): what is left of a URL's authority or a token may be the
   * start of a secret.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "worker postgres://u:hunt… | worker postgres://***…",
        "4242 (worker postgres://admin:hunt…) | 4242 (worker postgres://***…)",
        "app --token ghp_12345… | app --token ***…",
        "app ghp_12345… | app ***…",
        "app eyJhbGciOiJSUzI1NiJ9.eyJzd… | app ***…",
        "app --password=hun… | app --password=***",
      })
  void aCutSecretLeavesNoPrefix(String in, String expected) {
    assertRedacted(expected, in);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sleep 3600",
        "java -jar app.jar --port=8080",
        "app --monkey=1 --keepalive=5 --hockey-team=blue --keyspace=users",
        "nginx -g daemon off;",
        "nginx: master process /usr/sbin/nginx -g daemon off;",
        "https://example.com/path?x=1",
        "http://127.0.0.1:8080/health",
        "/usr/bin/python3 -m http.server 8080 --bind 127.0.0.1",
        "gunicorn: master [app]",
        "docker run -u 1000:1000 --name web nginx:1.25@sha256:0123abcd",
        "psql -U postgres -h db.example.com -p 5432",
        "HOME=/root PWD=/srv/app LANG=C.UTF-8",
        // a name that says where the secret is, or how it is used, keeps its value
        "app --password-file=/run/secrets/db --token-ttl=24h --auth-url=https://sso.example.com/",
        "kube-apiserver --authorization-mode=Node,RBAC --anonymous-auth=false",
        "app --secret-name=db-creds --key-file=/etc/tls/tls.key",
        "DB_PASSWORD_FILE=/run/secrets/db",
        // author and authority are no auth; bypass is no pass
        "git --author=ghost --authority=ns1.example.com --bypass=1",
        "port 8080 is held by PID 4242 (sleep 3600), not by java; its parent exited",
        "kill 4242, then restart java",
        "the bearer of bad news",
        "iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
        "cannot use the CA bundle ca-bundle/ca.crt: no PEM certificate",
        "src=10.0.0.1 dst=192.0.2.50 sport=40000 dport=443",
        "ssh user@host.example.com",
        "",
      })
  void textWithoutSecretsIsUnchanged(String text) {
    assertEquals(text, Redactor.redact(text));
  }

  @Test
  void nullStaysNull() {
    assertNull(Redactor.redact((String) null));
    assertNull(Redactor.redact((Finding) null));
    assertNull(Redactor.redact((NodeStatus) null));
  }

  @Test
  void theMaskIsFixedWhateverTheSecretsLength() {
    assertEquals("--password=***", Redactor.redact("--password=a"));
    assertEquals("--password=***", Redactor.redact("--password=" + "a".repeat(400)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "password",
        "passwd",
        "db-password",
        "MYSQL_ROOT_PASSWORD",
        "client_secret",
        "clientSecret",
        "api-key",
        "apikey",
        "apiKey",
        "API_KEY",
        "foo.password",
        "authtoken",
        "auth",
        "oauth",
        "Authorization",
        "bootstrapToken",
        "certKey",
        "AWS_ACCESS_KEY_ID",
        "credentials",
        "requirepass",
        "DB_PASS",
        "sig",
        "X-Amz-Signature",
      })
  void namesThatSaySecret(String name) {
    assertTrue(Redactor.isSecretName(name), name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "monkey",
        "keepalive",
        "keyspace",
        "hockey",
        "author",
        "authority",
        "bypass",
        "compass",
        "port",
        "user",
        "username",
        "pwd",
        "password-file",
        "token-ttl",
        "authorization-mode",
        "secret-name",
      })
  void namesThatDoNot(String name) {
    assertFalse(Redactor.isSecretName(name), name);
  }

  @Test
  void aFindingIsRedactedInEveryTextButItsEvidenceKeys() {
    Finding f = new Finding(CheckKey.HTTP2, "https://u:p@app.example.com/", FindingVerdict.Ghost);
    f.setSummary("port 8080 is held by PID 4242 (app --token s3cr3t --port=80), not by java");
    f.setRemediation("restart with --password=*** instead of --password=hunter2");
    f.evidence("pid", 4242)
        .evidence("command", "app --token s3cr3t --port=8080")
        .evidence("password", "not a value that names itself");
    Redactor.redact(f);
    assertEquals("https://***@app.example.com/", f.getTarget());
    assertEquals(
        "port 8080 is held by PID 4242 (app --token *** --port=80), not by java", f.getSummary());
    assertEquals("restart with --password=*** instead of --password=***", f.getRemediation());
    assertEquals("4242", f.getEvidence().get("pid"));
    assertEquals("app --token *** --port=8080", f.getEvidence().get("command"));
    assertEquals(List.of("pid", "command", "password"), List.copyOf(f.getEvidence().keySet()));
  }

  @Test
  void aNodeEntryIsRedactedInItsMessageAndFindings() {
    NodeStatus entry = new NodeStatus("node-a", NodePhase.Failed);
    entry.setMessage("the checks could not run inside pod web (exit 3): curl -u admin:hunter2");
    Finding f = new Finding(CheckKey.PORT_OWNER, "tcp/8080", FindingVerdict.Ghost);
    f.evidence("command", "worker --secret=abc");
    entry.addFinding(f);
    Redactor.redact(entry);
    assertEquals(
        "the checks could not run inside pod web (exit 3): curl -u ***", entry.getMessage());
    assertEquals("worker --secret=***", entry.getFindings().get(0).getEvidence().get("command"));
  }
}
