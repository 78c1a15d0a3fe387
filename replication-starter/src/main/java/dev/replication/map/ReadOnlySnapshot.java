package dev.replication.map;

import java.util.AbstractCollection;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The read-only snapshot collections behind a replicated map's {@code keySet()},
 * {@code values()} and {@code entrySet()}: every mutation fails with a message that says to
 * write through the map, because changing a snapshot could not change the replicated state.
 */
final class ReadOnlySnapshot {

    private ReadOnlySnapshot() {}

    static <E> Collection<E> collection(String mapName, String view, List<E> items) {
        return new SnapshotCollection<>(mapName, view, items);
    }

    static <E> java.util.Set<E> set(String mapName, String view, List<E> distinctItems) {
        return new SnapshotSet<>(mapName, view, distinctItems);
    }

    static <K, V> Map.Entry<K, V> entry(String mapName, K key, V value) {
        return new SnapshotEntry<>(mapName, key, value);
    }

    static UnsupportedOperationException refusal(String mapName, String view) {
        return new UnsupportedOperationException(view + "() of replicated map '" + mapName
                + "' is a read-only snapshot; write through the map instead (put, remove, compute, ...)");
    }

    private static final class SnapshotCollection<E> extends AbstractCollection<E> {
        private final String mapName;
        private final String view;
        private final List<E> items;

        SnapshotCollection(String mapName, String view, List<E> items) {
            this.mapName = mapName;
            this.view = view;
            this.items = List.copyOf(items);
        }

        @Override
        public Iterator<E> iterator() {
            return new SnapshotIterator<>(items.iterator(), mapName, view);
        }

        @Override
        public int size() {
            return items.size();
        }

        @Override
        public boolean add(E item) {
            throw refusal(mapName, view);
        }

        @Override
        public boolean addAll(Collection<? extends E> items) {
            throw refusal(mapName, view);
        }

        @Override
        public boolean remove(Object item) {
            throw refusal(mapName, view);
        }

        @Override
        public boolean removeAll(Collection<?> items) {
            throw refusal(mapName, view);
        }

        @Override
        public boolean retainAll(Collection<?> items) {
            throw refusal(mapName, view);
        }

        @Override
        public boolean removeIf(Predicate<? super E> filter) {
            throw refusal(mapName, view);
        }

        @Override
        public void clear() {
            throw refusal(mapName, view);
        }
    }

    private static final class SnapshotSet<E> extends AbstractSet<E> {
        private final SnapshotCollection<E> items;

        SnapshotSet(String mapName, String view, List<E> distinctItems) {
            this.items = new SnapshotCollection<>(mapName, view, distinctItems);
        }

        @Override
        public Iterator<E> iterator() {
            return items.iterator();
        }

        @Override
        public int size() {
            return items.size();
        }

        @Override
        public boolean add(E item) {
            return items.add(item);
        }

        @Override
        public boolean addAll(Collection<? extends E> added) {
            return items.addAll(added);
        }

        @Override
        public boolean remove(Object item) {
            return items.remove(item);
        }

        @Override
        public boolean removeAll(Collection<?> removed) {
            return items.removeAll(removed);
        }

        @Override
        public boolean retainAll(Collection<?> retained) {
            return items.retainAll(retained);
        }

        @Override
        public boolean removeIf(Predicate<? super E> filter) {
            return items.removeIf(filter);
        }

        @Override
        public void clear() {
            items.clear();
        }
    }

    private record SnapshotIterator<E>(Iterator<E> delegate, String mapName, String view) implements Iterator<E> {
        @Override
        public boolean hasNext() {
            return delegate.hasNext();
        }

        @Override
        public E next() {
            return delegate.next();
        }

        @Override
        public void remove() {
            throw refusal(mapName, view);
        }
    }

    private record SnapshotEntry<K, V>(String mapName, K key, V value) implements Map.Entry<K, V> {
        @Override
        public K getKey() {
            return key;
        }

        @Override
        public V getValue() {
            return value;
        }

        @Override
        public V setValue(V newValue) {
            throw refusal(mapName, "entrySet");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Map.Entry<?, ?> that
                    && Objects.equals(key, that.getKey())
                    && Objects.equals(value, that.getValue());
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(key) ^ Objects.hashCode(value);
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }
}
