package dev.replication.testsupport.history;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Runs a real sequential register per key (a map) under an interleaving of concurrent clients
 * chosen by {@link Choices}, recording every operation with {@link History}. Each operation takes
 * effect at one step between its invocation and its completion, so the recorded history is
 * linearizable by construction. Some operations fail before taking effect, and some end with an
 * unknown outcome, having taken effect or not.
 */
final class ConcurrentRegisterRun {

    /** The source of every scheduling and operation choice. */
    interface Choices {
        boolean hasNext();

        /** A choice in {@code [0, bound)}. */
        int next(int bound);

        /** Replays {@code values}; once they are used up, every choice is 0. Shrinks well under jqwik. */
        static Choices of(List<Integer> values) {
            return new Choices() {
                private int position;

                @Override
                public boolean hasNext() {
                    return position < values.size();
                }

                @Override
                public int next(int bound) {
                    return position < values.size() ? values.get(position++) % bound : 0;
                }
            };
        }

        static Choices random(long seed) {
            Random random = new Random(seed);
            return new Choices() {
                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public int next(int bound) {
                    return random.nextInt(bound);
                }
            };
        }
    }

    private final Choices choices;
    private final int keys;
    private final History history = new History();
    private final Map<String, String> register = new HashMap<>();
    private final Client[] clients;
    private int lastValue;

    private ConcurrentRegisterRun(Choices choices, int clientCount, int keys) {
        this.choices = choices;
        this.keys = keys;
        this.clients = new Client[clientCount];
        for (int i = 0; i < clientCount; i++) {
            clients[i] = new Client("c" + i);
        }
    }

    /** Runs until the choices or {@code maxOperations} invocations are used up, then completes every operation in flight. */
    static List<OperationRecord> run(Choices choices, int clientCount, int keys, int maxOperations) {
        return new ConcurrentRegisterRun(choices, clientCount, keys).run(maxOperations);
    }

    private List<OperationRecord> run(int maxOperations) {
        int invoked = 0;
        while (choices.hasNext() && invoked < maxOperations) {
            Client client = clients[choices.next(clients.length)];
            if (client.pending == null) {
                client.operation = nextOperation();
                client.pending = history.invoke(client.name, client.operation);
                invoked++;
            } else if (!client.applied) {
                int fate = choices.next(20);
                if (fate == 0) {
                    client.pending.failed();
                    client.reset();
                } else if (fate == 1) {
                    client.pending.unknown();
                    client.reset();
                } else {
                    client.takeEffect();
                }
            } else {
                if (choices.next(20) == 0) {
                    client.pending.unknown();
                } else {
                    client.pending.ok(client.result);
                }
                client.reset();
            }
        }
        for (Client client : clients) {
            if (client.pending != null) {
                if (!client.applied) {
                    client.takeEffect();
                }
                client.pending.ok(client.result);
            }
        }
        return history.operations();
    }

    private Operation nextOperation() {
        String key = "k" + choices.next(keys);
        int kind = choices.next(10);
        if (kind < 4) {
            return new Operation.Write(key, freshValue());
        }
        if (kind < 7) {
            return new Operation.Read(key);
        }
        if (kind < 9) {
            String expected;
            int which = choices.next(3);
            if (which == 0) {
                expected = register.get(key);
            } else if (which == 1) {
                expected = null;
            } else {
                expected = lastValue == 0 ? null : "v" + (1 + choices.next(lastValue));
            }
            return new Operation.CompareAndSet(key, expected, freshValue());
        }
        return new Operation.Delete(key);
    }

    private String freshValue() {
        lastValue++;
        return "v" + lastValue;
    }

    private final class Client {
        final String name;
        History.Pending pending;
        Operation operation;
        boolean applied;
        Object result;

        Client(String name) {
            this.name = name;
        }

        /** Applies the operation to the register at this step: its linearization point. */
        void takeEffect() {
            String key = operation.key();
            if (operation instanceof Operation.Write write) {
                register.put(key, write.value());
                result = null;
            } else if (operation instanceof Operation.Read) {
                result = register.get(key);
            } else if (operation instanceof Operation.CompareAndSet cas) {
                boolean matches = Objects.equals(register.get(key), cas.expected());
                if (matches) {
                    register.put(key, cas.value());
                }
                result = matches;
            } else {
                register.remove(key);
                result = null;
            }
            applied = true;
        }

        void reset() {
            pending = null;
            operation = null;
            applied = false;
            result = null;
        }
    }
}
