package dev.replication.testsupport.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses free TCP ports on the loopback interface for child processes to listen on. The
 * operating system picks them (port 0), so parallel test runs rarely collide; a port is only
 * known free at the moment it is chosen, so start the process that uses it soon after.
 */
public final class FreePorts {

    private FreePorts() {}

    /** One free loopback port. */
    public static int one() {
        return several(1).get(0);
    }

    /** {@code count} distinct free loopback ports: all are held open together while choosing, so none repeats. */
    public static List<Integer> several(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        List<ServerSocket> held = new ArrayList<>(count);
        try {
            List<Integer> ports = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                socket.setReuseAddress(true);
                held.add(socket);
                ports.add(socket.getLocalPort());
            }
            return List.copyOf(ports);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not bind a loopback port to find a free one; "
                            + "check that the loopback interface is up and ports are not exhausted",
                    e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Closing a listening socket we opened ourselves; nothing useful to do if it fails.
                }
            }
        }
    }
}
