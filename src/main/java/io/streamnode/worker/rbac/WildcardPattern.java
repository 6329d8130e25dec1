package io.streamnode.worker.rbac;

/**
 * A pattern of {@code expose_functions} ({@code match("api::*")}): {@code *} stands for any run of
 * characters, everything else is literal, and the pattern is anchored at both ends. The matching
 * is iii's {@code wildcard_match}, step for step, so a pattern means here what it means there.
 */
public final class WildcardPattern {

  private final String raw;

  public WildcardPattern(String raw) {
    this.raw = raw;
  }

  /** Whether {@code value} matches the whole pattern. */
  public boolean matches(String value) {
    if ("*".equals(raw)) {
      return true;
    }
    String[] parts = raw.split("\\*", -1);
    if (parts.length == 1) {
      return raw.equals(value);
    }
    int pos = 0;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.isEmpty()) {
        continue;
      }
      int found = value.indexOf(part, pos);
      if (found < 0 || i == 0 && found != 0) {
        return false;
      }
      pos = found + part.length();
    }
    String last = parts[parts.length - 1];
    return last.isEmpty() || value.endsWith(last);
  }

  /** The pattern as written, without the {@code match("...")} wrapper. */
  public String raw() {
    return raw;
  }

  /**
   * The pattern inside {@code match("...")} or {@code match('...')} (surrounding blanks
   * allowed), or {@code null} when {@code text} is not written that way.
   */
  public static String unwrap(String text) {
    String t = text.strip();
    if (t.startsWith("match(\"") && t.endsWith("\")") || t.startsWith("match('") && t.endsWith("')")) {
      return t.length() < 9 ? "" : t.substring(7, t.length() - 2);
    }
    return null;
  }

  @Override
  public String toString() {
    return "match(\"" + raw + "\")";
  }
}
