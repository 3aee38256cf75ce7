package io.faultline.testsupport;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import javax.imageio.ImageIO;

/**
 * A page rendered by headless Chromium from the Debian package ({@code /usr/bin/chromium}),
 * offline, with a fresh profile per call: a screenshot to count the pixels of a plot's colour, or
 * the DOM after scripts ran. Tests that need it assume {@link #installed()} first.
 */
public final class HeadlessChromium {

  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  /** Longest a page may take; more means Chromium hangs, not that the machine is slow. */
  private static final long TIMEOUT_S = 120;

  private final Path dir;

  /** Renders with profiles and outputs under {@code dir} (the test's temporary directory). */
  public HeadlessChromium(Path dir) {
    this.dir = dir;
  }

  public static boolean installed() {
    return Files.isExecutable(CHROMIUM);
  }

  /** The assumption message of a test that needs Chromium. */
  public static String missing(String test) {
    return test + " needs the Debian package chromium (" + CHROMIUM + "): apt-get install chromium";
  }

  /** A screenshot of {@code html} in a window {@code width} x {@code height}. */
  public BufferedImage screenshot(Path html, int width, int height) throws IOException {
    Path png = dir.resolve(html.getFileName() + "-" + System.nanoTime() + ".png");
    run("--screenshot=" + png, "--window-size=" + width + "," + height, html.toUri().toString());
    if (!Files.exists(png)) {
      throw new AssertionError("chromium wrote no screenshot of " + html);
    }
    return ImageIO.read(png.toFile());
  }

  /** The DOM of {@code html} after its scripts ran. */
  public String dom(Path html) throws IOException {
    return run("--dump-dom", html.toUri().toString());
  }

  /** How many pixels of {@code image} pass {@code rgb} (given the colour without alpha). */
  public static int pixels(BufferedImage image, IntPredicate rgb) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if (rgb.test(image.getRGB(x, y) & 0xffffff)) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * A colour within 40 (summed over the channels) of {@code target}: a line's anti-aliased core.
   */
  public static IntPredicate near(int target) {
    return rgb -> {
      int dr = Math.abs(((rgb >> 16) & 0xff) - ((target >> 16) & 0xff));
      int dg = Math.abs(((rgb >> 8) & 0xff) - ((target >> 8) & 0xff));
      int db = Math.abs((rgb & 0xff) - (target & 0xff));
      return dr + dg + db < 40;
    };
  }

  private String run(String... args) throws IOException {
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile));
    cmd.addAll(List.of(args));
    Path stdout = dir.resolve("chromium-" + System.nanoTime() + ".out");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(stdout.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("chromium did not finish within " + TIMEOUT_S + " s: " + cmd);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while chromium ran", e);
    }
    if (p.exitValue() != 0) {
      throw new AssertionError("chromium exit code " + p.exitValue() + ": " + cmd);
    }
    return Files.readString(stdout);
  }
}
