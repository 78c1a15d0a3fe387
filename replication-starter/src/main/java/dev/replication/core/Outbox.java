package dev.replication.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The effects produced since the driver last called {@link Replica#advance(Ready)}: messages
 * in the two send phases, read outcomes and findings to report. {@link #drop(Ready)} removes exactly those a Ready
 * handed out, keeping any produced after it was collected.
 */
final class Outbox {

    private final List<Message> messages = new ArrayList<>();
    private final List<Message> messagesAfterPersist = new ArrayList<>();
    private final List<ReadState> readStates = new ArrayList<>();
    private final List<ReadRejection> readRejections = new ArrayList<>();
    private final List<LostEntries> lostEntries = new ArrayList<>();

    /** A message that depends on nothing unpersisted (leader appends, pre-votes). */
    void send(Message message) {
        messages.add(message);
    }

    /** A message that may leave only after the hard state and entries are durable. */
    void sendAfterPersist(Message message) {
        messagesAfterPersist.add(message);
    }

    void readState(ReadState state) {
        readStates.add(state);
    }

    void readRejection(ReadRejection rejection) {
        readRejections.add(rejection);
    }

    /** A follower proved it lost entries it had acknowledged; reported once. */
    void lostEntries(LostEntries lost) {
        lostEntries.add(lost);
    }

    boolean isEmpty() {
        return messages.isEmpty()
                && messagesAfterPersist.isEmpty()
                && readStates.isEmpty()
                && readRejections.isEmpty()
                && lostEntries.isEmpty();
    }

    List<Message> messages() {
        return messages;
    }

    List<Message> messagesAfterPersist() {
        return messagesAfterPersist;
    }

    List<ReadState> readStates() {
        return readStates;
    }

    List<ReadRejection> readRejections() {
        return readRejections;
    }

    List<LostEntries> lostEntries() {
        return lostEntries;
    }

    void drop(Ready ready) {
        messages.subList(0, ready.messages().size()).clear();
        messagesAfterPersist.subList(0, ready.messagesAfterPersist().size()).clear();
        readStates.subList(0, ready.readStates().size()).clear();
        readRejections.subList(0, ready.readRejections().size()).clear();
        lostEntries.subList(0, ready.lostEntries().size()).clear();
    }
}
