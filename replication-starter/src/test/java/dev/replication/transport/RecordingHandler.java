package dev.replication.transport;

import dev.replication.core.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/** An {@link InboundHandler} for tests: records messages and answers calls by a function. */
final class RecordingHandler implements InboundHandler {

    final List<Message> messages = new CopyOnWriteArrayList<>();
    final List<String> deliveryThreads = new CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();
    private volatile BiFunction<String, byte[], CompletableFuture<byte[]>> answer =
            (operation, body) -> CompletableFuture.completedFuture(body);

    /** Answers calls with {@code answer(operation, body)} instead of echoing the body. */
    RecordingHandler answering(BiFunction<String, byte[], CompletableFuture<byte[]>> answer) {
        this.answer = answer;
        return this;
    }

    @Override
    public void onMessage(Message message) {
        deliveryThreads.add(Thread.currentThread().getName());
        messages.add(message);
    }

    @Override
    public CompletableFuture<byte[]> onCall(String fromPeer, String operation, byte[] body) {
        calls.incrementAndGet();
        return answer.apply(operation, body);
    }

    int received() {
        return messages.size() + calls.get();
    }
}
