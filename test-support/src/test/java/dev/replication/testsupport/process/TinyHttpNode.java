package dev.replication.testsupport.process;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A tiny application for the {@link NodeProcess} tests: answers every GET on the loopback port
 * given by {@code -Dtiny.port} with what it was started with. With the argument
 * {@code exit-at-once} it exits with code 3 instead.
 */
public final class TinyHttpNode {

    private TinyHttpNode() {}

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("exit-at-once")) {
            System.err.println("exiting at once as asked");
            System.exit(3);
        }
        int port = Integer.getInteger("tiny.port");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.createContext("/", exchange -> {
            byte[] body = ("property=" + System.getProperty("tiny.greeting")
                            + " arguments=" + String.join(",", args)
                            + " environment=" + System.getenv("TINY_ENV"))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("shutting down in order");
            server.stop(0);
        }));
        // Printed before serving, so a test that got an answer finds both lines in the log.
        System.out.println("starting on port " + port);
        System.err.println("stderr reaches the log too");
        server.start();
    }
}
