package io.streamnode.http.route;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An {@code api_path} such as {@code /s/:code}: literal segments and {@code :name} parameters,
 * each matching one non-empty path segment. A leading slash is implied, as in iii
 * ({@code links} is {@code /links}); a trailing slash is significant ({@code /links/} is another
 * route), as in iii's router.
 */
public final class RoutePath {

  private final String pattern;
  private final List<String> segments;

  private RoutePath(String pattern, List<String> segments) {
    this.pattern = pattern;
    this.segments = segments;
  }

  /**
   * Parses an {@code api_path}; fails with {@link IllegalArgumentException} naming what is wrong:
   * empty, a query or fragment, whitespace, an empty segment inside the path, a {@code :} without
   * a name, or a parameter name used twice.
   */
  public static RoutePath parse(String apiPath) {
    if (apiPath == null || apiPath.isBlank()) {
      throw new IllegalArgumentException("api_path is empty");
    }
    for (int i = 0; i < apiPath.length(); i++) {
      char c = apiPath.charAt(i);
      if (c == '?' || c == '#' || Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException("api_path " + quote(apiPath) + " may not contain "
            + (c == '?' || c == '#' ? "'" + c + "'" : "whitespace or control characters"));
      }
    }
    List<String> segments = split(apiPath);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < segments.size(); i++) {
      String s = segments.get(i);
      if (s.isEmpty() && i < segments.size() - 1) {
        throw new IllegalArgumentException("api_path " + quote(apiPath) + " has an empty segment ('//')");
      }
      if (s.startsWith(":")) {
        String name = s.substring(1);
        if (name.isEmpty()) {
          throw new IllegalArgumentException("api_path " + quote(apiPath) + " has a ':' without a parameter name");
        }
        if (!names.add(name)) {
          throw new IllegalArgumentException("api_path " + quote(apiPath) + " uses the parameter :" + name + " twice");
        }
      }
    }
    return new RoutePath(apiPath, List.copyOf(segments));
  }

  /** The segments of a path after its leading slash: {@code /} is none, {@code /a/} is {@code a} and {@code ""}. */
  static List<String> split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= p.length(); i++) {
      if (i == p.length() || p.charAt(i) == '/') {
        out.add(p.substring(start, i));
        start = i + 1;
      }
    }
    return out;
  }

  /**
   * The path parameters if {@code requestSegments} (percent-decoded) match, else {@code null}.
   * A parameter never matches an empty segment.
   */
  Map<String, String> match(List<String> requestSegments) {
    if (requestSegments.size() != segments.size()) {
      return null;
    }
    Map<String, String> params = null;
    for (int i = 0; i < segments.size(); i++) {
      String mine = segments.get(i);
      String theirs = requestSegments.get(i);
      if (mine.startsWith(":")) {
        if (theirs.isEmpty()) {
          return null;
        }
        if (params == null) {
          params = new LinkedHashMap<>();
        }
        params.put(mine.substring(1), theirs);
      } else if (!mine.equals(theirs)) {
        return null;
      }
    }
    return params == null ? Map.of() : params;
  }

  /**
   * How specific this path is at segment {@code i}: a literal beats a parameter there, which is
   * how iii's router (matchit) picks between {@code /users/me} and {@code /users/:id}.
   */
  boolean literalAt(int i) {
    return !segments.get(i).startsWith(":");
  }

  int size() {
    return segments.size();
  }

  /** The shape with parameter names dropped: {@code /users/:id} and {@code /users/:uid} are one route. */
  String shape() {
    StringBuilder b = new StringBuilder();
    for (String s : segments) {
      b.append('/').append(s.startsWith(":") ? ":" : s);
    }
    return b.length() == 0 ? "/" : b.toString();
  }

  /** The {@code api_path} as registered. */
  public String pattern() {
    return pattern;
  }

  /** Splits a request path and percent-decodes each segment ({@code +} stays a plus); {@code null} if undecodable. */
  public static List<String> requestSegments(String rawPath) {
    List<String> raw = split(rawPath);
    List<String> decoded = new ArrayList<>(raw.size());
    try {
      for (String s : raw) {
        decoded.add(s.indexOf('%') < 0 ? s : URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    return decoded;
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RoutePath other && other.pattern.equals(pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
