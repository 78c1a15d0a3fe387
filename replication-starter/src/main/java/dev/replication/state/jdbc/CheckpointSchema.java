package dev.replication.state.jdbc;

import dev.replication.state.CheckpointStoreException;
import java.nio.file.Path;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The tables of the checkpoint database, created by the store itself, and their version: a
 * database of another version (another release wrote it) is refused, never read or migrated
 * silently.
 */
final class CheckpointSchema {

    /** The only version this release reads and writes. */
    static final int VERSION = 1;

    private static final List<String> TABLES = List.of(
            "CREATE TABLE SCHEMA_VERSION (VERSION INT NOT NULL)",
            "CREATE TABLE CHECKPOINT_HEADER (ID INT PRIMARY KEY, APPLIED_INDEX BIGINT NOT NULL,"
                    + " APPLIED_GENERATION BIGINT NOT NULL, LAST_TIMESTAMP BIGINT NOT NULL, RETENTION_MILLIS BIGINT,"
                    + " MAX_IDEMPOTENCY_KEYS INT, MAX_SESSION_BYTES BIGINT, EVICTED_IDEMPOTENCY_KEYS BIGINT NOT NULL,"
                    + " CONFIGURATION_INDEX BIGINT, CONFIGURATION VARBINARY, NEXT_ANSWER_ORDER BIGINT NOT NULL)",
            "CREATE TABLE MAP_ENTRY (MAP_NAME VARCHAR NOT NULL, ENTRY_KEY VARBINARY NOT NULL,"
                    + " ENTRY_VALUE VARBINARY NOT NULL, VERSION BIGINT NOT NULL, STAMP BIGINT NOT NULL,"
                    + " PRIMARY KEY (MAP_NAME, ENTRY_KEY))",
            "CREATE TABLE CLIENT_SESSION (CLIENT_ID VARCHAR PRIMARY KEY, LAST_ACTIVE_MILLIS BIGINT NOT NULL,"
                    + " FIRST_RETAINED BIGINT NOT NULL, TOUCH_ORDER BIGINT NOT NULL, ANSWERS VARBINARY NOT NULL)",
            "CREATE TABLE IDEMPOTENCY_ANSWER (DIGEST_HIGH BIGINT NOT NULL, DIGEST_LOW BIGINT NOT NULL,"
                    + " FINGERPRINT BIGINT NOT NULL, STATUS INT NOT NULL, VERSION BIGINT NOT NULL, STAMP BIGINT NOT NULL,"
                    + " BEFORE_VERSION BIGINT NOT NULL, APPLIED_AT_MILLIS BIGINT NOT NULL, ANSWER_ORDER BIGINT NOT NULL,"
                    + " PRIMARY KEY (DIGEST_HIGH, DIGEST_LOW))",
            "CREATE INDEX IDEMPOTENCY_ANSWER_ORDER ON IDEMPOTENCY_ANSWER (ANSWER_ORDER)");

    private CheckpointSchema() {}

    /**
     * Creates the tables in an empty database, or checks the version of an existing one.
     *
     * @return true when the tables were created now
     * @throws CheckpointStoreException when the database holds another schema version, or tables
     *     that are not a checkpoint's
     */
    static boolean createOrVerify(JdbcTemplate jdbc, Path file) {
        List<String> tables = jdbc.queryForList(
                "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC'", String.class);
        if (tables.isEmpty()) {
            TABLES.forEach(jdbc::execute);
            jdbc.update("INSERT INTO SCHEMA_VERSION (VERSION) VALUES (?)", VERSION);
            return true;
        }
        if (!tables.contains("SCHEMA_VERSION")) {
            throw new CheckpointStoreException("the database " + file + " is not a checkpoint database (it has tables "
                    + tables + " but no schema version): move it away, the node rebuilds its state from the log"
                    + " or a peer's snapshot");
        }
        List<Integer> versions = jdbc.queryForList("SELECT VERSION FROM SCHEMA_VERSION", Integer.class);
        if (versions.size() != 1 || versions.get(0) != VERSION) {
            throw new CheckpointStoreException("the checkpoint database " + file + " has schema version "
                    + versions + ", this release reads only version " + VERSION
                    + ": it was written by another release. Run the release that wrote it, or move the database"
                    + " away so the node rebuilds its state from the log or a peer's snapshot");
        }
        return false;
    }
}
