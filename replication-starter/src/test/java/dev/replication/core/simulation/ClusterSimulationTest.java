package dev.replication.core.simulation;

import org.junit.jupiter.api.Test;

/**
 * Runs the randomized simulation over many seeds. Defaults fit the build's budget for the
 * simulator; {@code -Dsim.seeds=N -Dsim.steps=N} run longer soaks, {@code -Dsim.seed=S} replays
 * one seed, {@code -Dsim.firstSeed=S} shifts the range.
 */
class ClusterSimulationTest {

    static final int DEFAULT_SEEDS = 1_000;
    static final int DEFAULT_STEPS = 3_000;

    @Test
    void everySeedKeepsSafetyLivenessAndLinearizability() {
        Long single = Long.getLong("sim.seed");
        int seeds = single != null ? 1 : Integer.getInteger("sim.seeds", DEFAULT_SEEDS);
        int steps = Integer.getInteger("sim.steps", DEFAULT_STEPS);
        long first = single != null ? single : Long.getLong("sim.firstSeed", 1L);
        long started = System.nanoTime();
        for (long seed = first; seed < first + seeds; seed++) {
            runSeed(seed, steps);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("simulation: %d seeds x %d steps in %.1f s: %.0f seeds/s, %.0f steps/s%n",
                seeds, steps, seconds, seeds / seconds, seeds * (double) steps / seconds);
    }

    static void runSeed(long seed, int steps) {
        int nodeCount = seed % 2 == 0 ? 3 : 5;
        ClusterSimulation simulation = new ClusterSimulation(seed, nodeCount);
        try {
            simulation.run(steps);
            if (seed % 100 == 0 || Long.getLong("sim.seed") != null) {
                System.out.println(simulation.summary());
            }
        } catch (RuntimeException | AssertionError failure) {
            throw new AssertionError("simulation seed " + seed + " (" + nodeCount + " nodes, " + steps
                    + " steps) failed: " + failure.getMessage() + "\nreplay: ./mvnw -o -pl replication-starter -am verify"
                    + " -Dtest=ClusterSimulationTest -Dsurefire.failIfNoSpecifiedTests=false -Dsim.seed=" + seed
                    + " -Dsim.steps=" + steps + "\nlast steps:\n" + simulation.traceText(), failure);
        }
    }
}
