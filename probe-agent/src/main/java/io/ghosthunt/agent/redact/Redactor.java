package io.ghosthunt.agent.redact;

import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.NodeStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes secrets out of text that quotes a process or a host (a command line, a URL, a header, an
 * error message) before it leaves the probe. Every secret becomes {@link #MASK}, whatever its
 * length, so that the text stays readable: the program, its flags and the hosts it talks to stay,
 * only the values go.
 *
 * <p>What is masked:
 *
 * <ul>
 *   <li>the value of a flag or key whose name says it holds a secret (see {@link #isSecretName}),
 *       in the forms {@code --name=V}, {@code --name V}, {@code -name V}, {@code -Dname=V}, {@code
 *       NAME=V} (environment, query string, connection string), {@code name: V} (YAML, HTTP header)
 *       and {@code "name": "V"} (JSON), and in a Kubernetes env entry {@code "name": "DB_PASSWORD",
 *       "value": "V"};
 *   <li>the whole userinfo of a URL, {@code postgres://u:p@h/db} → {@code postgres://***@h/db}: a
 *       token is often the user name ({@code https://TOKEN@github.com}, {@code
 *       https://TOKEN:x-oauth-basic@...}), so keeping the user could keep the secret; and the same
 *       in a Go MySQL DSN, {@code u:p@tcp(h:3306)/db} → {@code ***@tcp(h:3306)/db}, and in {@code
 *       curl -u u:p};
 *   <li>the credentials after an HTTP auth scheme ({@code Bearer ***}, {@code Authorization: Basic
 *       ***});
 *   <li>token shapes that are secrets wherever they appear: AWS access key IDs, GitHub, GitLab,
 *       Slack, Stripe, npm and Google API tokens, JSON Web Tokens (Kubernetes service account
 *       tokens among them), PEM private keys.
 * </ul>
 *
 * <p>Troubleshoot's default redactors (replicatedhq/troubleshoot, pkg/redact) are covered: its
 * password, token, secret access key and access key ID env entries, connection strings with a
 * password (URL, MySQL DSN, {@code Password=}, {@code Pwd=}), Ceph's and kURL's keys and tokens.
 * Where it differs on purpose: a support bundle leaves its company, so Troubleshoot also masks user
 * names, hosts, database names and AWS account numbers; here the hosts and the names are the
 * evidence, so they stay, and only credentials go.
 *
 * <p>A value cut short by a size bound ({@code …}, as {@link Finding#evidence} and {@code
 * ProcessInfo.describe} cut) is masked too when what is left could be the start of a secret: a URL
 * authority with no {@code @} yet, a token prefix.
 *
 * <p>There is no switch: nothing a hunt's author or a probe's flags say turns it off. Static, like
 * {@link java.util.Objects}: there is nothing to configure and nothing to inject.
 *
 * <p>Known limits: argv is joined by spaces before it is read, so a secret with a space in it keeps
 * its words after the first; a password given to a one-letter flag ({@code mysql -phunter2}, {@code
 * redis-cli -a hunter2}) is not recognised, a letter says nothing outside its program.
 */
public final class Redactor {

  /** What every secret becomes. Fixed, so that its length says nothing about the secret's. */
  public static final String MASK = "***";

  /** The mark a size bound leaves where it cut ({@link Finding#evidence}). */
  private static final char CUT = '…';

  private Redactor() {}

  /** The PEM body of a private key (RSA, EC, OpenSSH, PKCS#8, PGP), to its END line or the cut. */
  private static final Pattern PRIVATE_KEY =
      Pattern.compile(
          "(-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)(.*?)"
              + "(-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\\z)",
          Pattern.DOTALL);

  /**
   * A URL's userinfo: everything between {@code scheme://} and the last {@code @} before the path.
   * Greedy, so that an unescaped {@code @} inside a password is masked too.
   */
  private static final Pattern URL_USERINFO =
      Pattern.compile("(?<![A-Za-z0-9+.\\-])([A-Za-z][A-Za-z0-9+.\\-]*://)([^\\s/?#\"'<>]+)@");

  /**
   * A URL whose authority a bound cut before any {@code @}: what is left may be a user and the
   * start of a password ({@code postgres://u:hun…}).
   */
  private static final Pattern URL_CUT =
      Pattern.compile(
          "(?<![A-Za-z0-9+.\\-])([A-Za-z][A-Za-z0-9+.\\-]*://)[^\\s/?#\"'<>@" + CUT + "]*" + CUT);

  /** Go's MySQL DSN, {@code user:password@tcp(host:3306)/db} (as in Troubleshoot's defaults). */
  private static final Pattern DSN_USERINFO =
      Pattern.compile("(?<![^\\s\"'=(,;])[^\\s:@\"'/=]+:[^\\s\"']*@((?:tcp[46]?|unix)\\()");

  /**
   * {@code curl -u user:password}, {@code --user}, {@code --proxy-user}: the whole pair (the user
   * may be the token, as GitHub's {@code -u TOKEN:}). {@code docker run -u 1000:1000} is not a
   * secret.
   */
  private static final Pattern USER_FLAG =
      Pattern.compile(
          "(?<![^\\s\"'])(-u|-U|--user|--proxy-user)([ \\t]+|=)(?!\\d+:\\d+(?![^\\s\"']))"
              + "([^\\s:\"']*:[^\\s\"']+)");

  /** {@code Bearer TOKEN} anywhere (a header, a log line, a curl argument). */
  private static final Pattern BEARER =
      Pattern.compile("(?i)(?<![A-Za-z0-9])(bearer)([ \\t]+)([A-Za-z0-9._~+/=\\-]+)");

  /**
   * Shapes that are secrets wherever they stand, named by their issuer's prefix. The access key ID
   * is not the secret half of an AWS key pair, but it names the account and the user.
   */
  private static final Pattern TOKEN_SHAPES =
      Pattern.compile(
          String.join(
              "|",
              // AWS access key IDs (long-term AKIA, temporary ASIA, and the other ID types)
              "\\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\\b",
              // GitHub: personal, OAuth, user-to-server, server-to-server, refresh; fine-grained
              "\\bgh[pousr]_[A-Za-z0-9]{30,}",
              "\\bgithub_pat_[A-Za-z0-9_]{20,}",
              // GitLab personal access tokens
              "\\bglpat-[A-Za-z0-9_\\-]{20,}",
              // Slack
              "\\bxox[abposr]-[A-Za-z0-9\\-]{10,}",
              // Stripe secret and restricted keys
              "\\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}",
              // npm
              "\\bnpm_[A-Za-z0-9]{36,}",
              // Google API keys
              "\\bAIza[0-9A-Za-z_\\-]{35}",
              // JSON Web Tokens: a JSON header and a JSON payload, both base64url ("{\"" is eyJ)
              "\\beyJ[A-Za-z0-9_\\-]{5,}\\.eyJ[A-Za-z0-9_\\-]{5,}\\.[A-Za-z0-9_\\-]*"));

  /** The start of one of {@link #TOKEN_SHAPES} that a bound cut ({@code ghp_4f9a…}). */
  private static final Pattern TOKEN_CUT =
      Pattern.compile(
          "\\b(?:AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|[sr]k_(?:live|test)_|npm_|AIza"
              + "|eyJ)[A-Za-z0-9_.\\-]*"
              + CUT);

  /** A Kubernetes env entry in JSON: {@code "name": "DB_PASSWORD", "value": "hunter2"}. */
  private static final Pattern ENV_JSON =
      Pattern.compile(
          "(\"name\"\\s*:\\s*\"([^\"]*)\"\\s*,\\s*\"value\"\\s*:\\s*\")((?:\\\\.|[^\"\\\\])*)(\")");

  /**
   * A name that may carry a value: an optional quote (a JSON or YAML key), an optional flag dash,
   * the name, then {@code =}, {@code :} or, for a flag, a space. Not inside a word or a path, so
   * that {@code /etc/key: no such file} names no key.
   */
  private static final Pattern NAMED =
      Pattern.compile(
          "(?<![A-Za-z0-9_.\\-/])([\"']?)(--?)?([A-Za-z_][A-Za-z0-9_.\\-]*)\\1"
              + "(?:([ \\t]*=[ \\t]*)|(:[ \\t]+|[ \\t]*:[ \\t]*(?=[\"']))|([ \\t]+))");

  /**
   * Whole name parts that say secret. {@code pwd} is not among them: {@code PWD=/home/x} is the
   * shell's working directory; a connection string's {@code Pwd=} is handled on its own.
   */
  private static final Set<String> SECRET_PARTS =
      Set.of(
          "key",
          "keys",
          "pass",
          "passin",
          "passout",
          "pw",
          "auth",
          "authorization",
          "cred",
          "creds",
          "jwt",
          "psk",
          "sig",
          "signature");

  /** Words that say secret wherever they stand in a name part ({@code MYSQL_ROOT_PASSWORD}). */
  private static final List<String> SECRET_WORDS =
      List.of(
          "password",
          "passwd",
          "passphrase",
          "secret",
          "token",
          "credential",
          "cookie",
          "sessionid");

  /**
   * What turns {@code key} into a secret when glued before it ({@code apikey}, {@code privatekey}).
   * A list of these, not of harmless words: {@code monkey}, {@code hockey}, {@code turkey} and the
   * rest are too many to list, and a forgotten one would only cost evidence the other way round.
   */
  private static final Set<String> KEY_QUALIFIERS =
      Set.of(
          "api",
          "access",
          "account",
          "admin",
          "app",
          "auth",
          "client",
          "crypt",
          "crypto",
          "deploy",
          "enc",
          "encryption",
          "gpg",
          "hmac",
          "host",
          "license",
          "master",
          "pass",
          "pgp",
          "priv",
          "private",
          "root",
          "sas",
          "server",
          "service",
          "session",
          "shared",
          "sign",
          "signing",
          "ssh",
          "ssl",
          "storage",
          "subscription",
          "tls",
          "user",
          "webhook");

  /** The same for {@code pass} ({@code requirepass}), not {@code bypass} nor {@code compass}. */
  private static final Set<String> PASS_QUALIFIERS =
      Set.of(
          "admin", "auth", "bind", "db", "ftp", "ldap", "login", "master", "mysql", "pg", "proxy",
          "redis", "require", "root", "sasl", "smtp", "sudo", "user", "vnc");

  /**
   * A last name part that says the value is where a secret is, or how it is used, not the secret:
   * {@code --password-file=/run/secrets/db}, {@code --token-ttl=24h}, {@code --auth-url=...},
   * {@code --authorization-mode=Node,RBAC}, {@code --secret-name=db}. That value is evidence.
   */
  private static final Set<String> REFERENCE_PARTS =
      Set.of(
          "file",
          "path",
          "dir",
          "url",
          "uri",
          "endpoint",
          "host",
          "server",
          "addr",
          "address",
          "port",
          "mode",
          "type",
          "ttl",
          "timeout",
          "name");

  /** HTTP auth schemes: the credentials follow the scheme word, which stays. */
  private static final Set<String> AUTH_SCHEMES =
      Set.of(
          "basic", "bearer", "token", "digest", "negotiate", "ntlm", "apikey", "aws4-hmac-sha256");

  /**
   * Splits a name into its parts: at {@code - _ .} and where a lower case letter meets a capital.
   */
  private static final Pattern NAME_PARTS = Pattern.compile("[-_.]+|(?<=[a-z0-9])(?=[A-Z])");

  /**
   * Text without the secrets it quoted; null stays null. Each rule runs only when the text holds
   * what the rule looks for: most evidence holds none ({@code sleep 3600}, {@code 0.0.0.0:8080}),
   * and a probe's run is counted in milliseconds.
   */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String t = text;
    if (t.contains("PRIVATE KEY")) {
      t = PRIVATE_KEY.matcher(t).replaceAll(m -> q(m.group(1) + MASK + m.group(3)));
    }
    boolean cut = t.indexOf(CUT) >= 0;
    if (t.contains("://")) {
      t = URL_USERINFO.matcher(t).replaceAll(m -> q(m.group(1) + MASK + "@"));
      if (cut) {
        t = URL_CUT.matcher(t).replaceAll(m -> q(m.group(1) + MASK + CUT));
      }
    }
    if (t.contains("@tcp") || t.contains("@unix(")) {
      t = DSN_USERINFO.matcher(t).replaceAll(m -> q(MASK + "@" + m.group(1)));
    }
    if (t.contains("-u") || t.contains("-U")) {
      t = USER_FLAG.matcher(t).replaceAll(m -> q(m.group(1) + m.group(2) + MASK));
    }
    if (mayHoldToken(t)) {
      t = TOKEN_SHAPES.matcher(t).replaceAll(MASK);
      if (cut) {
        t = TOKEN_CUT.matcher(t).replaceAll(MASK + CUT);
      }
    }
    if (t.toLowerCase(Locale.ROOT).contains("bearer")) {
      t =
          BEARER
              .matcher(t)
              .replaceAll(
                  m ->
                      // "the bearer of bad news" is prose; a token has a capital, a digit or a sign
                      m.group(1).equals("bearer") && m.group(3).matches("[a-z]+")
                          ? q(m.group())
                          : q(m.group(1) + m.group(2) + MASK));
    }
    if (t.contains("\"name\"")) {
      t =
          ENV_JSON
              .matcher(t)
              .replaceAll(
                  m -> q(m.group(1) + (isSecretName(m.group(2)) ? MASK : m.group(3)) + m.group(4)));
    }
    // A name gives its value after = or :, or, as a flag, after its dash and a space.
    if (t.indexOf('=') >= 0 || t.indexOf(':') >= 0 || t.indexOf('-') >= 0) {
      t = named(t);
    }
    return t;
  }

  /** The prefixes {@link #TOKEN_SHAPES} start with. */
  private static final List<String> TOKEN_PREFIXES =
      List.of(
          "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "AROA", "APKA",
          "ASCA", "gh", "glpat-", "xox", "k_live_", "k_test_", "npm_", "AIza", "eyJ");

  private static boolean mayHoldToken(String t) {
    for (String prefix : TOKEN_PREFIXES) {
      if (t.contains(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** The finding, its target, summary, remediation and evidence values redacted, in place. */
  public static Finding redact(Finding f) {
    if (f == null) {
      return null;
    }
    f.setTarget(redact(f.getTarget()));
    f.setSummary(redact(f.getSummary()));
    f.setRemediation(redact(f.getRemediation()));
    if (f.getEvidence() != null) {
      // Keys are the checks' own words; only the values quote the host.
      Map<String, String> evidence = new LinkedHashMap<>();
      f.getEvidence().forEach((k, v) -> evidence.put(k, redact(v)));
      f.setEvidence(evidence);
    }
    return f;
  }

  /** The entry's message and every finding redacted, in place. */
  public static NodeStatus redact(NodeStatus entry) {
    if (entry == null) {
      return null;
    }
    entry.setMessage(redact(entry.getMessage()));
    if (entry.getFindings() != null) {
      entry.getFindings().forEach(Redactor::redact);
    }
    return entry;
  }

  /**
   * Whether a flag or key named so holds a secret. Decided on the name's parts, split at {@code - _
   * .} and at camelCase, not on substrings of the whole name: {@code --monkey} and {@code
   * --keepalive} are no keys, {@code --api-key}, {@code --apikey}, {@code apiKey}, {@code
   * --client_secret}, {@code -Dfoo.password}, {@code MYSQL_ROOT_PASSWORD}, {@code --authtoken} and
   * {@code --auth} are. A name whose last part names a reference or a setting ({@code
   * --password-file}, {@code --token-ttl}) holds no secret.
   */
  static boolean isSecretName(String name) {
    List<String> parts = new ArrayList<>();
    for (String p : NAME_PARTS.split(name)) {
      if (!p.isEmpty()) {
        parts.add(p.toLowerCase(Locale.ROOT));
      }
    }
    if (parts.isEmpty()) {
      return false;
    }
    if (parts.size() > 1 && REFERENCE_PARTS.contains(parts.get(parts.size() - 1))) {
      return false;
    }
    for (String p : parts) {
      if (isSecretPart(p)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isSecretPart(String p) {
    if (SECRET_PARTS.contains(p)) {
      return true;
    }
    for (String w : SECRET_WORDS) {
      if (p.contains(w)) {
        return true;
      }
    }
    // oauth, basicauth, proxyauth, masterauth; not author nor authority, which do not end so.
    if (p.endsWith("auth")) {
      return true;
    }
    if (p.endsWith("keys") && KEY_QUALIFIERS.contains(p.substring(0, p.length() - 4))) {
      return true;
    }
    if (p.endsWith("key") && KEY_QUALIFIERS.contains(p.substring(0, p.length() - 3))) {
      return true;
    }
    return p.endsWith("pass") && PASS_QUALIFIERS.contains(p.substring(0, p.length() - 4));
  }

  /** Masks the value after every name that says secret (see {@link #NAMED}). */
  private static String named(String t) {
    Matcher m = NAMED.matcher(t);
    StringBuilder out = null;
    int copied = 0;
    int from = 0;
    while (from < t.length() && m.find(from)) {
      from = m.end();
      String quote = m.group(1);
      String dash = m.group(2);
      String name = m.group(3);
      boolean equals = m.group(4) != null;
      boolean space = m.group(6) != null;
      if (space && dash == null) {
        continue; // "word value" is prose; only a flag takes its value after a space
      }
      boolean secret =
          isSecretName(name)
              // -Dkey=V: Java's system property; the D is not part of the name
              || ("-".equals(dash)
                  && name.length() > 1
                  && name.charAt(0) == 'D'
                  && isSecretName(name.substring(1)));
      boolean pwd = name.equalsIgnoreCase("pwd") && equals; // a connection string's Pwd=V;
      if (!secret && !pwd) {
        continue;
      }
      char before = m.start() > 0 ? t.charAt(m.start() - 1) : 0;
      // A query string's value ends at & (a=1&token=x&b=2), a connection string's at ;
      // (Server=h;Pwd=x;Encrypt=true). Elsewhere a value runs to white space, so that a & or ; in
      // a password cannot end the mask early.
      String ends = "";
      if (equals && (before == '?' || before == '&')) {
        ends = "&#";
      } else if (equals && (before == ';' || pwd)) {
        ends = ";";
      }
      if (!quote.isEmpty()) {
        ends = ",}]"; // "key": 123, a JSON value without quotes
      }
      // Inside a quoted string ("X-Api-Key: abc"), its closing quote ends an unquoted value.
      if (quote.isEmpty() && (before == '"' || before == '\'')) {
        ends += before;
      }
      int[] value = value(t, m.end(), ends);
      if (value == null) {
        continue;
      }
      int start = value[0];
      int end = value[1];
      String v = t.substring(start, end);
      if (space && (v.startsWith("--") || v.matches("-[A-Za-z].*"))) {
        continue; // --auth --port 80: a boolean flag, then the next flag
      }
      if (pwd && v.startsWith("/")) {
        continue; // PWD=/home/x, the working directory
      }
      if (v.isEmpty() || isMasked(v) || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
        from = Math.max(from, end);
        continue;
      }
      // Authorization: Basic dXNlcjpwYXNz, the credentials follow the scheme, which stays. Not
      // after a flag's space (--auth basic --port 80: the next word is the next flag), and with
      // nothing after it the word itself may be the secret.
      if (!space && AUTH_SCHEMES.contains(v.toLowerCase(Locale.ROOT))) {
        int after = end;
        while (after < t.length() && (t.charAt(after) == ' ' || t.charAt(after) == '\t')) {
          after++;
        }
        int[] credentials = after > end ? value(t, after, ends) : null;
        if (credentials != null && credentials[1] > credentials[0]) {
          if (isMasked(t.substring(credentials[0], credentials[1]))) {
            from = Math.max(from, credentials[1]);
            continue;
          }
          start = credentials[0];
          end = v.equalsIgnoreCase("digest") ? restOfLine(t, start, ends) : credentials[1];
        }
      }
      if (out == null) {
        out = new StringBuilder(t.length());
      }
      out.append(t, copied, start).append(MASK);
      copied = end;
      from = end;
    }
    if (out == null) {
      return t;
    }
    return out.append(t, copied, t.length()).toString();
  }

  /**
   * A value masked before, maybe with the punctuation that followed it: {@code (app --token ***),}
   * once redacted stays so, and redacting twice is redacting once.
   */
  private static boolean isMasked(String v) {
    return v.startsWith(MASK) && v.substring(MASK.length()).matches("[)\\]},;:.'\"…]*");
  }

  /**
   * Where a value starting at {@code start} ends: a quoted one at its closing quote (the quotes
   * stay), else at white space or at one of {@code ends}. Null when no value starts there. Not at a
   * {@code )} or a {@code ,}: a password may hold them, and a mask that stopped there would leave
   * the rest; in {@code (app --token x), ...} they go with the mask.
   */
  private static int[] value(String t, int start, String ends) {
    if (start >= t.length()) {
      return null;
    }
    char c = t.charAt(start);
    if (c == '"' || c == '\'') {
      int i = start + 1;
      while (i < t.length() && t.charAt(i) != c) {
        i += t.charAt(i) == '\\' ? 2 : 1;
      }
      return new int[] {start + 1, Math.min(i, t.length())};
    }
    int i = start;
    while (i < t.length()
        && !Character.isWhitespace(t.charAt(i))
        && ends.indexOf(t.charAt(i)) < 0) {
      i++;
    }
    return new int[] {start, i};
  }

  /** Digest credentials run on (username="u", response="..."): to the line's or the quote's end. */
  private static int restOfLine(String t, int start, String ends) {
    int i = start;
    while (i < t.length()
        && t.charAt(i) != '\n'
        && (ends.indexOf(t.charAt(i)) < 0 || t.charAt(i) == ',')) {
      i++;
    }
    return i;
  }

  /** A replacement taken literally: a secret's text may hold {@code $} or {@code \}. */
  private static String q(String s) {
    return Matcher.quoteReplacement(s);
  }
}
