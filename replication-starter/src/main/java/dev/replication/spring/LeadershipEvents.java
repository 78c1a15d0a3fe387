package dev.replication.spring;

import dev.replication.api.LeadershipGrantedEvent;
import dev.replication.api.LeadershipRevokedEvent;
import dev.replication.core.Role;
import dev.replication.core.RoleState;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Turns the node's role changes into {@link LeadershipGrantedEvent} / {@link
 * LeadershipRevokedEvent}, published in order on a thread of their own so a slow listener never
 * stalls replication. Every grant is followed by its revocation, also when the node shuts down
 * while leading: {@link #close()} waits for the events still queued.
 */
final class LeadershipEvents implements Consumer<RoleState>, AutoCloseable {

    private final String nodeId;
    private final ApplicationEventPublisher publisher;
    private final ExecutorService executor;
    // Touched only on the executor's thread.
    private long leading = -1;

    LeadershipEvents(String nodeId, ApplicationEventPublisher publisher) {
        this.nodeId = nodeId;
        this.publisher = publisher;
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "replication-events-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void accept(RoleState state) {
        executor.execute(() -> publish(state));
    }

    private void publish(RoleState state) {
        boolean nowLeading = state.role() == Role.LEADER;
        if (leading >= 0 && (!nowLeading || state.generation() != leading)) {
            publisher.publishEvent(new LeadershipRevokedEvent(nodeId, leading));
            leading = -1;
        }
        if (nowLeading && leading < 0) {
            leading = state.generation();
            publisher.publishEvent(new LeadershipGrantedEvent(nodeId, state.generation()));
        }
    }

    /** Revokes leadership still held (the node is stopping) and waits for queued events. */
    @Override
    public void close() {
        executor.execute(() -> publish(new RoleState(Role.FOLLOWER, null, 0)));
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
