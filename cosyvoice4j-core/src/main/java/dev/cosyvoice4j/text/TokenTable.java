package dev.cosyvoice4j.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The base vocabulary (vocab.json) keyed by the UTF-8 bytes of each token string: one byte arena plus an
 * open-addressing hash table, so loading 150k tokens and resolving 150k merges allocates no per-token
 * objects. Strings are made on demand ({@link #token}). Immutable once loading is done.
 */
final class TokenTable {
    private byte[] arena = new byte[1 << 20];
    private int arenaLen;
    private int[] offsetById = new int[1 << 16];
    private int[] lengthById = new int[1 << 16];
    private int[] slots;            // token id, -1 for an empty slot, DELETED for a removed one
    private int mask;
    private int count;
    /**
     * Removed slots (a JSON duplicate key, an id given to two strings) stay as tombstones until the next rehash, so
     * a hostile vocab.json of repeated keys costs linear time, not a rehash per key.
     */
    private int deleted;
    private static final int DELETED = -2;
    private int maxId = -1;

    TokenTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = new int[cap];
        Arrays.fill(slots, -1);
        mask = cap - 1;
        Arrays.fill(lengthById, -1);
    }

    int count() { return count; }

    /** Largest id, -1 if empty. */
    int maxId() { return maxId; }

    /** Maps the token with UTF-8 bytes {@code b[off, off+len)} to {@code id}; a repeated token takes the new id. */
    void put(byte[] b, int off, int len, int id) {
        int slot = findSlot(b, off, len);
        if (slots[slot] >= 0) {
            lengthById[slots[slot]] = -1; // JSON duplicate key: the last one wins (Python json semantics)
            slots[slot] = DELETED;
            deleted++;
            count--;
            slot = findSlot(b, off, len);
        }
        if ((count + deleted + 1) * 4 > slots.length * 3) {
            rehash((count + 1) * 2 > slots.length ? slots.length * 2 : slots.length);
            slot = findSlot(b, off, len);
        }
        if (id >= offsetById.length) {
            int n = Math.max(id + 1, offsetById.length * 2);
            offsetById = Arrays.copyOf(offsetById, n);
            int old = lengthById.length;
            lengthById = Arrays.copyOf(lengthById, n);
            Arrays.fill(lengthById, old, n, -1);
        }
        if (lengthById[id] >= 0) {              // an id given to two strings: keep the later mapping
            removeId(id);
            slot = findSlot(b, off, len);
        }
        if (arenaLen + len > arena.length) arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaLen + len));
        System.arraycopy(b, off, arena, arenaLen, len);
        offsetById[id] = arenaLen;
        lengthById[id] = len;
        arenaLen += len;
        slots[slot] = id;
        count++;
        maxId = Math.max(maxId, id);
    }

    /** Id of the token with UTF-8 bytes {@code b[off, off+len)}, or -1. */
    int id(byte[] b, int off, int len) { return slots[findSlot(b, off, len)]; }

    int id(String token) {
        byte[] b = token.getBytes(StandardCharsets.UTF_8);
        return id(b, 0, b.length);
    }

    /** The token string of {@code id}, or null. */
    String token(int id) {
        if (id < 0 || id >= lengthById.length || lengthById[id] < 0) return null;
        return new String(arena, offsetById[id], lengthById[id], StandardCharsets.UTF_8);
    }

    boolean has(int id) { return id >= 0 && id < lengthById.length && lengthById[id] >= 0; }

    private void removeId(int id) {
        int slot = findSlot(arena, offsetById[id], lengthById[id]);
        if (slots[slot] == id) {
            slots[slot] = DELETED;
            deleted++;
            count--;
            lengthById[id] = -1;
        } else {
            lengthById[id] = -1;
        }
    }

    private int findSlot(byte[] b, int off, int len) {
        int h = hash(b, off, len) & mask;
        while (true) {
            int id = slots[h];
            if (id == -1) return h;
            if (id >= 0 && lengthById[id] == len && Arrays.equals(arena, offsetById[id], offsetById[id] + len, b, off, off + len)) return h;
            h = (h + 1) & mask;
        }
    }

    private void rehash(int capacity) {
        int[] old = slots;
        slots = new int[capacity];
        Arrays.fill(slots, -1);
        mask = capacity - 1;
        deleted = 0;
        for (int id : old) {
            if (id < 0 || lengthById[id] < 0) continue;
            slots[findSlot(arena, offsetById[id], lengthById[id])] = id;
        }
    }

    private static int hash(byte[] b, int off, int len) {
        int h = 0x811C9DC5;
        for (int i = off; i < off + len; i++) h = (h ^ (b[i] & 0xFF)) * 0x01000193;
        return h ^ (h >>> 16);
    }
}
