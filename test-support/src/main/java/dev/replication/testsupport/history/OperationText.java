package dev.replication.testsupport.history;

import org.jspecify.annotations.Nullable;

/** Renders operations and register values for humans reading a checker verdict. */
final class OperationText {

    private OperationText() {}

    /** For example {@code #12 [t=40..52] c3: read -> "v3"}. */
    static String describe(OperationRecord record) {
        String end = record.outcome() == Outcome.UNKNOWN ? "?" : Long.toString(record.completedAt());
        StringBuilder text = new StringBuilder()
                .append('#')
                .append(record.id())
                .append(" [t=")
                .append(record.invokedAt())
                .append("..")
                .append(end)
                .append("] ")
                .append(record.client())
                .append(": ");
        Operation operation = record.operation();
        if (operation instanceof Operation.Write write) {
            text.append("write ").append(value(write.value()));
        } else if (operation instanceof Operation.Delete) {
            text.append("delete");
        } else if (operation instanceof Operation.Read) {
            text.append("read -> ").append(record.outcome() == Outcome.OK ? value((String) record.result()) : "?");
        } else if (operation instanceof Operation.CompareAndSet cas) {
            text.append("compare-and-set ")
                    .append(value(cas.expected()))
                    .append(" to ")
                    .append(value(cas.value()));
            if (record.outcome() == Outcome.OK) {
                text.append(Boolean.TRUE.equals(record.result()) ? " -> succeeded" : " -> failed");
            }
        }
        if (record.outcome() == Outcome.UNKNOWN) {
            text.append(" (outcome unknown)");
        } else if (record.outcome() == Outcome.FAILED) {
            text.append(" (failed)");
        }
        return text.toString();
    }

    /** A register value: quoted, or {@code absent}. */
    static String value(@Nullable String value) {
        return value == null ? "absent" : quote(value);
    }

    static String quote(String text) {
        return '"' + text + '"';
    }
}
