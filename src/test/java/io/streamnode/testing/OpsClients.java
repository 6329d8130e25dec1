package io.streamnode.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The outside tools of the operability tests ({@code clients/ops}): the Prometheus project's
 * Python text parser ({@code parse_metrics.py}) and {@code playwright-core} from npm (installed
 * with {@code npm ci} when {@code node_modules} is missing).
 */
public final class OpsClients {

  public static final File DIR = new File("clients/ops");

  private OpsClients() {
  }

  /** Whether a command runs ({@code --version} exits 0). */
  public static boolean installed(String command) {
    try {
      Process p = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@code npm ci} in clients/ops unless done; throws when it fails. */
  public static void install() throws IOException, InterruptedException {
    if (new File(DIR, "node_modules/playwright-core").isDirectory()) {
      return;
    }
    Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(DIR).inheritIO().start();
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("npm ci failed in " + DIR);
    }
  }

  /**
   * Debian's chromium (or the executable in {@code CHROMIUM}), or {@code null} when there is none:
   * the browser tests are then skipped, saying so.
   */
  public static String chromium() {
    String env = System.getenv("CHROMIUM");
    if (env != null && new File(env).canExecute()) {
      return env;
    }
    for (String path : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (new File(path).canExecute()) {
        return path;
      }
    }
    return null;
  }

  /**
   * Runs {@code node script} in this directory with {@code env}, its output in the test log with
   * a {@code [label]} prefix; the exit code, or an AssertionError after {@code timeoutSeconds}.
   */
  public static int runNode(String script, Map<String, String> env, String label, long timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("node", script).directory(DIR).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    Thread pump = new Thread(() -> {
      try (java.io.BufferedReader out = new java.io.BufferedReader(
          new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          System.out.println("[" + label + "] " + line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, label + "-output");
    pump.setDaemon(true);
    pump.start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(script + " did not finish within " + timeoutSeconds + " s");
    }
    pump.join(5_000);
    return process.exitValue();
  }

  /** The Python with the Prometheus parser: Debian's (python3-prometheus-client), else the one on the PATH. */
  public static String python() {
    return new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3";
  }

  /** Whether the Prometheus project's Python parser is importable. */
  public static boolean prometheusParserInstalled() {
    try {
      Process p = new ProcessBuilder(python(), "-c", "import prometheus_client.parser").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Parses a Prometheus text exposition with the Prometheus project's own parser
   * ({@code prometheus_client.parser}, through {@code clients/ops/parse_metrics.py}); fails on
   * malformed text.
   */
  public static Metrics parse(String exposition) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(python(), "parse_metrics.py").directory(DIR).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("the Prometheus parser refused the exposition: " + err);
    }
    return new Metrics(new JsonArray(new String(out, StandardCharsets.UTF_8)));
  }

  /** Parsed metric families: {@code [{name, type, samples: [{name, labels, value}]}]}. */
  public record Metrics(JsonArray families) {

    public JsonObject family(String name) {
      for (Object f : families) {
        if (name.equals(((JsonObject) f).getString("name"))) {
          return (JsonObject) f;
        }
      }
      return null;
    }

    /** Every sample name (e.g. {@code x_total}, {@code y_seconds_count}). */
    public List<String> names() {
      return families.stream().flatMap(f -> ((JsonObject) f).getJsonArray("samples").stream())
          .map(s -> ((JsonObject) s).getString("name")).distinct().toList();
    }

    /** The sum of the samples named {@code sample} whose labels include {@code labels}; 0 when none. */
    public double value(String sample, Map<String, String> labels) {
      double sum = 0;
      for (Object f : families) {
        for (Object o : ((JsonObject) f).getJsonArray("samples")) {
          JsonObject s = (JsonObject) o;
          JsonObject have = s.getJsonObject("labels", new JsonObject());
          if (sample.equals(s.getString("name"))
              && labels.entrySet().stream().allMatch(e -> e.getValue().equals(have.getString(e.getKey())))
              && s.getValue("value") instanceof Number n) {
            sum += n.doubleValue();
          }
        }
      }
      return sum;
    }

    public double value(String sample) {
      return value(sample, Map.of());
    }
  }
}
