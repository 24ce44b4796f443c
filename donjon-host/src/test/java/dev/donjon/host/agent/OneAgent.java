package dev.donjon.host.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;

/** A test with one host agent on loopback (nil Keeps), closed after each test, leaving no Keep process behind. */
abstract class OneAgent {
    protected HostAgent agent;

    static HostAgent.Config nil() {
        return HostAgent.Config.defaults(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "nil");
    }

    protected HostAgent start(HostAgent.Config config) throws IOException {
        agent = HostAgent.start(config);
        return agent;
    }

    @AfterEach
    void closeTheAgent() {
        if (agent != null) agent.close();
        DeployEndToEndTest.assertNoChildProcesses();
    }
}
