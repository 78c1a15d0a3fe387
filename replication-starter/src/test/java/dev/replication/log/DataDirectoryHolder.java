package dev.replication.log;

import java.nio.file.Path;

/** Child process of {@link DataDirectoryTest}: holds a data directory open until its stdin closes. */
public final class DataDirectoryHolder {

    private DataDirectoryHolder() {}

    public static void main(String[] args) throws Exception {
        try (DataDirectory ignored = DataDirectory.open(Path.of(args[0]), "c1", "n1")) {
            System.out.println("LOCKED");
            System.out.flush();
            while (System.in.read() >= 0) {
                // Wait for the parent to close our stdin.
            }
        }
    }
}
