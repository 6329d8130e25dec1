package io.streamnode.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a node's configuration in one path: defaults, then the YAML file, then environment
 * variables, then command-line flags, each overriding the one before.
 * <ul>
 *   <li>YAML strings may hold {@code ${ENV_VAR:default}} placeholders, as iii's config does.</li>
 *   <li>Every key has an environment variable: {@code STREAMNODE_} + the dotted key upper-cased
 *       with dots as underscores, e.g. {@code stream_socket.port} is {@code STREAMNODE_STREAM_SOCKET_PORT}.</li>
 *   <li>Every key has a flag: {@code --stream_socket.port=3113} (or {@code --stream_socket.port 3113}).</li>
 *   <li>Unknown keys and values of the wrong type stop start-up with a message naming the key.
 *       The adapter's {@code config} block is the adapter's own and accepts any key.</li>
 * </ul>
 */
public final class ConfigLoader {

  /** Environment prefix of every override. */
  public static final String ENV_PREFIX = "STREAMNODE_";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");
  /** Sections whose keys are free-form (no unknown-key check). */
  private static final Set<String> OPEN_SECTIONS = Set.of("adapter.config");

  private final Map<String, String> env;

  /** @param env the environment to read overrides and placeholders from (usually {@code System.getenv()}) */
  public ConfigLoader(Map<String, String> env) {
    this.env = env;
  }

  /**
   * @param file YAML file, or {@code null} for defaults only
   * @param flags dotted key -> value, from the command line
   */
  public NodeOptions load(Path file, Map<String, String> flags) {
    JsonObject defaults = new NodeOptions().toJson();
    JsonObject config = defaults.copy();
    if (file != null) {
      JsonObject fromFile = readYaml(file);
      merge(config, fromFile, defaults, "");
    }
    for (String key : leafKeys(defaults, "")) {
      String envName = ENV_PREFIX + key.toUpperCase().replace('.', '_');
      String value = env.get(envName);
      if (value != null) {
        setPath(config, key, coerce(key, value, getPath(defaults, key), envName));
      }
    }
    for (Map.Entry<String, String> flag : flags.entrySet()) {
      String key = flag.getKey();
      Object def = getPath(defaults, key);
      if (def == null && !hasPath(defaults, key) && !key.startsWith("adapter.config.")) {
        throw new ConfigException(key + ": unknown option --" + key);
      }
      setPath(config, key, coerce(key, flag.getValue(), def, "--" + key));
    }
    validate(config);
    return new NodeOptions(config);
  }

  private JsonObject readYaml(Path file) {
    Object tree;
    try {
      tree = new ObjectMapper(new YAMLFactory()).readValue(Files.readString(file), Object.class);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read config: " + e.getMessage());
    }
    if (tree == null) {
      return new JsonObject();
    }
    if (!(tree instanceof Map<?, ?> map)) {
      throw new ConfigException(file + ": the top level must be a mapping of keys");
    }
    return (JsonObject) expand(new JsonObject(io.vertx.core.json.Json.encode(map)));
  }

  /** Expands {@code ${VAR:default}} in every string. */
  private Object expand(Object value) {
    if (value instanceof String s) {
      Matcher m = PLACEHOLDER.matcher(s);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String v = env.get(m.group(1));
        if (v == null) {
          v = m.group(2) == null ? "" : m.group(2);
        }
        m.appendReplacement(out, Matcher.quoteReplacement(v));
      }
      m.appendTail(out);
      return out.toString();
    }
    if (value instanceof JsonObject obj) {
      JsonObject copy = new JsonObject();
      obj.forEach(e -> copy.put(e.getKey(), expand(e.getValue())));
      return copy;
    }
    if (value instanceof JsonArray arr) {
      JsonArray copy = new JsonArray();
      arr.forEach(v -> copy.add(expand(v)));
      return copy;
    }
    return value;
  }

  private void merge(JsonObject target, JsonObject source, JsonObject defaults, String prefix) {
    for (Map.Entry<String, Object> e : source) {
      String key = prefix + e.getKey();
      boolean open = OPEN_SECTIONS.contains(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1));
      if (!defaults.containsKey(e.getKey()) && !open) {
        throw new ConfigException(key + ": unknown key (known here: " + String.join(", ", defaults.fieldNames()) + ")");
      }
      Object def = defaults.getValue(e.getKey());
      Object value = e.getValue();
      if (open && def == null) {
        target.put(e.getKey(), value);
        continue;
      }
      if (def instanceof JsonObject defObj) {
        if (!(value instanceof JsonObject valueObj)) {
          throw new ConfigException(key + ": expected a mapping, got " + describe(value));
        }
        merge(target.getJsonObject(e.getKey()), valueObj, defObj, key + ".");
      } else {
        target.put(e.getKey(), value instanceof String s && !(def instanceof String) && def != null
            ? coerce(key, s, def, key) : checkType(key, value, def));
      }
    }
  }

  private static Object checkType(String key, Object value, Object def) {
    if (value == null) {
      return null;
    }
    if (def == null) {
      // Keys without a default (auth_function) are optional strings.
      if (!(value instanceof String)) {
        throw new ConfigException(key + ": expected a string, got " + describe(value));
      }
      return value;
    }
    if (def instanceof Boolean && !(value instanceof Boolean)
        || def instanceof Number && !(value instanceof Number)
        || def instanceof String && !(value instanceof String)
        || def instanceof JsonArray && !(value instanceof JsonArray)) {
      throw new ConfigException(key + ": expected " + typeName(def) + ", got " + describe(value));
    }
    if (def instanceof Number && (value instanceof Double || value instanceof Float)) {
      throw new ConfigException(key + ": expected a whole number, got " + value);
    }
    return value;
  }

  private static Object coerce(String key, String raw, Object def, String source) {
    try {
      if (def instanceof Boolean) {
        if (!raw.equalsIgnoreCase("true") && !raw.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException();
        }
        return Boolean.parseBoolean(raw);
      }
      if (def instanceof Integer) {
        return Integer.parseInt(raw.trim());
      }
      if (def instanceof Long) {
        return Long.parseLong(raw.trim());
      }
      if (def instanceof JsonArray) {
        JsonArray list = new JsonArray();
        for (String part : raw.split(",")) {
          if (!part.isBlank()) {
            list.add(part.trim());
          }
        }
        return list;
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + " (from " + source + "): expected " + typeName(def) + ", got \"" + raw + "\"");
    }
    return raw.isEmpty() && def == null ? null : raw;
  }

  private static void validate(JsonObject c) {
    port(c, "stream_socket.port");
    port(c, "worker_socket.port");
    port(c, "public_worker_socket.port");
    try {
      new io.streamnode.worker.PublicWorkerSocketOptions(c.getJsonObject("public_worker_socket"));
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new ConfigException("public_worker_socket.rbac." + e.getMessage());
    }
    port(c, "http_api.port");
    positive(c, "http_api.concurrency_limit");
    try {
      new io.streamnode.http.HttpApiOptions(c.getJsonObject("http_api"));
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new ConfigException("http_api: " + e.getMessage());
    }
    positive(c, "stream_socket.instances");
    Object clusterPort = c.getValue("cluster_port");
    if (!(clusterPort instanceof Number n) || n.intValue() < 0 || n.intValue() > 65535) {
      throw new ConfigException("cluster_port: expected a port from 0 to 65535, got " + describe(clusterPort));
    }
    Object quorum = c.getValue("cluster_quorum");
    if (!(quorum instanceof Number q) || q.intValue() < 0) {
      throw new ConfigException("cluster_quorum: expected 0 (auto), 1 (none) or a member count, got " + describe(quorum));
    }
    Object loops = c.getValue("event_loops");
    if (!(loops instanceof Number count) || count.intValue() < 0) {
      throw new ConfigException("event_loops: expected 0 (Vert.x's default) or more, got " + describe(loops));
    }
    for (String limit : c.getJsonObject("limits").fieldNames()) {
      if (limit.equals("max_connections_per_ip")) {
        notNegative(c, "limits." + limit);
      } else {
        positive(c, "limits." + limit);
      }
    }
    notNegative(c, "stream_socket.ping_interval_ms");
    notNegative(c, "stream_socket.idle_timeout_ms");
    for (String key : new String[] {"history.size", "history.ttl_ms"}) {
      Object v = getPath(c, key);
      if (!(v instanceof Number bound) || bound.longValue() < 0) {
        throw new ConfigException(key + ": expected 0 (no history) or more, got " + describe(v));
      }
    }
    String adapter = (String) getPath(c, "adapter.name");
    if (!"kv".equals(adapter) && !"redis".equals(adapter)) {
      throw new ConfigException("adapter.name: expected kv or redis, got \"" + adapter + "\"");
    }
    Object method = getPath(c, "adapter.config.store_method");
    if (!"in_memory".equals(method) && !"file_based".equals(method)) {
      throw new ConfigException("adapter.config.store_method: expected in_memory or file_based, got \"" + method + "\"");
    }
  }

  private static void port(JsonObject c, String key) {
    Object v = getPath(c, key);
    if (!(v instanceof Number n) || n.intValue() < 0 || n.intValue() > 65535) {
      throw new ConfigException(key + ": expected a port from 0 to 65535, got " + describe(v));
    }
  }

  private static void notNegative(JsonObject c, String key) {
    Object v = getPath(c, key);
    if (!(v instanceof Number n) || n.longValue() < 0) {
      throw new ConfigException(key + ": expected 0 (off) or more, got " + describe(v));
    }
  }

  private static void positive(JsonObject c, String key) {
    Object v = getPath(c, key);
    if (!(v instanceof Number n) || n.longValue() <= 0) {
      throw new ConfigException(key + ": expected a number above 0, got " + describe(v));
    }
  }

  /** Every leaf key of the defaults, dotted, e.g. {@code stream_socket.port}. */
  static List<String> leafKeys(JsonObject obj, String prefix) {
    List<String> keys = new ArrayList<>();
    for (Map.Entry<String, Object> e : obj) {
      if (e.getValue() instanceof JsonObject child) {
        keys.addAll(leafKeys(child, prefix + e.getKey() + "."));
      } else {
        keys.add(prefix + e.getKey());
      }
    }
    return keys;
  }

  private static boolean hasPath(JsonObject obj, String dotted) {
    String[] parts = dotted.split("\\.");
    JsonObject cur = obj;
    for (int i = 0; i < parts.length - 1; i++) {
      if (!(cur.getValue(parts[i]) instanceof JsonObject next)) {
        return false;
      }
      cur = next;
    }
    return cur.containsKey(parts[parts.length - 1]);
  }

  private static Object getPath(JsonObject obj, String dotted) {
    String[] parts = dotted.split("\\.");
    Object cur = obj;
    for (String p : parts) {
      if (!(cur instanceof JsonObject o)) {
        return null;
      }
      cur = o.getValue(p);
    }
    return cur;
  }

  private static void setPath(JsonObject obj, String dotted, Object value) {
    String[] parts = dotted.split("\\.");
    JsonObject cur = obj;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = cur.getJsonObject(parts[i]);
      if (next == null) {
        cur.put(parts[i], next = new JsonObject());
      }
      cur = next;
    }
    cur.put(parts[parts.length - 1], value);
  }

  private static String typeName(Object def) {
    if (def instanceof Boolean) {
      return "true or false";
    }
    if (def instanceof Number) {
      return "a whole number";
    }
    if (def instanceof JsonArray) {
      return "a list";
    }
    return "a string";
  }

  private static String describe(Object v) {
    if (v == null) {
      return "nothing";
    }
    if (v instanceof String s) {
      return "\"" + s + "\"";
    }
    if (v instanceof JsonObject) {
      return "a mapping";
    }
    if (v instanceof JsonArray) {
      return "a list";
    }
    return String.valueOf(v);
  }
}
