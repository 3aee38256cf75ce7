package io.faultline.cli.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.faultline.cli.experiment.ExperimentDefinition.StopCondition;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Prometheus stop condition against a mock Prometheus HTTP API on loopback. */
class StopConditionIT {

  private HttpServer server;
  private final AtomicReference<String> body = new AtomicReference<>();
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicReference<String> lastQuery = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/api/v1/query",
        exchange -> {
          // Form encoding, as Prometheus (Go's url.ParseQuery) reads it: '+' is a space.
          lastQuery.set(
              java.net.URLDecoder.decode(
                  exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8));
          byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status.get(), bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private StopConditionCheck check() {
    return StopConditionCheck.of(
        new StopCondition(
            "prometheus",
            "http://127.0.0.1:" + server.getAddress().getPort() + "/",
            "sum(up{job=\"scale-control\"}) < 1",
            null,
            null));
  }

  @Test
  void haltsWhenTheQueryReturnsSomethingAndNotWhenItIsEmpty() {
    StopConditionCheck c = check();
    body.set("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    assertThat(c.check()).isEmpty();
    assertThat(lastQuery.get()).isEqualTo("query=sum(up{job=\"scale-control\"}) < 1");
    body.set(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
            + "[{\"metric\":{},\"value\":[1700000000,\"0\"]}]}}");
    assertThat(c.check())
        .hasValueSatisfying(
            why ->
                assertThat(why)
                    .contains("sum(up{job=\"scale-control\"}) < 1")
                    .endsWith("returned {}=0"));
  }

  @Test
  void aConditionThatCannotBeEvaluatedThreeTimesInARowHalts() {
    StopConditionCheck c = check();
    status.set(503);
    body.set("unavailable");
    assertThat(c.check()).isEmpty();
    assertThat(c.check()).isEmpty();
    assertThat(c.check())
        .hasValueSatisfying(
            why -> assertThat(why).contains("could not be evaluated 3 times in a row: HTTP 503"));
    // one good answer resets the count
    status.set(200);
    body.set("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
    assertThat(c.check()).isEmpty();
    status.set(503);
    assertThat(c.check()).isEmpty();
  }
}
