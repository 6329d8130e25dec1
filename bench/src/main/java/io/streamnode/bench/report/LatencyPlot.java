package io.streamnode.bench.report;

import io.vertx.core.json.JsonObject;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Draws end-to-end latency (p50 dashed, p99 solid; log scale) against the publish rate of the
 * saturation runs, one colour per server, with java.awt only (headless, no dependency).
 */
final class LatencyPlot {

  private static final int W = 1000;
  private static final int H = 620;
  private static final int LEFT = 90;
  private static final int RIGHT = 220;
  private static final int TOP = 50;
  private static final int BOTTOM = 70;
  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xd62728),
      new Color(0x9467bd), new Color(0xff7f0e)};

  private LatencyPlot() {
  }

  static void draw(List<JsonObject> rows, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<JsonObject> sat = Report.rateSweep(rows);
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString("End-to-end latency vs publish rate (1 group x 1,000 subscribers)", LEFT, 30);
    if (sat.isEmpty()) {
      g.drawString("no saturation runs in the results", LEFT, H / 2);
      ImageIO.write(img, "png", file.toFile());
      return;
    }
    double minX = Double.MAX_VALUE;
    double maxX = 0;
    double minY = Double.MAX_VALUE;
    double maxY = 0;
    for (JsonObject j : sat) {
      double rate = j.getDouble("rate");
      JsonObject lat = j.getJsonObject("latency_us");
      minX = Math.min(minX, rate);
      maxX = Math.max(maxX, rate);
      if (lat.getLong("count") > 0) {
        minY = Math.min(minY, Math.max(1, lat.getLong("p50")));
        maxY = Math.max(maxY, lat.getLong("p99"));
      }
    }
    // Log axes on whole decades (x: publish/s, y: microseconds).
    // x: just around the measured rates; y: whole decades.
    double x0 = Math.log10(minX / 1.2);
    double x1 = Math.max(x0 + 0.5, Math.log10(maxX * 1.2));
    double y0 = Math.floor(Math.log10(Math.max(1, minY)));
    double y1 = Math.max(y0 + 1, Math.ceil(Math.log10(Math.max(maxY, 10))));
    int pw = W - LEFT - RIGHT;
    int ph = H - TOP - BOTTOM;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int d = (int) Math.floor(x0); d <= (int) x1; d++) {
      for (int m = 1; m < 10 && d + Math.log10(m) <= x1; m++) {
        if (d + Math.log10(m) < x0) {
          continue;
        }
        int px = LEFT + (int) ((d + Math.log10(m) - x0) / (x1 - x0) * pw);
        g.setColor(m == 1 ? new Color(0xbbbbbb) : new Color(0xeeeeee));
        g.drawLine(px, TOP, px, TOP + ph);
        if (m == 1 || m == 2 || m == 5) {
          g.setColor(Color.DARK_GRAY);
          String label = fmt(m * Math.pow(10, d));
          g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, TOP + ph + 18);
        }
      }
    }
    for (int d = (int) y0; d <= (int) y1; d++) {
      for (int m = 1; m < 10 && d + Math.log10(m) <= y1; m++) {
        int py = TOP + ph - (int) ((d + Math.log10(m) - y0) / (y1 - y0) * ph);
        g.setColor(m == 1 ? new Color(0xbbbbbb) : new Color(0xeeeeee));
        g.drawLine(LEFT, py, LEFT + pw, py);
        if (m == 1 || m == 2 || m == 5) {
          g.setColor(Color.DARK_GRAY);
          String label = micros(m * Math.pow(10, d));
          g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), py + 4);
        }
      }
    }
    g.setColor(Color.BLACK);
    g.drawRect(LEFT, TOP, pw, ph);
    g.drawString("publish rate (events/s; each goes to 1,000 subscribers) — log scale", LEFT + pw / 2 - 190, H - 22);
    Graphics2D gy = (Graphics2D) g.create();
    gy.rotate(-Math.PI / 2);
    gy.drawString("end-to-end latency — log scale", -(TOP + ph / 2 + 90), 22);
    gy.dispose();

    Stroke solid = new BasicStroke(2.5f);
    Stroke dashed = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {7f, 5f}, 0f);
    int legendY = TOP + 10;
    for (int s = 0; s < Report.SERVERS.size(); s++) {
      String server = Report.SERVERS.get(s);
      List<JsonObject> pts = sat.stream().filter(j -> server.equals(j.getString("server"))
          && j.getJsonObject("latency_us").getLong("count") > 0).toList();
      if (pts.isEmpty()) {
        continue;
      }
      g.setColor(COLORS[s % COLORS.length]);
      for (String pct : List.of("p50", "p99")) {
        g.setStroke("p99".equals(pct) ? solid : dashed);
        int px0 = -1;
        int py0 = -1;
        for (JsonObject j : pts) {
          int px = LEFT + (int) ((Math.log10(j.getDouble("rate")) - x0) / (x1 - x0) * pw);
          double v = Math.max(1, j.getJsonObject("latency_us").getLong(pct));
          int py = TOP + ph - (int) ((Math.log10(v) - y0) / (y1 - y0) * ph);
          if (px0 >= 0) {
            g.drawLine(px0, py0, px, py);
          }
          double expected = j.getDouble("expected_per_s");
          if (expected > 0 && j.getDouble("delivered_per_s") < 0.9 * expected) {
            g.drawOval(px - 5, py - 5, 10, 10); // hollow: the server fell behind (delivered < 90 % of expected)
          } else {
            g.fillOval(px - 4, py - 4, 8, 8);
          }
          px0 = px;
          py0 = py;
        }
        g.setStroke("p99".equals(pct) ? solid : dashed);
        g.drawLine(LEFT + pw + 15, legendY, LEFT + pw + 50, legendY);
        g.setColor(Color.BLACK);
        g.drawString(server + " " + pct, LEFT + pw + 58, legendY + 4);
        g.setColor(COLORS[s % COLORS.length]);
        legendY += 22;
      }
    }
    g.setColor(Color.DARK_GRAY);
    g.setStroke(new BasicStroke(1f));
    g.drawString("solid: p99, dashed: p50", LEFT + pw + 15, legendY + 10);
    g.drawString("hollow point: delivered", LEFT + pw + 15, legendY + 30);
    g.drawString("< 90 % of expected", LEFT + pw + 15, legendY + 46);
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  private static String fmt(double v) {
    return v >= 1000 ? String.format(Locale.ROOT, "%.0fk", v / 1000) : String.format(Locale.ROOT, "%.0f", v);
  }

  private static String micros(double us) {
    if (us >= 1_000_000) {
      return String.format(Locale.ROOT, "%.0f s", us / 1e6);
    }
    if (us >= 1000) {
      return String.format(Locale.ROOT, "%.0f ms", us / 1000);
    }
    return String.format(Locale.ROOT, "%.0f µs", us);
  }
}
