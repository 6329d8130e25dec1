package io.streamnode.http.route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * The {@code http} routes this node serves, built from the {@code http} triggers its trigger
 * dispatch knows (every trigger of the cluster).
 * <p>
 * One writer, many readers: {@link #register} and {@link #unregister} are called from the
 * trigger dispatch's context only; {@link #match} may be called from any thread (the HTTP API's
 * event loop). Each change publishes a new immutable index through one volatile field, so a
 * request sees either the table before a change or after it, never half of it, without locks.
 * <p>
 * Two triggers with the same method and path shape (parameter names aside) are one route: the
 * one registered later serves it, as for function ids. When it goes, the earlier one, still
 * registered, serves the route again.
 */
public final class RouteTable {

  private static final Logger LOG = Logger.getLogger(RouteTable.class.getName());

  /** Every registered route by trigger id, in registration order (the writer's own map). */
  private final Map<String, HttpRoute> byTrigger = new LinkedHashMap<>();
  private volatile Index index = Index.EMPTY;

  /** Adds or replaces (by trigger id) a route. Writer context only. */
  public void register(HttpRoute route) {
    HttpRoute old = byTrigger.get(route.triggerId());
    if (route.equals(old)) {
      // The cluster catalog tells the registering node again: keep the route's place in line.
      return;
    }
    HttpRoute served = index.byKey.get(route.key());
    byTrigger.remove(route.triggerId());
    byTrigger.put(route.triggerId(), route);
    publish();
    if (served != null && !served.triggerId().equals(route.triggerId())) {
      LOG.info("http route " + route.method() + " " + route.path() + ": trigger " + route.triggerId() + " ("
          + route.functionId() + ") now serves it, registered after trigger " + served.triggerId()
          + " (" + served.functionId() + ")");
    } else {
      LOG.fine(() -> "http route registered: " + route);
    }
  }

  /** Removes the route of a trigger; unknown ids are ignored. Writer context only. */
  public void unregister(String triggerId) {
    HttpRoute old = byTrigger.remove(triggerId);
    if (old != null) {
      publish();
      LOG.fine(() -> "http route unregistered: " + old);
    }
  }

  /**
   * The route serving {@code method} on a request path (percent-decoded segments, see
   * {@link RoutePath#requestSegments}), or {@code null}. A {@code HEAD} request without a
   * {@code HEAD} route is served by the {@code GET} route, as in iii's router.
   */
  public RouteMatch match(String method, List<String> segments) {
    Index current = index;
    RouteMatch found = best(current.byMethod.get(method), segments);
    if (found == null && "HEAD".equals(method)) {
      found = best(current.byMethod.get("GET"), segments);
    }
    return found;
  }

  /** The methods with a route for this path (empty if none): for 405 and CORS preflight. */
  public Set<String> methods(List<String> segments) {
    Set<String> methods = new TreeSet<>();
    index.byMethod.forEach((method, routes) -> {
      if (best(routes, segments) != null) {
        methods.add(method);
      }
    });
    return methods;
  }

  /** The routes served now, one per method and path. */
  public Collection<HttpRoute> routes() {
    return index.byKey.values();
  }

  private void publish() {
    Map<String, HttpRoute> byKey = new LinkedHashMap<>();
    for (HttpRoute r : byTrigger.values()) {
      byKey.remove(r.key());
      byKey.put(r.key(), r);
    }
    Map<String, List<HttpRoute>> byMethod = new HashMap<>();
    for (HttpRoute r : byKey.values()) {
      byMethod.computeIfAbsent(r.method(), m -> new ArrayList<>()).add(r);
    }
    index = new Index(Map.copyOf(byKey), Map.copyOf(byMethod));
  }

  /** The most specific matching route: at the first segment where two differ, a literal wins. */
  private static RouteMatch best(List<HttpRoute> routes, List<String> segments) {
    if (routes == null) {
      return null;
    }
    RouteMatch best = null;
    for (HttpRoute r : routes) {
      Map<String, String> params = r.path().match(segments);
      if (params != null && (best == null || moreSpecific(r.path(), best.route().path()))) {
        best = new RouteMatch(r, params);
      }
    }
    return best;
  }

  private static boolean moreSpecific(RoutePath a, RoutePath b) {
    for (int i = 0; i < a.size(); i++) {
      if (a.literalAt(i) != b.literalAt(i)) {
        return a.literalAt(i);
      }
    }
    return false;
  }

  private record Index(Map<String, HttpRoute> byKey, Map<String, List<HttpRoute>> byMethod) {
    static final Index EMPTY = new Index(Map.of(), Map.of());
  }
}
