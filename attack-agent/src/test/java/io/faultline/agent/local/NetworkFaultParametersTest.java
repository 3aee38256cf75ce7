package io.faultline.agent.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.schema.InvalidRecordException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetworkFaultParametersTest {

  @Test
  void latencyParametersAreCheckedNamingTheParameterAndTheRange() {
    NetworkLatency fault = new NetworkLatency();
    assertThatCode(() -> fault.validate(Map.of("latency", "200ms", "jitter", "50ms")))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> fault.validate(Map.of("latency", "fast")))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("parameters.latency")
        .hasMessageContaining("'fast' is not a duration");
    assertThatThrownBy(() -> fault.validate(Map.of("latency", "2m")))
        .hasMessageContaining("parameters.latency")
        .hasMessageContaining("must be from 1ms to 1m");
    assertThatThrownBy(() -> fault.validate(Map.of("latency", "100ms", "jitter", "150ms")))
        .hasMessageContaining("parameters.jitter")
        .hasMessageContaining("must be from 0ms to the latency, 100ms");
  }

  @Test
  void lossParametersAreCheckedNamingTheParameterAndTheRange() {
    PacketLoss fault = new PacketLoss();
    assertThatCode(() -> fault.validate(Map.of())).doesNotThrowAnyException();
    assertThatThrownBy(() -> fault.validate(Map.of("percent", "0")))
        .hasMessageContaining("parameters.percent")
        .hasMessageContaining("from 1 to 100");
    assertThatThrownBy(() -> fault.validate(Map.of("retransmit", "5ms")))
        .hasMessageContaining("parameters.retransmit")
        .hasMessageContaining("must be from 10ms to 10s");
  }

  @Test
  void proxyFlagsAreCheckedNamingTheFlag() {
    assertThatThrownBy(() -> ImpairmentProxy.address("--listen", "8081"))
        .hasMessage("--listen '8081': must be HOST:PORT with PORT from 0 to 65535");
    assertThatThrownBy(() -> ImpairmentProxy.address("--target", "127.0.0.1:70000"))
        .hasMessageContaining("--target '127.0.0.1:70000'");
    assertThat(ImpairmentProxy.address("--control", "127.0.0.1:0").getPort()).isZero();
    assertThatThrownBy(() -> ImpairmentProxy.address("--target", null))
        .hasMessage("--target is required (HOST:PORT)");
    assertThatThrownBy(
            () -> ChildJvm.flags(new String[] {"--listen", "a", "--bogus", "b"}, List.of("listen")))
        .hasMessageContaining("unexpected argument '--bogus'");
  }

  @Test
  void proxyRefusesAControlEndpointOffLoopback() {
    assertThatThrownBy(
            () ->
                ImpairmentProxy.start(
                    new java.net.InetSocketAddress("127.0.0.1", 0),
                    new java.net.InetSocketAddress("127.0.0.1", 9),
                    new java.net.InetSocketAddress("0.0.0.0", 0)))
        .hasMessageContaining("--control")
        .hasMessageContaining("must be a loopback address");
  }
}
