package dev.replication.core.simulation;

import java.util.ArrayDeque;
import java.util.Deque;

/** The last steps of a simulation, kept to print with a failure. */
final class Trace {

    private static final int LINES = 60;

    private record Line(long step, long tick, String action, Object subject) {
        @Override
        public String toString() {
            return "#" + step + " t" + tick + " " + action + (subject == null ? "" : " " + subject);
        }
    }

    private final Deque<Line> lines = new ArrayDeque<>();

    void add(long step, long tick, String action, Object subject) {
        if (lines.size() == LINES) {
            lines.removeFirst();
        }
        lines.addLast(new Line(step, tick, action, subject));
    }

    /** Oldest first, one per line. */
    String text() {
        StringBuilder text = new StringBuilder();
        for (Line line : lines) {
            text.append("  ").append(line).append('\n');
        }
        return text.toString();
    }
}
