/**
 * The one binary reader and writer behind every internal format: state commands, envelopes,
 * results and snapshots ({@code state}), peer messages ({@code transport}) and forwarded
 * commands ({@code runtime}).
 *
 * <p>{@link dev.replication.codec.BinaryWriter} writes fixed-width big-endian fields, unsigned
 * variable-length numbers and length-prefixed bytes and strings;
 * {@link dev.replication.codec.BinaryReader} reads them back and checks every length against
 * the bytes left, so corrupt or truncated input fails with a
 * {@link dev.replication.codec.MalformedEncodingException} naming the format, the field and the
 * offset instead of allocating garbage. The package owns no layout: each format's owner decides
 * which fields come in which order. It is a leaf: it imports nothing of the project.
 */
@NullMarked
package dev.replication.codec;

import org.jspecify.annotations.NullMarked;
