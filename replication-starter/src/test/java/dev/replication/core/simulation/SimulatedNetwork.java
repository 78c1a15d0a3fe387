package dev.replication.core.simulation;

import dev.replication.core.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Messages in flight between simulated nodes. Each message becomes deliverable at a random
 * tick within the current delay bound; any deliverable one may be delivered next (reordering).
 * Loss and duplication happen at send time; partitions drop messages on blocked links.
 */
public final class SimulatedNetwork {

    private record InFlight(Message message, long deliverableAt) {}

    private final RandomGenerator random;
    private final List<InFlight> inFlight = new ArrayList<>();
    private final Set<String> blockedLinks = new HashSet<>();
    private double lossRate;
    private double duplicationRate;
    private int maxDelayTicks;
    private long now;

    public SimulatedNetwork(RandomGenerator random) {
        this.random = random;
    }

    public void setFaults(double lossRate, double duplicationRate, int maxDelayTicks) {
        this.lossRate = lossRate;
        this.duplicationRate = duplicationRate;
        this.maxDelayTicks = maxDelayTicks;
    }

    public void advanceTo(long tick) {
        now = tick;
    }

    public void send(Message message) {
        if (random.nextDouble() < lossRate) {
            return;
        }
        enqueue(message);
        if (random.nextDouble() < duplicationRate) {
            enqueue(message);
        }
    }

    private void enqueue(Message message) {
        long delay = maxDelayTicks == 0 ? 0 : random.nextInt(maxDelayTicks + 1);
        inFlight.add(new InFlight(message, now + delay));
    }

    /** Blocks messages from {@code from} to {@code to} (one direction). */
    public void block(String from, String to) {
        blockedLinks.add(from + ">" + to);
    }

    public void healPartitions() {
        blockedLinks.clear();
    }

    public boolean isBlocked(String from, String to) {
        return !blockedLinks.isEmpty() && blockedLinks.contains(from + ">" + to);
    }

    public Set<String> blockedLinks() {
        return Set.copyOf(blockedLinks);
    }

    public int size() {
        return inFlight.size();
    }

    /**
     * Removes and returns a random deliverable message whose receiver {@code accepts}, or null
     * if none. Messages on a blocked link are dropped when picked.
     */
    public Message takeDeliverable(java.util.function.Predicate<String> acceptsReceiver) {
        int candidates = 0;
        for (InFlight message : inFlight) {
            if (message.deliverableAt() <= now
                    && acceptsReceiver.test(message.message().to())) {
                candidates++;
            }
        }
        if (candidates == 0) {
            return null;
        }
        int chosen = random.nextInt(candidates);
        for (int i = 0; i < inFlight.size(); i++) {
            InFlight message = inFlight.get(i);
            if (message.deliverableAt() <= now
                    && acceptsReceiver.test(message.message().to())
                    && chosen-- == 0) {
                inFlight.remove(i);
                if (isBlocked(message.message().from(), message.message().to())) {
                    return null;
                }
                return message.message();
            }
        }
        return null;
    }

    /** Removes every deliverable message whose receiver {@code accepts}, in send order. */
    public List<Message> takeAllDeliverable(java.util.function.Predicate<String> acceptsReceiver) {
        List<Message> taken = new ArrayList<>();
        List<InFlight> kept = new ArrayList<>();
        for (InFlight message : inFlight) {
            if (message.deliverableAt() <= now
                    && acceptsReceiver.test(message.message().to())) {
                if (!isBlocked(message.message().from(), message.message().to())) {
                    taken.add(message.message());
                }
            } else {
                kept.add(message);
            }
        }
        inFlight.clear();
        inFlight.addAll(kept);
        return taken;
    }
}
