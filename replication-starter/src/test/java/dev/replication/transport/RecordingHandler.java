package dev.replication.transport;

import dev.replication.core.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/** An {@link InboundHandler} for tests: records messages and answers calls by a function. */
final class RecordingHandler implements InboundHandler {

    private static final BiFunction<String, byte[], CompletableFuture<byte[]>> ECHO =
            (operation, body) -> CompletableFuture.completedFuture(body);

    final List<Message> messages = Collections.synchronizedList(new ArrayList<>());
    final List<String> deliveryThreads = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger calls = new AtomicInteger();
    private volatile BiFunction<String, byte[], CompletableFuture<byte[]>> answer = ECHO;
    private volatile Consumer<Message> beforeRecording = message -> {};

    /** Answers calls with {@code answer(operation, body)} instead of echoing the body. */
    RecordingHandler answering(BiFunction<String, byte[], CompletableFuture<byte[]>> answer) {
        this.answer = answer;
        return this;
    }

    /** Runs {@code action} on every message before recording it (it may block, to simulate a slow node). */
    RecordingHandler beforeRecording(Consumer<Message> action) {
        this.beforeRecording = action;
        return this;
    }

    /** Forgets everything and goes back to echoing calls. */
    void reset() {
        answer = ECHO;
        beforeRecording = message -> {};
        messages.clear();
        deliveryThreads.clear();
        calls.set(0);
    }

    @Override
    public void onMessage(Message message) {
        beforeRecording.accept(message);
        deliveryThreads.add(Thread.currentThread().getName());
        messages.add(message);
    }

    @Override
    public CompletableFuture<byte[]> onCall(String fromPeer, String operation, byte[] body) {
        calls.incrementAndGet();
        return answer.apply(operation, body);
    }

    /** Messages received from {@code from}, in arrival order. */
    List<Message> from(String from) {
        synchronized (messages) {
            return messages.stream()
                    .filter(message -> message.from().equals(from))
                    .toList();
        }
    }
}
