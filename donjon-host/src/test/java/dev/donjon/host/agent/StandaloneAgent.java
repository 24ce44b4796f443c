package dev.donjon.host.agent;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A host agent in its own JVM, for the test that kills it: prints its URL, then serves until killed. */
public final class StandaloneAgent {
    private StandaloneAgent() {}

    public static void main(String[] args) throws Exception {
        HostAgent agent = HostAgent.start(
                HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil"));
        System.out.println(agent.baseUri());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
