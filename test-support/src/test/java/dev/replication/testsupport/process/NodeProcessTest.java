package dev.replication.testsupport.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeProcessTest {

    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    static Path jarDirectory;

    private static Path jar;

    @TempDir
    Path logs;

    private final int port = FreePorts.one();
    private final URI url = URI.create("http://127.0.0.1:" + port + "/");

    /** Packs {@link TinyHttpNode} into an executable jar, so the tests launch a jar as real nodes are launched. */
    @BeforeAll
    static void buildTinyNodeJar() throws IOException, URISyntaxException {
        Path classes = Path.of(TinyHttpNode.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        String packagePath = TinyHttpNode.class.getPackageName().replace('.', '/');
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, TinyHttpNode.class.getName());
        jar = jarDirectory.resolve("tiny-node.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
                Stream<Path> files = Files.list(classes.resolve(packagePath))) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("TinyHttpNode"))
                    .toList()) {
                out.putNextEntry(new JarEntry(packagePath + "/" + file.getFileName()));
                Files.copy(file, (OutputStream) out);
                out.closeEntry();
            }
        }
    }

    @Test
    void startsTheJarWithTheGivenPropertiesArgumentsAndEnvironment() {
        NodeProcess.Builder builder = tinyNode()
                .systemProperty("tiny.greeting", "hello")
                .arguments("first", "second")
                .environment("TINY_ENV", "from-env");

        try (NodeProcess node = builder.start()) {
            HttpResponse<String> response = node.awaitHttpOk(url, STARTUP);

            assertThat(response.body()).isEqualTo("property=hello arguments=first,second environment=from-env");
            assertThat(builder.command()).contains("-Xmx256m", "-jar", jar.toString());
        }
    }

    @Test
    void sendsStandardOutputAndErrorToTheLogFile() throws IOException {
        try (NodeProcess node = tinyNode().start()) {
            node.awaitHttpOk(url, STARTUP);

            assertThat(Files.readString(node.logFile()))
                    .contains("starting node tiny")
                    .contains("starting on port " + port)
                    .contains("stderr reaches the log too");
        }
    }

    @Test
    void aPausedNodeAnswersNothingUntilResumed() throws Exception {
        try (NodeProcess node = tinyNode().start()) {
            node.awaitHttpOk(url, STARTUP);

            node.pause();

            assertThat(node.isPaused()).isTrue();
            assertThatThrownBy(() -> get(Duration.ofMillis(500))).isInstanceOf(HttpTimeoutException.class);

            node.resume();

            assertThat(node.isPaused()).isFalse();
            assertThat(get(Duration.ofSeconds(10)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aKilledNodeIsGoneAtOnce() {
        try (NodeProcess node = tinyNode().start()) {
            node.awaitHttpOk(url, STARTUP);
            assertThat(ProcessHandle.of(node.pid())).isPresent();

            node.kill();

            assertThat(node.isAlive()).isFalse();
            assertThat(node.exitCode()).hasValue(128 + 9);
            assertThat(ProcessHandle.of(node.pid()).filter(ProcessHandle::isAlive))
                    .isEmpty();
        }
    }

    @Test
    void stopLetsTheNodeShutDownInOrder() throws IOException {
        try (NodeProcess node = tinyNode().start()) {
            node.awaitHttpOk(url, STARTUP);

            int exitCode = node.stop();

            assertThat(exitCode).isEqualTo(128 + 15);
            assertThat(Files.readString(node.logFile())).contains("shutting down in order");
        }
    }

    @Test
    void stopEndsAPausedNodeToo() throws IOException {
        try (NodeProcess node = tinyNode().start()) {
            node.awaitHttpOk(url, STARTUP);
            node.pause();

            node.stop();

            assertThat(node.isAlive()).isFalse();
            assertThat(Files.readString(node.logFile())).contains("shutting down in order");
        }
    }

    @Test
    void waitingForANodeThatExitedFailsAtOnceWithItsLog() {
        try (NodeProcess node = tinyNode().arguments("exit-at-once").start()) {
            assertThatThrownBy(() -> node.awaitHttpOk(url, STARTUP))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited with code 3")
                    .hasMessageContaining("exiting at once as asked");
        }
    }

    @Test
    void aRestartedNodeAppendsToTheSameLog() throws IOException {
        NodeProcess.Builder builder = tinyNode();
        try (NodeProcess first = builder.start()) {
            first.awaitHttpOk(url, STARTUP);
            first.kill();
        }

        try (NodeProcess second = builder.start()) {
            second.awaitHttpOk(url, STARTUP);

            assertThat(Files.readAllLines(second.logFile()))
                    .filteredOn(line -> line.contains("starting node tiny"))
                    .hasSize(2);
        }
    }

    @Test
    void aMissingJarIsRefusedWithHowToBuildIt() {
        NodeProcess.Builder builder = NodeProcess.builder("ghost").jar(logs.resolve("missing.jar"));

        assertThatThrownBy(builder::start)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not exist; build it first");
    }

    private NodeProcess.Builder tinyNode() {
        return NodeProcess.builder("tiny")
                .jar(jar)
                .jvmOption("-XX:TieredStopAtLevel=1")
                .systemProperty("tiny.port", Integer.toString(port))
                .logFile(logs.resolve("tiny.log"));
    }

    private HttpResponse<String> get(Duration timeout) throws IOException, InterruptedException {
        return CLIENT.send(
                HttpRequest.newBuilder(url).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
