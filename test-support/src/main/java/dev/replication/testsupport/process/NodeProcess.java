package dev.replication.testsupport.process;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * An application running in a child JVM, for tests that need real process failures: SIGKILL
 * (crash with no shutdown), SIGSTOP/SIGCONT (a stall longer than any timeout, as a long GC pause
 * or a frozen VM would cause) and SIGTERM (orderly shutdown).
 *
 * <p>The child runs with the {@code java} of the current JVM and a heap limit (256 MiB unless
 * told otherwise), and its stdout and stderr go to one log file, appended across restarts. Child
 * processes still running when the test JVM exits are killed.
 *
 * <pre>{@code
 * NodeProcess.Builder n1 = NodeProcess.builder("n1").jar(jar)
 *         .systemProperty("server.port", String.valueOf(port))
 *         .environment("REPLICATION_PEERS", peers);
 * try (NodeProcess node = n1.start()) {
 *     node.awaitHttpOk(URI.create("http://127.0.0.1:" + port + "/actuator/health"), Duration.ofSeconds(60));
 *     node.pause();
 *     ...
 * }
 * }</pre>
 */
public final class NodeProcess implements AutoCloseable {

    private static final Duration EXIT_WAIT = Duration.ofSeconds(10);
    private static final Duration SIGNAL_STATE_WAIT = Duration.ofSeconds(5);
    private static final Duration HTTP_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration HTTP_RETRY_INTERVAL = Duration.ofMillis(100);
    private static final int LOG_LINES_IN_ERRORS = 30;

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(HTTP_ATTEMPT_TIMEOUT)
            .build();

    /** Children to kill if the test JVM exits while they run, so none outlives a test run. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "node-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path logFile;
    private volatile boolean paused;

    private NodeProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
    }

    /** Starts describing a node called {@code name}; the name appears in logs and error messages. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** The file receiving the child's stdout and stderr. */
    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Whether {@link #pause()} stopped the process and {@link #resume()} has not continued it yet. */
    public boolean isPaused() {
        return paused && process.isAlive();
    }

    /** The exit code once the process has exited: 137 after SIGKILL, 143 after an orderly SIGTERM. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Kills the process with SIGKILL (no shutdown hooks, no flushing) and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(EXIT_WAIT, "SIGKILL");
        paused = false;
    }

    /**
     * Freezes the process with SIGSTOP: it keeps its sockets, but answers nothing and runs no
     * timers until {@link #resume()}. Returns once the kernel reports the process stopped.
     */
    public void pause() {
        requireAlive("pause");
        signal("STOP");
        paused = true;
        awaitSchedulingState(true);
    }

    /** Continues a paused process with SIGCONT. Returns once the kernel reports it running again. */
    public void resume() {
        requireAlive("resume");
        signal("CONT");
        paused = false;
        awaitSchedulingState(false);
    }

    /** {@link #stop(Duration)} with a 10 second grace period. */
    public int stop() {
        return stop(EXIT_WAIT);
    }

    /**
     * Asks the process to shut down with SIGTERM (continuing it first if paused, since a stopped
     * JVM cannot run its shutdown hooks), waits up to {@code grace}, then kills it with SIGKILL.
     *
     * @return the exit code
     */
    public int stop(Duration grace) {
        if (process.isAlive()) {
            if (paused) {
                signal("CONT");
                paused = false;
            }
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
        return process.exitValue();
    }

    /**
     * Polls {@code url} with GET until it answers with a 2xx status, and returns that response.
     *
     * @throws IllegalStateException if the process exits first, or {@code timeout} passes; the
     *     message carries the last lines of the log file
     */
    public HttpResponse<String> awaitHttpOk(URI url, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastAttempt = "no attempt finished";
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("node " + name + " (pid " + pid() + ") exited with code "
                        + process.exitValue() + " before " + url + " answered 2xx; see why in its log "
                        + logFile + ", last lines:\n" + logTail(LOG_LINES_IN_ERRORS));
            }
            long remainingNanos = deadline - System.nanoTime();
            if (remainingNanos <= 0) {
                throw new IllegalStateException("node " + name + " (pid " + pid() + (paused ? ", paused" : "")
                        + ") did not answer 2xx on " + url + " within " + timeout + " (last attempt: " + lastAttempt
                        + "); check the port and path, or give it longer; its log " + logFile + ", last lines:\n"
                        + logTail(LOG_LINES_IN_ERRORS));
            }
            Duration attemptTimeout = Duration.ofNanos(Math.min(remainingNanos, HTTP_ATTEMPT_TIMEOUT.toNanos()));
            try {
                HttpResponse<String> response = HTTP.send(
                        HttpRequest.newBuilder(url)
                                .timeout(attemptTimeout)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    return response;
                }
                lastAttempt = "status " + response.statusCode() + ", body " + abbreviate(response.body());
                sleepBeforeRetry(deadline);
            } catch (IOException e) {
                lastAttempt = e.toString();
                sleepBeforeRetry(deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for node " + name + " to answer " + url, e);
            }
        }
    }

    /** The last {@code maxLines} lines of the log file (from its last 64 KiB), for error messages. */
    public String logTail(int maxLines) {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = file.length();
            int size = (int) Math.min(length, 64 * 1024);
            byte[] bytes = new byte[size];
            file.seek(length - size);
            file.readFully(bytes);
            String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\\R");
            int from = Math.max(0, lines.length - maxLines);
            return String.join("\n", Arrays.asList(lines).subList(from, lines.length));
        } catch (IOException e) {
            return "(log file " + logFile + " unreadable: " + e + ")";
        }
    }

    /** Kills the process if it still runs: fast cleanup for try-with-resources. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return "node " + name + " (pid " + pid() + (isAlive() ? isPaused() ? ", paused" : ", running" : ", exited")
                + ")";
    }

    private void requireAlive(String action) {
        if (!process.isAlive()) {
            throw new IllegalStateException("cannot " + action + " node " + name + ": it exited with code "
                    + process.exitValue() + "; start it again with its Builder first");
        }
    }

    private void awaitExit(Duration timeout, String after) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("node " + name + " (pid " + pid() + ") still runs " + timeout
                        + " after " + after + "; check the machine's load, or kill it by hand");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for node " + name + " to exit", e);
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid()))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid() + " (node " + name + ") failed: "
                        + output + "; the process may have exited, or signals are not permitted here");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not run kill -" + signal + " for node " + name
                            + "; pause and resume need the 'kill' command on the PATH",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling node " + name, e);
        }
    }

    /**
     * Waits until Linux reports the process stopped ({@code T}) or not, so that a test acting
     * right after pause or resume sees the new state. Where there is no /proc, returns at once.
     */
    private void awaitSchedulingState(boolean stopped) {
        Path stat = Path.of("/proc", Long.toString(pid()), "stat");
        if (!Files.isReadable(stat)) {
            return;
        }
        long deadline = System.nanoTime() + SIGNAL_STATE_WAIT.toNanos();
        while (process.isAlive() && isStopped(stat) != stopped) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + name + " (pid " + pid() + ") is still "
                        + (stopped ? "running" : "stopped") + " " + SIGNAL_STATE_WAIT + " after SIG"
                        + (stopped ? "STOP" : "CONT") + "; check whether a debugger or tracer holds it");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static boolean isStopped(Path stat) {
        try {
            String line = Files.readString(stat);
            // Format: pid (command) state ...; the command may itself contain spaces or parentheses.
            char state = line.charAt(line.lastIndexOf(')') + 2);
            return state == 'T' || state == 't';
        } catch (IOException e) {
            return false;
        }
    }

    private void sleepBeforeRetry(long deadline) {
        long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
        try {
            Thread.sleep(Math.max(1, Math.min(HTTP_RETRY_INTERVAL.toMillis(), remainingMillis)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for node " + name, e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    /**
     * How to launch a node. Reusable: every {@link #start()} launches a new process with the same
     * settings, appending to the same log file, which is how tests restart a killed node.
     */
    public static final class Builder {
        private final String name;
        /** Exactly one of jar and mainClass is set before start. */
        private @Nullable Path jar;

        private @Nullable String mainClass;
        private List<Path> classpath = List.of();
        private String maxHeap = "256m";
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final List<String> arguments = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private @Nullable Path workingDirectory;
        private Path logFile;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name must not be null");
            this.logFile = Path.of("target", "node-logs", name + ".log");
        }

        /** Runs {@code java -jar jar}. */
        public Builder jar(Path jar) {
            this.jar = Objects.requireNonNull(jar, "jar must not be null");
            this.mainClass = null;
            return this;
        }

        /** Runs {@code java -cp classpath mainClass} instead of a jar. */
        public Builder mainClass(String mainClass, List<Path> classpath) {
            this.mainClass = Objects.requireNonNull(mainClass, "mainClass must not be null");
            this.classpath = List.copyOf(classpath);
            this.jar = null;
            return this;
        }

        /** The {@code -Xmx} value; 256m unless set. Every node of a local cluster needs a limit. */
        public Builder maxHeap(String maxHeap) {
            this.maxHeap = Objects.requireNonNull(maxHeap, "maxHeap must not be null");
            return this;
        }

        /** An extra JVM option, such as {@code -XX:+UseSerialGC}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(Objects.requireNonNull(option, "option must not be null"));
            return this;
        }

        /** A {@code -Dname=value} system property. */
        public Builder systemProperty(String name, String value) {
            systemProperties.put(
                    Objects.requireNonNull(name, "name must not be null"),
                    Objects.requireNonNull(value, "value of system property " + name + " must not be null"));
            return this;
        }

        /** Program arguments, after the jar or main class. */
        public Builder arguments(String... arguments) {
            this.arguments.addAll(List.of(arguments));
            return this;
        }

        /** An environment variable, on top of the environment this JVM inherited. */
        public Builder environment(String name, String value) {
            environment.put(
                    Objects.requireNonNull(name, "name must not be null"),
                    Objects.requireNonNull(value, "value of environment variable " + name + " must not be null"));
            return this;
        }

        public Builder workingDirectory(Path directory) {
            this.workingDirectory = Objects.requireNonNull(directory, "directory must not be null");
            return this;
        }

        /** Where stdout and stderr go; {@code target/node-logs/<name>.log} unless set. */
        public Builder logFile(Path logFile) {
            this.logFile = Objects.requireNonNull(logFile, "logFile must not be null");
            return this;
        }

        /** The command line {@link #start()} runs. */
        public List<String> command() {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx" + maxHeap);
            command.addAll(jvmOptions);
            systemProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
            if (jar != null) {
                command.add("-jar");
                command.add(jar.toString());
            } else if (mainClass != null) {
                command.add("-cp");
                command.add(String.join(
                        File.pathSeparator,
                        classpath.stream().map(Path::toString).toList()));
                command.add(mainClass);
            } else {
                throw new IllegalStateException(
                        "node " + name + " has nothing to run: call jar(...) or mainClass(...) first");
            }
            command.addAll(arguments);
            return command;
        }

        /** Launches the process; it runs until killed or stopped, or until the test JVM exits. */
        public NodeProcess start() {
            if (jar != null && !Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("jar " + jar.toAbsolutePath() + " for node " + name
                        + " does not exist; build it first (./mvnw -o -q -pl <module> -am package -DskipTests)");
            }
            List<String> command = command();
            try {
                Path parent = logFile.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Files.writeString(
                        logFile,
                        "=== " + Instant.now() + " starting node " + name + ": " + String.join(" ", command)
                                + System.lineSeparator(),
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.PIPE);
                if (workingDirectory != null) {
                    builder.directory(workingDirectory.toFile());
                }
                builder.environment().putAll(environment);
                Process process = builder.start();
                RUNNING.add(process);
                process.onExit().thenRun(() -> RUNNING.remove(process));
                return new NodeProcess(name, process, logFile);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "could not start node " + name + " with " + String.join(" ", command)
                                + "; check that the log file " + logFile
                                + " is writable and the working directory exists",
                        e);
            }
        }
    }
}
