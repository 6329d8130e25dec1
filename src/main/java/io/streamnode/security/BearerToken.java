package io.streamnode.security;

import io.streamnode.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The shared secret of one listener ({@code http_api.token}, {@code worker_socket.token}): a
 * caller proves it knows it with {@code Authorization: Bearer <token>}. An empty token turns the
 * check off. Comparison takes the same time whatever the guess, so the token cannot be found
 * byte by byte from response times.
 */
public final class BearerToken {

  /** No token configured: every caller is accepted. */
  public static final BearerToken NONE = new BearerToken(null);

  private static final String SCHEME = "bearer ";

  private final byte[] expected;

  private BearerToken(byte[] expected) {
    this.expected = expected;
  }

  /**
   * The token of a listener: {@code token} when it is set, else the first line of
   * {@code tokenFile} (trimmed) when that is set, else {@link #NONE}.
   *
   * @param option the option's dotted name, for error messages
   * @throws ConfigException when the file cannot be read or is empty
   */
  public static BearerToken of(String token, String tokenFile, String option) {
    if (token != null && !token.isEmpty()) {
      return new BearerToken(token.getBytes(StandardCharsets.UTF_8));
    }
    if (tokenFile == null || tokenFile.isEmpty()) {
      return NONE;
    }
    String fromFile;
    try {
      fromFile = Files.readString(Path.of(tokenFile)).strip();
    } catch (IOException e) {
      throw new ConfigException(option + "_file: cannot read " + tokenFile + ": " + e.getMessage());
    }
    if (fromFile.isEmpty() || fromFile.contains("\n")) {
      throw new ConfigException(option + "_file: " + tokenFile + " must hold the token on one line");
    }
    return new BearerToken(fromFile.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether callers must present the token. */
  public boolean required() {
    return expected != null;
  }

  /** Whether an {@code Authorization} header value (may be {@code null}) carries the token. */
  public boolean accepts(String authorization) {
    if (expected == null) {
      return true;
    }
    if (authorization == null || authorization.length() <= SCHEME.length()
        || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return false;
    }
    byte[] given = authorization.substring(SCHEME.length()).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, given);
  }
}
