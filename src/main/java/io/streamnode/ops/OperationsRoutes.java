package io.streamnode.ops;

import io.streamnode.metrics.MetricsOptions;
import io.streamnode.metrics.NodeMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The operator's routes on the HTTP API port, all answering without a token (they say nothing
 * that helps an attacker: no addresses, versions or data):
 * <ul>
 *   <li>{@code GET /ready}: 200 {@code {"status":"ready"}} or 503 with the reasons ({@link Readiness});</li>
 *   <li>{@code GET /metrics}: the Prometheus text format, when {@code metrics.enabled};</li>
 *   <li>{@code GET /dashboard/}: the dashboard's static files, served from the jar. Its data comes
 *       from the function API and {@code /metrics}, which it calls like any script.</li>
 * </ul>
 */
public final class OperationsRoutes {

  private static final Logger LOG = Logger.getLogger(OperationsRoutes.class.getName());
  /** Classpath folder of the dashboard's files. */
  public static final String DASHBOARD_ROOT = "streamnode-dashboard";

  private final Readiness readiness;
  private final MetricsOptions metrics;

  public OperationsRoutes(Readiness readiness, MetricsOptions metrics) {
    this.readiness = readiness;
    this.metrics = metrics;
  }

  /** Adds the routes; call before any route that checks a token. */
  public void mount(Router router) {
    router.get("/ready").handler(ctx -> readiness.check().onComplete(ar -> {
      JsonObject state = ar.succeeded() ? ar.result()
          : new JsonObject().put("status", "unavailable").put("reasons", new io.vertx.core.json.JsonArray().add("check_failed"));
      boolean ready = "ready".equals(state.getString("status"));
      send(ctx.response(), ready ? 200 : 503, "application/json", state.toBuffer());
    }));
    if (metrics.isEnabled()) {
      // The probe refreshes streamnode_redis_up and streamnode_cluster_members; the scrape runs
      // whatever it answers.
      router.get("/metrics").handler(ctx -> readiness.check().onComplete(ar -> {
        String text;
        try {
          text = NodeMetrics.scrape();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "metrics: scrape failed", e);
          text = "";
        }
        send(ctx.response(), 200, "text/plain; version=0.0.4; charset=utf-8", Buffer.buffer(text));
      }));
    }
    // Vert.x matches "/dashboard" for "/dashboard/" too: redirect only the bare path.
    router.get("/dashboard").handler(ctx -> {
      if (ctx.request().path().endsWith("/")) {
        ctx.next();
      } else {
        ctx.redirect("/dashboard/");
      }
    });
    router.route("/dashboard/*").handler(StaticHandler.create(DASHBOARD_ROOT)
        .setCachingEnabled(false).setDirectoryListing(false).setIndexPage("index.html"));
  }

  private static void send(HttpServerResponse response, int status, String type, Buffer body) {
    if (!response.ended()) {
      response.setStatusCode(status).putHeader("content-type", type).putHeader("cache-control", "no-store").end(body);
    }
  }
}
