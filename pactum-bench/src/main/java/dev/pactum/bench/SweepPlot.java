package dev.pactum.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Draws a concurrency sweep as a PNG: transactions per second of the coordinator and of the bare work against
 * concurrency (log scale), and their ratio. Plain Java2D, headless, so the plot needs nothing but the JDK.
 */
final class SweepPlot {
    private static final int W = 900;
    private static final int H = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 80;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final Color PACTUM = new Color(0x1f77b4);
    private static final Color BARE = new Color(0x7f7f7f);
    private static final Color RATIO = new Color(0xd62728);

    private SweepPlot() {
    }

    static void write(Path file, String title, List<BenchLevel> levels) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            double maxTps = levels.stream().mapToDouble(l -> Math.max(l.tps(), l.baselineTps())).max().orElse(1);
            maxTps = niceCeiling(maxTps);
            double minC = levels.getFirst().concurrency();
            double maxC = Math.max(minC * 2, levels.getLast().concurrency());
            Axis x = new Axis(Math.log(minC), Math.log(maxC), LEFT, W - RIGHT);
            Axis y = new Axis(0, maxTps, H - BOTTOM, TOP);
            Axis ratioY = new Axis(0, 1, H - BOTTOM, TOP);

            g.setColor(new Color(0xdddddd));
            for (int i = 0; i <= 5; i++) {
                int py = y.px(maxTps * i / 5);
                g.drawLine(LEFT, py, W - RIGHT, py);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);
            for (int i = 0; i <= 5; i++) {
                int py = y.px(maxTps * i / 5);
                g.drawString(String.format(Locale.ROOT, "%,.0f", maxTps * i / 5), 8, py + 4);
                g.drawString(String.format(Locale.ROOT, "%.1f", i / 5.0), W - RIGHT + 8, py + 4);
            }
            for (BenchLevel l : levels) {
                int px = x.px(Math.log(l.concurrency()));
                g.drawString(Integer.toString(l.concurrency()), px - 8, H - BOTTOM + 18);
            }
            g.drawString("concurrent clients", W / 2 - 50, H - BOTTOM + 40);
            g.drawString("tx/s", 8, TOP - 12);
            g.drawString("ratio", W - RIGHT + 8, TOP - 12);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, LEFT, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

            series(g, levels, x, y, BenchLevel::tps, PACTUM);
            series(g, levels, x, y, BenchLevel::baselineTps, BARE);
            series(g, levels, x, ratioY, BenchLevel::ratio, RATIO);
            legend(g, "Pactum (coordinator)", PACTUM, 0);
            legend(g, "bare work, no coordinator", BARE, 1);
            legend(g, "ratio Pactum / bare (right axis)", RATIO, 2);
        } finally {
            g.dispose();
        }
        ImageIO.write(img, "png", file.toFile());
    }

    private static void series(Graphics2D g, List<BenchLevel> levels, Axis x, Axis y, ToDoubleFunction<BenchLevel> f,
                               Color c) {
        g.setColor(c);
        g.setStroke(new BasicStroke(2.2f));
        int prevX = -1;
        int prevY = -1;
        for (BenchLevel l : levels) {
            int px = x.px(Math.log(l.concurrency()));
            int py = y.px(f.applyAsDouble(l));
            g.fillOval(px - 4, py - 4, 8, 8);
            if (prevX >= 0) {
                g.drawLine(prevX, prevY, px, py);
            }
            prevX = px;
            prevY = py;
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static void legend(Graphics2D g, String label, Color c, int row) {
        int lx = LEFT + 12;
        int ly = TOP + 18 + row * 18;
        g.setColor(c);
        g.fillRect(lx, ly - 8, 18, 6);
        g.setColor(Color.BLACK);
        g.drawString(label, lx + 26, ly);
    }

    private static double niceCeiling(double v) {
        double step = Math.pow(10, Math.floor(Math.log10(Math.max(v, 1))));
        return Math.ceil(v / step) * step;
    }

    /** Maps a value range onto a pixel range (which may run downwards, as y does). */
    private record Axis(double lo, double hi, int pxLo, int pxHi) {
        int px(double v) {
            double t = hi == lo ? 0 : (v - lo) / (hi - lo);
            return (int) Math.round(pxLo + t * (pxHi - pxLo));
        }
    }
}
