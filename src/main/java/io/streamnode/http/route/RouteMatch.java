package io.streamnode.http.route;

import java.util.Map;

/**
 * A request matched to a route.
 *
 * @param route the route
 * @param pathParams the values of its {@code :name} segments, percent-decoded
 */
public record RouteMatch(HttpRoute route, Map<String, String> pathParams) {
}
