package dev.donjon.abi.snp;

import dev.donjon.abi.FormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The certificate table the host hands an SNP guest (GHCB specification, "SNP Extended Guest Request"; configfs-tsm
 * {@code auxblob}; {@code /dev/sev-guest}'s certificate buffer): entries {GUID[16], offset u32 LE, length u32 LE}
 * ended by an all-zero entry, offsets counted from the table's start. GUIDs are read in RFC 4122 and in mixed-endian
 * (Microsoft) byte order, since hosts write both; {@link #encode} writes RFC 4122 order.
 *
 * @param entries in table order; entries with GUIDs other than the four below (hypervisor blobs) are kept too
 */
public record CertificateTable(List<Entry> entries) {

    public static final UUID ARK = UUID.fromString("c0b406a4-a803-4952-9743-3fb6014cd0ae");
    public static final UUID ASK = UUID.fromString("4ab7b379-bbac-4fe4-a02f-05aef327c782");
    public static final UUID VCEK = UUID.fromString("63da758d-e664-4564-adc5-f4b93be8accd");
    public static final UUID VLEK = UUID.fromString("a8074bc2-a25a-483e-aae6-39c045a0b8a1");
    private static final List<UUID> KNOWN = List.of(ARK, ASK, VCEK, VLEK);
    private static final int ENTRY = 24;

    /** One entry: its GUID (normalised: a known GUID in either byte order reads as itself) and its bytes (a DER certificate for the known ones). */
    public record Entry(UUID guid, byte[] body) {
        public Entry {
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    public CertificateTable {
        entries = List.copyOf(entries);
    }

    /** The body of the first entry with this GUID. */
    public Optional<byte[]> get(UUID guid) {
        return entries.stream().filter(e -> e.guid().equals(guid)).findFirst().map(Entry::body);
    }

    public static CertificateTable parse(byte[] table) throws FormatException {
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        List<Entry> entries = new ArrayList<>();
        for (int at = 0; ; at += ENTRY) {
            if (at + ENTRY > table.length)
                throw new FormatException("SNP certificate table (auxblob) has no terminating entry");
            byte[] guid = Arrays.copyOfRange(table, at, at + 16);
            long offset = Integer.toUnsignedLong(b.getInt(at + 16));
            long length = Integer.toUnsignedLong(b.getInt(at + 20));
            if (allZero(guid)) break;
            if (length == 0 || offset + length > table.length) {
                throw new FormatException("SNP certificate table entry " + at / ENTRY + " points outside the table");
            }
            entries.add(new Entry(normalised(guid), Arrays.copyOfRange(table, (int) offset, (int) (offset + length))));
        }
        return new CertificateTable(entries);
    }

    /** The table: the entries, the all-zero terminator, then the bodies in entry order. */
    public byte[] encode() {
        int headers = (entries.size() + 1) * ENTRY;
        int size = headers + entries.stream().mapToInt(e -> e.body.length).sum();
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        int offset = headers;
        for (Entry e : entries) {
            out.putLong(Long.reverseBytes(e.guid().getMostSignificantBits()))
                    .putLong(Long.reverseBytes(e.guid().getLeastSignificantBits()))
                    .putInt(offset)
                    .putInt(e.body.length);
            offset += e.body.length;
        }
        out.position(headers);
        for (Entry e : entries) out.put(e.body);
        return out.array();
    }

    private static UUID normalised(byte[] g) {
        UUID rfc = uuid(g);
        if (KNOWN.contains(rfc)) return rfc;
        byte[] s = g.clone();
        swap(s, 0, 3);
        swap(s, 1, 2);
        swap(s, 4, 5);
        swap(s, 6, 7);
        return uuid(s);
    }

    private static UUID uuid(byte[] g) {
        ByteBuffer b = ByteBuffer.wrap(g);
        return new UUID(b.getLong(), b.getLong());
    }

    private static void swap(byte[] a, int i, int j) {
        byte t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static boolean allZero(byte[] a) {
        for (byte x : a) if (x != 0) return false;
        return true;
    }
}
