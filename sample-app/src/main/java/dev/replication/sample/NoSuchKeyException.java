package dev.replication.sample;

/** The key is absent (never written, or deleted): answered with 404. */
class NoSuchKeyException extends RuntimeException {

    private final String key;

    NoSuchKeyException(String key) {
        super("No entry for key '" + key + "'. Write it with PUT /kv/" + key + " or list keys with GET /kv?prefix=.");
        this.key = key;
    }

    String key() {
        return key;
    }
}
