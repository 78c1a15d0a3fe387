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
 * Loss and duplication happen at send time; partitions drop messages on blocked links. An {@link
 * dev.replication.core.InstallSnapshot} travels with the snapshot's data attached, as the
 * runtime's transport streams it beside the message.
 */
public final class SimulatedNetwork {

    /** A message as it arrives, with the snapshot attached to an install (null otherwise). */
    public record Delivery(Message message, SimulatedSnapshot snapshot) {}

    private record InFlight(Delivery delivery, long deliverableAt) {
        Message message() {
            return delivery.message();
        }
    }

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
        send(message, null);
    }

    /** Sends {@code message} with {@code snapshot} attached (null: none). */
    public void send(Message message, SimulatedSnapshot snapshot) {
        if (random.nextDouble() < lossRate) {
            return;
        }
        Delivery delivery = new Delivery(message, snapshot);
        enqueue(delivery);
        if (random.nextDouble() < duplicationRate) {
            enqueue(delivery);
        }
    }

    private void enqueue(Delivery delivery) {
        long delay = maxDelayTicks == 0 ? 0 : random.nextInt(maxDelayTicks + 1);
        inFlight.add(new InFlight(delivery, now + delay));
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
    public Delivery takeDeliverable(java.util.function.Predicate<String> acceptsReceiver) {
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
                return message.delivery();
            }
        }
        return null;
    }

    /** Removes every deliverable message whose receiver {@code accepts}, in send order. */
    public List<Delivery> takeAllDeliverable(java.util.function.Predicate<String> acceptsReceiver) {
        List<Delivery> taken = new ArrayList<>();
        List<InFlight> kept = new ArrayList<>();
        for (InFlight message : inFlight) {
            if (message.deliverableAt() <= now
                    && acceptsReceiver.test(message.message().to())) {
                if (!isBlocked(message.message().from(), message.message().to())) {
                    taken.add(message.delivery());
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
