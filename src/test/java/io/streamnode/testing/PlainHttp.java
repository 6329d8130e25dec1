package io.streamnode.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * A real HTTP client (the JDK's) for the {@code http}-trigger routes, as a user's program or
 * {@code curl} would call them. Blocking, for test threads only (never an event loop); every
 * request is bounded by {@link #TIMEOUT}.
 */
public final class PlainHttp {

  /** The longest any one request may take: generous, a loaded CI machine is slow, not wrong. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient client;
  private final String base;

  private PlainHttp(HttpClient client, int port) {
    this.client = client;
    this.base = "http://127.0.0.1:" + port;
  }

  /** A client of {@code 127.0.0.1:port} that does not follow redirects. */
  public static PlainHttp to(int port) {
    return new PlainHttp(HttpClient.newBuilder().connectTimeout(TIMEOUT).build(), port);
  }

  /** A client that follows redirects, as {@code curl -L}. */
  public static PlainHttp followingRedirects(int port) {
    return new PlainHttp(HttpClient.newBuilder().connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL).build(), port);
  }

  /** A request builder for {@code pathAndQuery} on this node. */
  public HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(TIMEOUT);
  }

  public HttpResponse<String> send(HttpRequest.Builder request) {
    HttpRequest built = request.build();
    try {
      return client.send(built, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new IllegalStateException(diagnose(built), e);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A request that hangs is a bug to find, not just a failed test: says whether the same request
   * answers on a fresh HTTP/1.1 connection (this client's own speaks HTTP/2 after an h2c upgrade)
   * and whether {@code GET /health} does, and prints what every thread is doing.
   */
  private String diagnose(HttpRequest hung) {
    HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    String again = attempt(fresh, HttpRequest.newBuilder(hung, (name, value) -> true).timeout(Duration.ofSeconds(5)).build());
    String health = attempt(fresh, HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(5)).build());
    String report = "HANG: " + hung.method() + " " + hung.uri() + " unanswered after " + TIMEOUT.toSeconds()
        + " s\n  same request on a fresh HTTP/1.1 connection: " + again + "\n  GET /health: " + health;
    System.err.println(report + "\n" + ThreadDump.text());
    return report;
  }

  private static String attempt(HttpClient client, HttpRequest request) {
    long start = System.nanoTime();
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() + " " + r.body() + " in " + (System.nanoTime() - start) / 1_000_000 + " ms";
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }

  public HttpResponse<String> get(String pathAndQuery) {
    return send(request(pathAndQuery).GET());
  }

  /** POST with a JSON body ({@code content-type: application/json}). */
  public HttpResponse<String> postJson(String pathAndQuery, String json) {
    return send(request(pathAndQuery).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /**
   * Repeats a request until its response satisfies {@code done} (routes registered on the worker
   * socket or on another member arrive asynchronously); fails after {@link #TIMEOUT}.
   */
  public HttpResponse<String> until(HttpRequest.Builder request, Predicate<HttpResponse<String>> done) {
    long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
    while (true) {
      HttpResponse<String> response = send(request);
      if (done.test(response)) {
        return response;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no such response within " + TIMEOUT.toSeconds() + " s; last: " + response.statusCode() + " " + response.body());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
