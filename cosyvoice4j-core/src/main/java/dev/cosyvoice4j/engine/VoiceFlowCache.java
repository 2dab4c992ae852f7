package dev.cosyvoice4j.engine;

import dev.cosyvoice4j.model.flow.DitPrefix;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The DiT state of saved voices' prompt regions ({@link DitPrefix}), by voice, least recently used dropped first when
 * the byte budget is exceeded. Entries are immutable and shared by every request of the voice; a voice saved again
 * under the same name is detected by content ({@link DitPrefix#matches}) and recomputed. Thread-safe.
 */
final class VoiceFlowCache {
    private final long budgetBytes;
    private final LinkedHashMap<String, DitPrefix> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    VoiceFlowCache(long budgetBytes) { this.budgetBytes = budgetBytes; }

    /** The voice's prefix if kept and computed from these inputs. */
    synchronized DitPrefix get(String key, VoicePrompt voice) {
        DitPrefix p = entries.get(key);
        if (p != null && !p.matches(flowIds(voice.promptTokens()), voice.promptMel(), voice.promptFrames(), voice.embedding())) {
            remove(key);
            return null;
        }
        return p;
    }

    /** Keeps {@code prefix} for {@code key} if it fits the budget (dropping the least recently used). */
    synchronized void put(String key, DitPrefix prefix) {
        if (prefix == null || prefix.bytes() > budgetBytes) return;
        remove(key);
        entries.put(key, prefix);
        bytes += prefix.bytes();
        for (Iterator<Map.Entry<String, DitPrefix>> it = entries.entrySet().iterator(); bytes > budgetBytes && it.hasNext(); ) {
            Map.Entry<String, DitPrefix> e = it.next();
            if (e.getKey().equals(key)) continue;
            bytes -= e.getValue().bytes();
            it.remove();
        }
    }

    private void remove(String key) {
        DitPrefix old = entries.remove(key);
        if (old != null) bytes -= old.bytes();
    }

    /** Voices held and their total bytes. */
    synchronized int size() { return entries.size(); }

    synchronized long bytes() { return bytes; }

    private static int[] flowIds(int[] tokens) {
        int[] ids = tokens.clone();
        for (int i = 0; i < ids.length; i++) ids[i] = Math.max(0, ids[i]);
        return ids;
    }
}
