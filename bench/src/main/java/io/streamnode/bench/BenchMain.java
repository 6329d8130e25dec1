package io.streamnode.bench;

import io.streamnode.bench.ceiling.CeilingServer;
import io.streamnode.bench.load.LoadRun;
import io.streamnode.bench.report.Report;

import java.util.Arrays;

/** Entry point of the bench jar: {@code ceiling}, {@code load} or {@code report}. */
public final class BenchMain {

  private BenchMain() {
  }

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "help" : args[0];
    String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
    switch (command) {
      case "ceiling" -> CeilingServer.main(rest);
      case "load" -> LoadRun.main(rest);
      case "report" -> Report.main(rest);
      default -> System.out.println("""
          Usage: java -jar streamnode-bench.jar <command> ...
            ceiling SOCKET_PORT API_PORT     the raw Vert.x ceiling server (127.0.0.1)
            load --pid=PID --server=KIND ... one load-generator run (see LoadOptions), appends JSON lines
            report RESULTS.jsonl OUT.md PLOT.png [NOTES.md]   tables and the latency-versus-rate plot
          Normally run through scripts/bench.""");
    }
  }
}
