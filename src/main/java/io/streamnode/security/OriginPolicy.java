package io.streamnode.security;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which web pages may reach a listener. Browsers put an {@code Origin} header on cross-site
 * requests and on every WebSocket upgrade; other clients (curl, SDK workers, servers) send none.
 * A request without {@code Origin} is therefore not a web page's and passes; one with an
 * {@code Origin} passes only when that origin is listed ({@code "*"} lists every origin).
 */
public final class OriginPolicy {

  private final Set<String> allowed;
  private final boolean any;

  /** @param allowed origins such as {@code https://app.example.com}; {@code "*"} for any */
  public OriginPolicy(List<String> allowed) {
    this.allowed = allowed.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
    this.any = this.allowed.contains("*");
  }

  /** Whether a request carrying this {@code Origin} header value ({@code null}: none) may proceed. */
  public boolean allows(String origin) {
    return origin == null || any || allowed.contains(normalize(origin));
  }

  private static String normalize(String origin) {
    String o = origin.strip().toLowerCase(Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }
}
