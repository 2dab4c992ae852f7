package dev.cosyvoice4j.text;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE model (HF tokenizers {@code models::bpe} as built by transformers' {@code Qwen2Converter}: no
 * dropout, no unk token, no continuing-subword prefix, {@code ignore_merges = false}). A pre-token's UTF-8
 * bytes start as the 256 byte tokens (GPT-2 {@code bytes_to_unicode} alphabet); then the adjacent pair with the
 * lowest merge rank is merged, leftmost first, until no ranked pair is left — the priority-queue algorithm of
 * HF's {@code Word::merge_all}. A vocabulary entry reachable by no merge path is never produced (the real
 * CosyVoice-BlankEN merges.txt lacks multi-character Chinese merges on purpose). Thread-safe; results of short
 * pieces are cached.
 */
final class ByteLevelBpe {
    /** GPT-2 {@code bytes_to_unicode}: byte value to the code point that stands for it in vocab.json. */
    static final int[] BYTE_TO_CHAR = new int[256];
    /** Inverse of {@link #BYTE_TO_CHAR}; -1 for code points outside the byte alphabet. */
    private static final int[] CHAR_TO_BYTE = new int[324];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            int c = printable ? b : 256 + extra++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    /** The byte a code point of the byte alphabet stands for, or -1. */
    static int charToByte(int c) { return c >= 0 && c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1; }

    /** The vocab.json string of a byte sequence. */
    static String bytesToTokenString(byte[] bytes, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++) sb.appendCodePoint(BYTE_TO_CHAR[bytes[i] & 0xFF]);
        return sb.toString();
    }

    private static final int CACHE_LIMIT = 65_536;
    private static final int CACHE_MAX_PIECE_CHARS = 64;

    private final int[] byteIds;          // id of each single-byte token, -1 if the vocabulary lacks it
    private final PairTable merges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    ByteLevelBpe(int[] byteIds, PairTable merges) {
        this.byteIds = byteIds.clone();
        this.merges = merges;
    }

    int mergeCount() { return merges.size(); }

    /** The ids of one pre-token. */
    int[] tokenize(String piece, byte[] utf8) {
        boolean cacheable = piece.length() <= CACHE_MAX_PIECE_CHARS;
        if (cacheable) {
            int[] hit = cache.get(piece);
            if (hit != null) return hit;
        }
        int[] ids = merge(utf8);
        if (cacheable) {
            if (cache.size() >= CACHE_LIMIT) cache.clear(); // crude bound; refills with the live working set
            cache.put(piece, ids);
        }
        return ids;
    }

    private int[] merge(byte[] utf8) {
        int n = utf8.length;
        int[] ids = new int[n];
        int m = 0;
        for (byte b : utf8) {
            int id = byteIds[b & 0xFF];
            if (id >= 0) ids[m++] = id; // a byte the vocabulary lacks is dropped, as HF does without unk
        }
        if (m <= 1) return Arrays.copyOf(ids, m);
        int[] prev = new int[m];
        int[] next = new int[m];
        boolean[] dead = new boolean[m];
        for (int i = 0; i < m; i++) { prev[i] = i - 1; next[i] = i + 1 < m ? i + 1 : -1; }
        LongHeap heap = new LongHeap(m);
        for (int i = 0; i + 1 < m; i++) {
            int r = merges.rank(ids[i], ids[i + 1]);
            if (r >= 0) heap.push(((long) r << 32) | i);
        }
        int alive = m;
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            if (dead[pos]) continue;
            int nx = next[pos];
            if (nx < 0) continue;
            int slot = merges.find(ids[pos], ids[nx]);
            if (slot < 0 || merges.rankAt(slot) != rank) continue; // stale entry: the pair changed meanwhile
            ids[pos] = merges.resultAt(slot);
            dead[nx] = true;
            alive--;
            int nn = next[nx];
            next[pos] = nn;
            if (nn >= 0) prev[nn] = pos;
            int pv = prev[pos];
            if (pv >= 0) {
                int r = merges.rank(ids[pv], ids[pos]);
                if (r >= 0) heap.push(((long) r << 32) | pv);
            }
            if (nn >= 0) {
                int r = merges.rank(ids[pos], ids[nn]);
                if (r >= 0) heap.push(((long) r << 32) | pos);
            }
        }
        int[] out = new int[alive];
        int k = 0;
        for (int i = 0; i >= 0 && k < alive; i = next[i]) out[k++] = ids[i];
        return out;
    }

    /** Open-addressing map (left id, right id) -> (merge rank, merged id); grows as needed. */
    static final class PairTable {
        private long[] keys;
        private int[] ranks;
        private int[] results;
        private int mask;
        private int size;

        PairTable(int expected) { allocate(Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1); }

        private void allocate(int cap) {
            keys = new long[cap];
            Arrays.fill(keys, -1L);
            ranks = new int[cap];
            results = new int[cap];
            mask = cap - 1;
        }

        int size() { return size; }

        /** Adds a pair unless present; returns false if it was already there (the first rank stays). */
        boolean add(int left, int right, int rank, int result) {
            if ((size + 1) * 4 > keys.length * 3) grow();
            long key = key(left, right);
            int h = slot(key);
            while (keys[h] != -1L) {
                if (keys[h] == key) return false;
                h = (h + 1) & mask;
            }
            keys[h] = key;
            ranks[h] = rank;
            results[h] = result;
            size++;
            return true;
        }

        private void grow() {
            long[] k = keys;
            int[] r = ranks, res = results;
            allocate(k.length * 2);
            for (int i = 0; i < k.length; i++) {
                if (k[i] == -1L) continue;
                int h = slot(k[i]);
                while (keys[h] != -1L) h = (h + 1) & mask;
                keys[h] = k[i];
                ranks[h] = r[i];
                results[h] = res[i];
            }
        }

        int find(int left, int right) {
            long key = key(left, right);
            int h = slot(key);
            while (true) {
                long k = keys[h];
                if (k == key) return h;
                if (k == -1L) return -1;
                h = (h + 1) & mask;
            }
        }

        int rank(int left, int right) {
            int s = find(left, right);
            return s < 0 ? -1 : ranks[s];
        }

        int rankAt(int slot) { return ranks[slot]; }

        int resultAt(int slot) { return results[slot]; }

        private static long key(int left, int right) { return ((long) left << 32) | (right & 0xFFFFFFFFL); }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h >>> 32) & mask;
        }
    }

    /** Minimal binary min-heap of longs (rank in the high half, position in the low half). */
    private static final class LongHeap {
        private long[] a;
        private int n;

        LongHeap(int capacity) { a = new long[Math.max(4, capacity)]; }

        boolean isEmpty() { return n == 0; }

        void push(long v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            int i = n++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (a[p] <= v) break;
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long last = a[--n];
            int i = 0;
            while (true) {
                int l = 2 * i + 1;
                if (l >= n) break;
                int c = (l + 1 < n && a[l + 1] < a[l]) ? l + 1 : l;
                if (a[c] >= last) break;
                a[i] = a[c];
                i = c;
            }
            if (n > 0) a[i] = last;
            return top;
        }
    }
}
