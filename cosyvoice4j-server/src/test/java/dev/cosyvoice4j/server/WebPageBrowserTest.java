package dev.cosyvoice4j.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The web page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which {@code .ci/run}
 * installs): it types, picks a voice, clicks Speak, and checks that audio arrived, was scheduled and played; then it
 * saves a voice through the upload form. A missing browser is a failure, not a skip.
 */
class WebPageBrowserTest {
    @TempDir Path speakers;

    static Path executable(String what, List<String> candidates) {
        for (String c : candidates) if (Files.isExecutable(Path.of(c))) return Path.of(c);
        fail(what + " not found at " + candidates + ": install Debian's chromium and chromium-driver (.ci/run does)");
        return null;
    }

    static WebDriver chromium() {
        Path browser = executable("chromium", List.of("/usr/bin/chromium", "/usr/bin/chromium-browser"));
        Path driver = executable("chromedriver", List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"));
        ChromeOptions o = new ChromeOptions();
        o.setBinary(browser.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--autoplay-policy=no-user-gesture-required", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(driver.toString()))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    @Test
    void typingAndClickingSpeakPlaysStreamedAudio() throws Exception {
        try (TestServer t = TestServer.start(TestServer.MODEL_A, speakers)) {
            WebDriver d = chromium();
            try {
                d.get(t.base.toString());
                WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(60));
                wait.until(x -> new Select(x.findElement(By.id("voice"))).getOptions().size() >= 2);
                WebElement text = d.findElement(By.id("text"));
                text.clear();
                text.sendKeys("Hello from a real browser.");
                new Select(d.findElement(By.id("voice"))).selectByValue("alice");
                d.findElement(By.id("speak")).click();
                JavascriptExecutor js = (JavascriptExecutor) d;
                wait.until(x -> Boolean.TRUE.equals(js.executeScript("return window.cv4j.done || window.cv4j.error !== null")));
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) js.executeScript("return window.cv4j");
                assertNull(m.get("error"), "page error: " + m);
                assertTrue(((Number) m.get("bytes")).longValue() > 1000, "audio bytes arrived: " + m);
                assertNotNull(m.get("ttfaMs"), "time to first audio measured: " + m);
                assertTrue(d.findElement(By.id("ttfa")).getText().endsWith(" s"), "time to first audio shown");
                assertTrue(d.findElement(By.id("rtf")).getText().matches("[0-9.]+"), "RTF shown: " + d.findElement(By.id("rtf")).getText());
                double audio = ((Number) m.get("audioSeconds")).doubleValue();
                wait.until(x -> ((Number) js.executeScript("return window.cv4j.playedSeconds")).doubleValue() >= audio - 1e-3);
                assertTrue(d.findElement(By.id("status")).getText().startsWith("Done"), d.findElement(By.id("status")).getText());

                d.findElement(By.id("voice-name")).sendKeys("browser-voice");
                d.findElement(By.id("voice-file")).sendKeys(TestServer.ZERO_SHOT_WAV.toAbsolutePath().toString());
                d.findElement(By.id("voice-text")).sendKeys(TestServer.ZERO_SHOT_TRANSCRIPT);
                d.findElement(By.id("upload")).click();
                wait.until(x -> x.findElement(By.id("voice-status")).getText().startsWith("Saved")
                        || x.findElement(By.id("voice-status")).getText().startsWith("Error"));
                assertEquals("Saved voice \"browser-voice\".", d.findElement(By.id("voice-status")).getText());
                assertEquals("browser-voice", new Select(d.findElement(By.id("voice"))).getFirstSelectedOption().getAttribute("value"));
                assertTrue(Files.isRegularFile(speakers.resolve("browser-voice.cvspk")));
            } finally {
                d.quit();
            }
        }
    }
}
