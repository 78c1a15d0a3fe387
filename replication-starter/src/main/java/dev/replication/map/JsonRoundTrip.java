package dev.replication.map;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Whether JSON written, read back and written again still says the same: equal bytes, or failing
 * that equal trees with the order of object properties and of array elements ignored (a set read
 * back into a {@code HashSet} may come out in another order and has lost nothing).
 */
final class JsonRoundTrip {

    private static final int MAX_JSON_IN_MESSAGE = 200;

    private final JsonMapper mapper;

    JsonRoundTrip(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** Null when {@code again} says what {@code written} said; otherwise both, for an error message. */
    @Nullable
    String difference(byte[] written, byte[] again) {
        if (Arrays.equals(written, again)) {
            return null;
        }
        try {
            if (canonical(mapper.readTree(written)).equals(canonical(mapper.readTree(again)))) {
                return null;
            }
        } catch (JacksonException unreadable) {
            // Not JSON the mapper reads as a tree: only equal bytes could have shown it intact.
        }
        return "was written as " + shorten(written) + " but reads back as " + shorten(again);
    }

    /** Objects with sorted properties, arrays with sorted elements, both recursively. */
    private static String canonical(JsonNode node) {
        if (node.isObject()) {
            Map<String, String> properties = new TreeMap<>();
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                properties.put(property.getKey(), canonical(property.getValue()));
            }
            return "{" + properties + "}";
        }
        if (node.isArray()) {
            List<String> elements = new ArrayList<>(node.size());
            for (JsonNode element : node) {
                elements.add(canonical(element));
            }
            elements.sort(null);
            return "[" + elements + "]";
        }
        return node.toString();
    }

    private static String shorten(byte[] json) {
        String text = new String(json, StandardCharsets.UTF_8);
        return text.length() <= MAX_JSON_IN_MESSAGE ? text : text.substring(0, MAX_JSON_IN_MESSAGE) + "...";
    }
}
