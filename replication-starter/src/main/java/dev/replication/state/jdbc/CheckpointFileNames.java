package dev.replication.state.jdbc;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which database file of a checkpoint directory is current: the file {@code CURRENT} names it
 * ({@code checkpoint-<n>}) with its compact size; without it, {@code checkpoint} (a directory from
 * before rewrites).
 * {@code CURRENT} is replaced atomically (written aside, forced, renamed, directory synced), so it
 * always names a whole database.
 */
final class CheckpointFileNames {

    static final String POINTER = "CURRENT";
    static final String FIRST = "checkpoint";
    static final String REWRITE_EXPORT = "rewrite.snap";

    private static final Pattern NAME = Pattern.compile("checkpoint(?:-(\\d{1,18}))?");
    private static final List<String> SUFFIXES = List.of(".mv.db", ".lock.db", ".trace.db", ".mv.db.tempFile");

    private CheckpointFileNames() {}

    /**
     * The current database of a directory and its size right after it was last written whole
     * (0 when unknown: a directory from before rewrites, or a new one).
     */
    record Current(String name, long compactBytes) {}

    /** The current database in {@code directory}. */
    static Current current(Path directory) throws IOException {
        Path pointer = directory.resolve(POINTER);
        if (!Files.exists(pointer)) {
            return new Current(FIRST, 0);
        }
        String[] fields =
                Files.readString(pointer, StandardCharsets.UTF_8).trim().split(" ");
        if (fields.length != 2 || !NAME.matcher(fields[0]).matches() || !fields[1].matches("\\d{1,18}")) {
            throw new IOException(pointer + " holds '" + String.join(" ", fields) + "', not a checkpoint database"
                    + " name and size: the file was damaged; move the checkpoint directory away and let the node"
                    + " rebuild its state from a peer");
        }
        return new Current(fields[0], Long.parseLong(fields[1]));
    }

    /** The name the rewrite of {@code current} gets. */
    static String next(String current) {
        Matcher matcher = NAME.matcher(current);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a checkpoint database name: " + current);
        }
        long generation = matcher.group(1) == null ? 0 : Long.parseLong(matcher.group(1));
        return FIRST + "-" + (generation + 1);
    }

    /** Makes {@code name} (of {@code compactBytes}) the current database, durably. */
    static void point(Path directory, String name, long compactBytes) throws IOException {
        Path temp = directory.resolve(POINTER + ".tmp");
        try (FileChannel channel = FileChannel.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(
                    java.nio.ByteBuffer.wrap((name + " " + compactBytes + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        Files.move(temp, directory.resolve(POINTER), StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** Deletes every database file but {@code keep}'s, and a rewrite's export. */
    static void deleteAllBut(Path directory, String keep) throws IOException {
        Files.deleteIfExists(directory.resolve(REWRITE_EXPORT));
        Files.deleteIfExists(directory.resolve(POINTER + ".tmp"));
        try (var listing = Files.list(directory)) {
            for (Path file : listing.toList()) {
                String fileName = file.getFileName().toString();
                for (String suffix : SUFFIXES) {
                    if (fileName.endsWith(suffix)) {
                        String base = fileName.substring(0, fileName.length() - suffix.length());
                        if (NAME.matcher(base).matches() && !base.equals(keep)) {
                            Files.deleteIfExists(file);
                        }
                    }
                }
            }
        }
    }
}
