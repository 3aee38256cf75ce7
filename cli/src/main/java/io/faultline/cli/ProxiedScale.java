package io.faultline.cli;

import io.faultline.agent.local.ImpairmentProxy;
import io.faultline.scale.LocalSupervisor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link ImpairmentProxy} in front of each local Scale instance (both groups, so they stay
 * identical; docs/adr/0004): clients reach an instance through its proxy, and its target file names
 * the proxy's control address, so {@code network-latency} and {@code packet-loss} work on it. The
 * instance keeps its port across restarts, so the proxy's target stays valid.
 */
final class ProxiedScale implements AutoCloseable {

  private final Map<String, ImpairmentProxy> proxies = new LinkedHashMap<>();

  static ProxiedScale start(LocalSupervisor supervisor, List<String> names) throws IOException {
    ProxiedScale p = new ProxiedScale();
    try {
      for (String name : names) {
        ImpairmentProxy proxy =
            ImpairmentProxy.start(
                new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", supervisor.port(name)),
                new InetSocketAddress("127.0.0.1", 0));
        p.proxies.put(name, proxy);
        supervisor.setTargetProperty(name, "proxy.control", proxy.controlAddress());
      }
      return p;
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /** The port clients of {@code name} use: its proxy's. */
  int clientPort(String name) {
    ImpairmentProxy proxy = proxies.get(name);
    if (proxy == null) {
      throw new IllegalArgumentException(
          "no proxy in front of " + name + "; have " + proxies.keySet());
    }
    return proxy.listenPort();
  }

  @Override
  public void close() {
    proxies.values().forEach(ImpairmentProxy::close);
    proxies.clear();
  }
}
