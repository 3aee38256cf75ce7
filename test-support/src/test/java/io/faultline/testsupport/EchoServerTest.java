package io.faultline.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EchoServerTest {

  @Test
  void everyLineComesBackOnItsOwnConnection() throws Exception {
    try (EchoServer echo = EchoServer.start();
        Socket a = new Socket(echo.address().getAddress(), echo.port());
        Socket b = new Socket(echo.address().getAddress(), echo.port())) {
      PrintWriter toA = new PrintWriter(a.getOutputStream(), true, StandardCharsets.UTF_8);
      PrintWriter toB = new PrintWriter(b.getOutputStream(), true, StandardCharsets.UTF_8);
      var fromA =
          new BufferedReader(new InputStreamReader(a.getInputStream(), StandardCharsets.UTF_8));
      var fromB =
          new BufferedReader(new InputStreamReader(b.getInputStream(), StandardCharsets.UTF_8));
      toA.println("ping");
      toB.println("pong");
      assertThat(fromB.readLine()).isEqualTo("pong");
      assertThat(fromA.readLine()).isEqualTo("ping");
    }
  }
}
