package io.streamnode.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * A real HTTP client (the JDK's) for the {@code http}-trigger routes, as a user's program or
 * {@code curl} would call them. Blocking, for test threads only (never an event loop); every
 * request is bounded by {@link #TIMEOUT}.
 */
public final class PlainHttp {

  /** The longest any one request may take. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

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
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
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
   * socket or on another member arrive asynchronously); fails after 10 s.
   */
  public HttpResponse<String> until(HttpRequest.Builder request, Predicate<HttpResponse<String>> done) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      HttpResponse<String> response = send(request);
      if (done.test(response)) {
        return response;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no such response within 10 s; last: " + response.statusCode() + " " + response.body());
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
