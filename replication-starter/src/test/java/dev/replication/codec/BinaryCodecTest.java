package dev.replication.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HexFormat;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class BinaryCodecTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String REMEDY = "check the sender";

    @Test
    void fixedWidthNumbersAreBigEndian() {
        byte[] bytes = new BinaryWriter(0)
                .writeByte(0xAB)
                .writeBoolean(true)
                .writeBoolean(false)
                .writeInt(0x01020304)
                .writeLong(0x05060708090A0B0CL)
                .toByteArray();

        assertThat(HEX.formatHex(bytes)).isEqualTo("ab" + "01" + "00" + "01020304" + "05060708090a0b0c");
        BinaryReader in = reader(bytes);
        assertThat(in.readByte("b")).isEqualTo(0xAB);
        assertThat(in.readBoolean("t")).isTrue();
        assertThat(in.readBoolean("f")).isFalse();
        assertThat(in.readInt("i")).isEqualTo(0x01020304);
        assertThat(in.readLong("l")).isEqualTo(0x05060708090A0B0CL);
        in.requireEnd();
    }

    @Test
    void negativeFixedWidthNumbersSurviveTheRoundTrip() {
        byte[] bytes =
                new BinaryWriter(0).writeInt(-2).writeLong(Long.MIN_VALUE).toByteArray();

        BinaryReader in = reader(bytes);
        assertThat(in.readInt("i")).isEqualTo(-2);
        assertThat(in.readLong("l")).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void variableLengthNumbersTakeOneByteUpTo127AndTenForANegativeNumber() {
        assertVarLong(0, "00");
        assertVarLong(1, "01");
        assertVarLong(127, "7f");
        assertVarLong(128, "8001");
        assertVarLong(300, "ac02");
        assertVarLong(16_383, "ff7f");
        assertVarLong(16_384, "808001");
        assertVarLong(Long.MAX_VALUE, "ffffffffffffffff7f");
        assertVarLong(-1, "ffffffffffffffffff01");
        assertVarLong(Long.MIN_VALUE, "80808080808080808001");
    }

    @Test
    void lengthPrefixedBytesAndStringsComeInAFourByteAndAVariableWidth() {
        byte[] bytes = new BinaryWriter(0)
                .writeBytes(new byte[] {7})
                .writeString("é")
                .writeVarBytes(new byte[] {8, 9})
                .writeVarString("ü")
                .toByteArray();

        assertThat(HEX.formatHex(bytes)).isEqualTo("0000000107" + "00000002c3a9" + "020809" + "02c3bc");
        BinaryReader in = reader(bytes);
        assertThat(in.readBytes("a")).containsExactly(7);
        assertThat(in.readString("b")).isEqualTo("é");
        assertThat(in.readVarBytes("c")).containsExactly(8, 9);
        assertThat(in.readVarString("d")).isEqualTo("ü");
        in.requireEnd();
    }

    @Test
    void aModifiedUtf8StringHasTheBytesOfDataOutputWriteUtf() throws IOException {
        String tricky = "a\u0000é€😀\uFFFF" + "x".repeat(200);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        new DataOutputStream(expected).writeUTF(tricky);

        byte[] bytes = new BinaryWriter(0).writeModifiedUtf8(tricky).toByteArray();

        assertThat(bytes).isEqualTo(expected.toByteArray());
        assertThat(reader(bytes).readModifiedUtf8("s")).isEqualTo(tricky);
    }

    @Test
    void aModifiedUtf8StringLongerThan65535BytesIsRefusedWhenWritten() {
        BinaryWriter writer = new BinaryWriter(0);
        String tooLong = "é".repeat(32_768);

        assertThatThrownBy(() -> writer.writeModifiedUtf8(tooLong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65536 bytes");
    }

    @Test
    void theWriterGrowsPastItsExpectedSize() {
        BinaryWriter writer = new BinaryWriter(1);
        for (int i = 0; i < 100; i++) {
            writer.writeLong(i);
        }

        assertThat(writer.size()).isEqualTo(800);
        assertThat(writer.toByteArray()).hasSize(800);
    }

    @Test
    void aTruncatedFieldIsReportedWithItsNameAndOffset() {
        byte[] bytes = HEX.parseHex("0102030405");

        assertMalformed(() -> readLongAfterByte(bytes), "sequence", 1)
                .hasMessage("malformed test record: sequence needs 8 byte(s) but only 4 are left at offset 1 of 5"
                        + " bytes; check the sender");
    }

    @Test
    void aTruncatedByteIntAndVariableLengthNumberAreEachReported() {
        assertMalformed(() -> reader(new byte[0]).readByte("tag"), "tag", 0);
        assertMalformed(() -> reader(HEX.parseHex("000000")).readInt("count"), "count", 0);
        assertMalformed(() -> reader(HEX.parseHex("8080")).readVarLong("index"), "index", 0);
    }

    @Test
    void aBooleanOtherThanZeroOrOneIsMalformed() {
        assertMalformed(() -> reader(HEX.parseHex("02")).readBoolean("granted"), "granted", 0)
                .hasMessageContaining("granted is byte 2, not a boolean (0 or 1)");
    }

    @Test
    void aVariableLengthNumberOfMoreThanTenBytesIsMalformed() {
        assertMalformed(() -> reader(HEX.parseHex("ffffffffffffffffffff01")).readVarLong("round"), "round", 0)
                .hasMessageContaining("round is a variable-length number longer than 10 bytes");
    }

    @Test
    void aLengthBeyondTheBytesLeftIsMalformed() {
        byte[] bytes = HEX.parseHex("00" + "00002328" + "0102");

        assertMalformed(() -> readBytesAfterByte(bytes), "payload", 1)
                .hasMessageContaining("payload length 9000 exceeds the 2 bytes left at offset 1 of 7 bytes");
    }

    @Test
    void aNegativeLengthIsMalformed() {
        assertMalformed(() -> reader(HEX.parseHex("ffffffff")).readBytes("key"), "key", 0)
                .hasMessageContaining("key length -1 is negative");
    }

    @Test
    void aVariableLengthBeyondTheBytesLeftIsMalformed() {
        assertMalformed(() -> reader(HEX.parseHex("0501")).readVarBytes("payload"), "payload", 0)
                .hasMessageContaining("payload length 5 exceeds the 1 bytes left");
        assertMalformed(() -> reader(HEX.parseHex("ffffffffffffffffff01")).readVarString("from"), "from", 0)
                .hasMessageContaining("from length 18446744073709551615 exceeds the 0 bytes left");
    }

    @Test
    void aCountBeyondTheBytesLeftIsMalformed() {
        assertMalformed(() -> reader(HEX.parseHex("0301")).readVarCount("entry count"), "entry count", 0)
                .hasMessageContaining("entry count 3 exceeds the 1 bytes left");
        assertThat(reader(HEX.parseHex("0101")).readVarCount("entry count")).isEqualTo(1);
    }

    @Test
    void aModifiedUtf8LengthBeyondTheBytesLeftIsMalformed() {
        assertMalformed(() -> reader(HEX.parseHex("000361")).readModifiedUtf8("reason"), "reason", 0)
                .hasMessageContaining("reason length 3 exceeds the 1 bytes left");
        assertMalformed(() -> reader(HEX.parseHex("00")).readModifiedUtf8("reason"), "reason length", 0);
    }

    @Test
    void invalidModifiedUtf8IsMalformed() {
        assertMalformed(() -> reader(HEX.parseHex("000180")).readModifiedUtf8("reason"), "reason", 0)
                .hasMessageContaining("reason is not valid modified UTF-8 (byte 0 of the string)");
        assertMalformed(() -> reader(HEX.parseHex("0002c341")).readModifiedUtf8("reason"), "reason", 0);
        assertMalformed(() -> reader(HEX.parseHex("0001c3")).readModifiedUtf8("reason"), "reason", 0);
        assertMalformed(() -> reader(HEX.parseHex("0002e282")).readModifiedUtf8("reason"), "reason", 0);
        assertMalformed(() -> reader(HEX.parseHex("0004f09f9880")).readModifiedUtf8("reason"), "reason", 0);
    }

    @Test
    void trailingBytesAreMalformed() {
        BinaryReader in = reader(HEX.parseHex("010203"));
        in.readByte("tag");

        assertMalformed(in::requireEnd, "end", 1).hasMessageContaining("2 unexpected byte(s) after the last field");
    }

    @Test
    void anOwnersComplaintPointsAtTheFieldReadLastWithTheReadersRemedy() {
        BinaryReader in = reader(HEX.parseHex("000000000000000009"));
        in.readLong("index");
        int tag = in.readByte("tag");

        MalformedEncodingException unknownTag = in.malformed("tag", "unknown tag " + tag);

        assertThat(unknownTag)
                .hasMessage("malformed test record: unknown tag 9 at offset 8 of 9 bytes; check the sender");
        assertThat(unknownTag.offset()).isEqualTo(8);
        assertThat(unknownTag.field()).isEqualTo("tag");
    }

    @Test
    void anOwnersComplaintMayCarryARemedyOfItsOwn() {
        BinaryReader in = reader(HEX.parseHex("63"));
        in.readByte("tag");

        assertThat(in.malformed("tag", "unknown tag 99", "upgrade this node"))
                .hasMessageEndingWith("; upgrade this node");
    }

    @Test
    void aMalformedEncodingIsAnIllegalArgument() {
        assertThatThrownBy(() -> reader(new byte[0]).readByte("tag")).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertVarLong(long value, String hex) {
        byte[] bytes = new BinaryWriter(0).writeVarLong(value).toByteArray();
        assertThat(HEX.formatHex(bytes)).as("encoding of %d", value).isEqualTo(hex);
        BinaryReader in = reader(bytes);
        assertThat(in.readVarLong("n")).isEqualTo(value);
        in.requireEnd();
    }

    private static long readLongAfterByte(byte[] bytes) {
        BinaryReader in = reader(bytes);
        in.readByte("version");
        return in.readLong("sequence");
    }

    private static byte[] readBytesAfterByte(byte[] bytes) {
        BinaryReader in = reader(bytes);
        in.readByte("version");
        return in.readBytes("payload");
    }

    private static BinaryReader reader(byte[] bytes) {
        return new BinaryReader(bytes, "test record", REMEDY);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertMalformed(
            ThrowingCallable read, String field, int offset) {
        return assertThatThrownBy(read).isInstanceOfSatisfying(MalformedEncodingException.class, e -> {
            assertThat(e.format()).isEqualTo("test record");
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.offset()).isEqualTo(offset);
            assertThat(e.getMessage())
                    .startsWith("malformed test record: ")
                    .contains(field)
                    .endsWith("; " + REMEDY);
        });
    }
}
