package dev.replication.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class BinaryCodecProperties {

    @Property(tries = 300)
    void everyKindOfFieldSurvivesARoundTripInOrder(
            @ForAll long fixed,
            @ForAll int number,
            @ForAll long varying,
            @ForAll byte[] payload,
            @ForAll String text,
            @ForAll boolean flag) {
        byte[] bytes = writeRecord(fixed, number, varying, payload, text, flag);

        BinaryReader in = new BinaryReader(bytes, "record", "n/a");
        assertThat(in.readLong("fixed")).isEqualTo(fixed);
        assertThat(in.readInt("number")).isEqualTo(number);
        assertThat(in.readVarLong("varying")).isEqualTo(varying);
        assertThat(in.readBytes("payload")).isEqualTo(payload);
        assertThat(in.readVarBytes("var payload")).isEqualTo(payload);
        assertThat(in.readString("text")).isEqualTo(text);
        assertThat(in.readVarString("var text")).isEqualTo(text);
        assertThat(in.readModifiedUtf8("modified text")).isEqualTo(text);
        assertThat(in.readBoolean("flag")).isEqualTo(flag);
        in.requireEnd();
    }

    @Property(tries = 300)
    void everyTruncationIsMalformedNeverAnotherFailure(
            @ForAll long fixed,
            @ForAll int number,
            @ForAll long varying,
            @ForAll byte[] payload,
            @ForAll String text,
            @ForAll boolean flag,
            @ForAll("fractions") double cut) {
        byte[] bytes = writeRecord(fixed, number, varying, payload, text, flag);
        byte[] truncated = Arrays.copyOf(bytes, (int) (bytes.length * cut));

        assertThatThrownBy(() -> readRecord(truncated)).isInstanceOf(MalformedEncodingException.class);
    }

    @Property(tries = 500)
    void arbitraryBytesEitherDecodeOrAreMalformed(@ForAll byte[] garbage) {
        try {
            readRecord(garbage);
        } catch (MalformedEncodingException expected) {
            assertThat(expected.getMessage()).startsWith("malformed record: ").contains(expected.field());
        }
    }

    @Property(tries = 300)
    void modifiedUtf8IsWrittenAsDataOutputWritesIt(@ForAll("anyChars") String text) throws IOException {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        new DataOutputStream(expected).writeUTF(text);

        assertThat(new BinaryWriter(0).writeModifiedUtf8(text).toByteArray()).isEqualTo(expected.toByteArray());
    }

    @Property(tries = 500)
    void modifiedUtf8IsReadAsDataInputReadsIt(@ForAll("modifiedUtf8Bodies") byte[] body) {
        byte[] bytes = new byte[body.length + 2];
        bytes[0] = (byte) (body.length >>> 8);
        bytes[1] = (byte) body.length;
        System.arraycopy(body, 0, bytes, 2, body.length);
        String expected;
        try {
            expected = new DataInputStream(new ByteArrayInputStream(bytes)).readUTF();
        } catch (IOException refused) {
            assertThatThrownBy(() -> new BinaryReader(bytes, "record", "n/a").readModifiedUtf8("s"))
                    .isInstanceOf(MalformedEncodingException.class);
            return;
        }
        assertThat(new BinaryReader(bytes, "record", "n/a").readModifiedUtf8("s"))
                .isEqualTo(expected);
    }

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0.0, 0.999).ofScale(3);
    }

    @Provide
    Arbitrary<String> anyChars() {
        return Arbitraries.strings().all().ofMaxLength(200);
    }

    /** Bytes biased towards the lead and continuation bytes that modified UTF-8 cares about. */
    @Provide
    Arbitrary<byte[]> modifiedUtf8Bodies() {
        Arbitrary<Byte> interesting = Arbitraries.of(
                (byte) 0x00,
                (byte) 0x41,
                (byte) 0x7F,
                (byte) 0x80,
                (byte) 0xBF,
                (byte) 0xC0,
                (byte) 0xC3,
                (byte) 0xDF,
                (byte) 0xE0,
                (byte) 0xED,
                (byte) 0xEF,
                (byte) 0xF0,
                (byte) 0xFF);
        return Arbitraries.oneOf(interesting, Arbitraries.bytes())
                .array(byte[].class)
                .ofMaxSize(12);
    }

    private static byte[] writeRecord(long fixed, int number, long varying, byte[] payload, String text, boolean flag) {
        return new BinaryWriter(0)
                .writeLong(fixed)
                .writeInt(number)
                .writeVarLong(varying)
                .writeBytes(payload)
                .writeVarBytes(payload)
                .writeString(text)
                .writeVarString(text)
                .writeModifiedUtf8(text)
                .writeBoolean(flag)
                .toByteArray();
    }

    private static void readRecord(byte[] bytes) {
        BinaryReader in = new BinaryReader(bytes, "record", "n/a");
        in.readLong("fixed");
        in.readInt("number");
        in.readVarLong("varying");
        in.readBytes("payload");
        in.readVarBytes("var payload");
        in.readString("text");
        in.readVarString("var text");
        in.readModifiedUtf8("modified text");
        in.readBoolean("flag");
        in.requireEnd();
    }
}
