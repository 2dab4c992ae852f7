package dev.cosyvoice4j.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cosyvoice4j.io.ModelFormatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Qwen2 byte-level BPE tokenizer of a {@code CosyVoice-BlankEN/} folder (vocab.json, merges.txt,
 * tokenizer_config.json), with the semantics of the HF <em>fast</em> tokenizer that transformers builds from
 * those files ({@code Qwen2Converter}) and CosyVoice3's run-time special tokens
 * ({@code CosyVoice3Tokenizer}, cosyvoice/tokenizer/tokenizer.py; see {@link CosyVoice3SpecialTokens}).
 *
 * <p>{@link #encode}: added tokens are split out first (exact match on the raw text, leftmost-longest, not
 * normalised); every other span is NFC-normalised, split by {@link Qwen2PreTokenizer}, mapped to UTF-8 bytes
 * and merged by {@link ByteLevelBpe} in merges.txt rank order. No BOS/EOS is added. Lone surrogates (which
 * have no UTF-8 form; Python would raise) are replaced by U+FFFD, so encode never throws.
 * {@link #decode}: byte-level decoding with invalid UTF-8 replaced by U+FFFD; added tokens are emitted as
 * their text (or skipped when special and {@code skipSpecialTokens}); ids without a token are skipped.
 *
 * <p>Immutable and thread-safe. Checked by the golden case {@code tokenizer/encode} (ids, both decodes, the
 * added-token table and {@code len(tokenizer)}).
 */
public final class Qwen2Tokenizer {
    /** Folder of the tokenizer files inside a CosyVoice3 model directory. */
    public static final String BLANK_EN_DIR = "CosyVoice-BlankEN";

    private final TokenTable vocab;                 // base vocabulary (vocab.json)
    private final String[] addedById;               // added token text by id, null for base tokens
    private final boolean[] special;
    private final boolean[] added;
    private final Map<String, Integer> addedTokens; // content -> id, in id order
    private final AddedTokenMatcher matcher;
    private final ByteLevelBpe bpe;
    private final int size;

    private Qwen2Tokenizer(TokenTable vocab, String[] addedById, boolean[] special, boolean[] added,
                           Map<String, Integer> addedTokens, ByteLevelBpe bpe, int size) {
        this.vocab = vocab;
        this.addedById = addedById;
        this.special = special;
        this.added = added;
        this.addedTokens = Collections.unmodifiableMap(addedTokens);
        this.matcher = new AddedTokenMatcher(addedTokens);
        this.bpe = bpe;
        this.size = size;
    }

    /**
     * The tokenizer of a model directory ({@code <modelDir>/CosyVoice-BlankEN}) for its family: CosyVoice2's where
     * only cosyvoice2.yaml is there, else CosyVoice3's.
     */
    public static Qwen2Tokenizer forModelDir(Path modelDir) {
        boolean cv2 = !java.nio.file.Files.isRegularFile(modelDir.resolve(dev.cosyvoice4j.config.ModelFamily.COSYVOICE3.yamlFile()))
                && java.nio.file.Files.isRegularFile(modelDir.resolve(dev.cosyvoice4j.config.ModelFamily.COSYVOICE2.yamlFile()));
        return cv2 ? loadCosyVoice2(modelDir.resolve(BLANK_EN_DIR)) : loadCosyVoice3(modelDir.resolve(BLANK_EN_DIR));
    }

    /**
     * The CosyVoice2 tokenizer ({@code CosyVoice2Tokenizer}, cosyvoice/tokenizer/tokenizer.py:241-272): the folder's
     * tokenizer plus 19 special tokens, the first 19 of {@link CosyVoice3SpecialTokens#ADDITIONAL} in the same order
     * ({@code <|endofprompt|>} = 151646 .. {@code [mn]} = 151662, length 151663). CosyVoice3-only markup
     * ({@code <|endofsystem|>}, phoneme tokens) is ordinary text here. Golden: {@code golden-cv2 tokenizer/encode}.
     */
    public static Qwen2Tokenizer loadCosyVoice2(Path dir) {
        return load(dir, CosyVoice3SpecialTokens.ADDITIONAL.subList(0, COSYVOICE2_SPECIAL_TOKENS));
    }

    /** How many of {@link CosyVoice3SpecialTokens#ADDITIONAL} CosyVoice2 adds (up to and including {@code [mn]}). */
    static final int COSYVOICE2_SPECIAL_TOKENS = 19;

    /**
     * The CosyVoice3 tokenizer: the folder's tokenizer plus {@link CosyVoice3SpecialTokens#ADDITIONAL}. Fails
     * if {@code <|endofprompt|>} does not get the id 151646 that the official LLM hard-codes.
     */
    public static Qwen2Tokenizer loadCosyVoice3(Path dir) {
        Qwen2Tokenizer t = load(dir, CosyVoice3SpecialTokens.ADDITIONAL);
        int eop = t.tokenToId(CosyVoice3SpecialTokens.END_OF_PROMPT);
        if (eop != CosyVoice3SpecialTokens.END_OF_PROMPT_ID) {
            throw new ModelFormatException(dir, CosyVoice3SpecialTokens.END_OF_PROMPT + " gets id " + eop
                    + ", but CosyVoice3 requires " + CosyVoice3SpecialTokens.END_OF_PROMPT_ID
                    + " (is this the CosyVoice-BlankEN tokenizer of a CosyVoice3 model?)");
        }
        return t;
    }

    /**
     * The tokenizer of a folder with vocab.json, merges.txt and (optional) tokenizer_config.json, plus extra
     * special tokens added as HF {@code add_special_tokens} does: a string already known keeps its id, a new
     * one gets the next free id, in list order.
     */
    public static Qwen2Tokenizer load(Path dir, List<String> extraSpecialTokens) {
        java.util.Objects.requireNonNull(extraSpecialTokens, "extraSpecialTokens");
        Path vocabFile = dir.resolve("vocab.json");
        Path mergesFile = dir.resolve("merges.txt");
        TokenTable vocab = readVocab(vocabFile);
        int maxId = vocab.maxId();

        LinkedHashMap<String, Integer> addedTokens = new LinkedHashMap<>();
        Map<Integer, Boolean> specialById = new HashMap<>();
        Path configFile = dir.resolve("tokenizer_config.json");
        if (Files.exists(configFile)) readAddedTokens(configFile, addedTokens, specialById);
        for (int id : addedTokens.values()) {
            // added tokens follow the vocabulary; an id far beyond it would only size the id-indexed tables
            if (id > vocab.maxId() + addedTokens.size() + 1024) {
                throw new ModelFormatException(configFile, "added token id " + id + " is far beyond the vocabulary's last id "
                        + vocab.maxId());
            }
            maxId = Math.max(maxId, id);
        }
        int nextId = maxId + 1;
        for (String s : extraSpecialTokens) {
            if (s == null || s.isEmpty()) throw new IllegalArgumentException("empty special token");
            Integer id = addedTokens.get(s);
            if (id == null && vocab.id(s) >= 0) id = vocab.id(s);
            if (id == null) id = nextId++;
            addedTokens.put(s, id);
            specialById.put(id, true);
        }
        int size = nextId;

        String[] addedById = new String[size];
        boolean[] special = new boolean[size];
        boolean[] added = new boolean[size];
        for (Map.Entry<String, Integer> e : addedTokens.entrySet()) {
            int id = e.getValue();
            addedById[id] = e.getKey();
            added[id] = true;
            special[id] = specialById.getOrDefault(id, false);
        }
        LinkedHashMap<String, Integer> sortedAdded = new LinkedHashMap<>();
        addedTokens.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> sortedAdded.put(e.getKey(), e.getValue()));

        int[] byteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            byteIds[b] = vocab.id(new String(Character.toChars(ByteLevelBpe.BYTE_TO_CHAR[b])));
        }
        ByteLevelBpe.PairTable merges = readMerges(mergesFile, vocab);
        return new Qwen2Tokenizer(vocab, addedById, special, added, sortedAdded, new ByteLevelBpe(byteIds, merges), size);
    }

    /** Token ids of {@code text}; never throws (null is treated as empty). */
    public int[] encode(String text) {
        if (text == null || text.isEmpty()) return new int[0];
        String s = replaceLoneSurrogates(text);
        IntList out = new IntList(s.length() / 2 + 4);
        int pos = 0;
        while (pos < s.length()) {
            AddedTokenMatcher.Match m = matcher.next(s, pos);
            int end = m == null ? s.length() : m.start();
            if (end > pos) encodeOrdinary(s.substring(pos, end), out);
            if (m == null) break;
            out.add(m.id());
            pos = m.end();
        }
        return out.toArray();
    }

    private void encodeOrdinary(String span, IntList out) {
        String normalized = Normalizer.normalize(span, Normalizer.Form.NFC);
        for (String piece : Qwen2PreTokenizer.split(normalized)) {
            out.addAll(bpe.tokenize(piece, piece.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /**
     * Text of {@code ids}. {@code skipSpecialTokens} drops special added tokens (CosyVoice3Tokenizer.decode
     * uses true). Ids outside the vocabulary are skipped; never throws. Added tokens are emitted as their text
     * (the golden {@code decoded_keep_special} strings); some HF tokenizers releases instead pushed them
     * through the byte-level decoder, which garbles pinyin tokens whose letters are in the byte alphabet
     * (e.g. {@code [é]}); no golden case covers that, and decoding is not on the inference path.
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        if (ids == null) return "";
        StringBuilder sb = new StringBuilder();
        ByteBuf bytes = new ByteBuf();
        for (int id : ids) {
            if (id < 0 || id >= size) continue;
            if (added[id]) {
                if (skipSpecialTokens && special[id]) continue;
                bytes.flushTo(sb);
                sb.append(addedById[id]);
                continue;
            }
            String tok = vocab.token(id);
            if (tok == null) continue;
            int mark = bytes.size();
            boolean allBytes = true;
            for (int i = 0; i < tok.length(); ) {
                int cp = tok.codePointAt(i);
                int b = ByteLevelBpe.charToByte(cp);
                if (b < 0) { allBytes = false; break; }
                bytes.add((byte) b);
                i += Character.charCount(cp);
            }
            if (!allBytes) { // not a byte-level token: its own UTF-8 text, as the HF ByteLevel decoder does
                bytes.truncate(mark);
                bytes.addAll(tok.getBytes(StandardCharsets.UTF_8));
            }
        }
        bytes.flushTo(sb);
        return sb.toString();
    }

    /** {@code len(tokenizer)}: base vocabulary plus added tokens (151924 for CosyVoice3). */
    public int size() { return size; }

    /** Id of a token string (vocabulary entry in byte-level form, or added token), or -1. */
    public int tokenToId(String token) {
        if (token == null) return -1;
        Integer id = addedTokens.get(token);
        return id != null ? id : vocab.id(token);
    }

    /** Token string of an id, or null. */
    public String idToToken(int id) {
        if (id < 0 || id >= size) return null;
        return added[id] ? addedById[id] : vocab.token(id);
    }

    /** Whether {@code id} is a special added token (skipped by {@code decode(ids, true)}). */
    public boolean isSpecial(int id) { return id >= 0 && id < size && special[id]; }

    /** Added tokens (tokenizer_config.json + extra special tokens), content to id, in id order. */
    public Map<String, Integer> addedTokens() { return addedTokens; }

    /** Number of merges read from merges.txt. */
    public int mergeCount() { return bpe.mergeCount(); }

    static String replaceLoneSurrogates(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone;
            if (Character.isHighSurrogate(c)) {
                lone = !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)));
                if (!lone) {
                    if (sb != null) sb.append(c).append(s.charAt(i + 1));
                    i++;
                    continue;
                }
            } else {
                lone = Character.isLowSurrogate(c);
            }
            if (lone && sb == null) sb = new StringBuilder(s.length()).append(s, 0, i);
            if (sb != null) sb.append(lone ? '\uFFFD' : c);
        }
        return sb == null ? s : sb.toString();
    }

    // ---- file readers ----

    private static TokenTable readVocab(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "tokenizer vocabulary not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read vocabulary: " + e.getMessage(), e);
        }
        TokenTable vocab = new TokenTable(bytes.length / 16);
        new FlatJsonObjectReader(file, bytes).readInto(vocab);
        if (vocab.count() == 0) throw new ModelFormatException(file, "empty vocabulary");
        return vocab;
    }

    /**
     * The {@code added_tokens_decoder} of tokenizer_config.json ({@code {"151643": {"content": ..., "special":
     * true, ...}, ...}}), read with the streaming parser (ObjectMapper's start-up alone would triple the
     * tokenizer's load time); the rest of the file is skipped.
     */
    private static void readAddedTokens(Path file, Map<String, Integer> added, Map<Integer, Boolean> specialById) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read tokenizer config: " + e.getMessage(), e);
        }
        readAddedTokens(file, bytes, added, specialById);
    }

    /** {@link #readAddedTokens(Path, Map, Map)} on the file's bytes (package-private for the fuzz target). */
    static void readAddedTokens(Path file, byte[] bytes, Map<String, Integer> added, Map<Integer, Boolean> specialById) {
        List<Map.Entry<Integer, Map.Entry<String, Boolean>>> entries = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new ModelFormatException(file, "not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (!field.equals("added_tokens_decoder") || v != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int id;
                    try {
                        id = Integer.parseInt(key);
                    } catch (NumberFormatException ex) {
                        throw new ModelFormatException(file, "added token id " + quote(key) + " is not an integer");
                    }
                    if (id < 0 || id > FlatJsonObjectReader.MAX_ID) {
                        throw new ModelFormatException(file, "added token id " + id + " out of range");
                    }
                    if (p.nextToken() != JsonToken.START_OBJECT) {
                        throw new ModelFormatException(file, "added token " + id + " is not an object");
                    }
                    String content = null;
                    boolean special = false;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        JsonToken t = p.nextToken();
                        if (name.equals("content") && t == JsonToken.VALUE_STRING) content = p.getText();
                        else if (name.equals("special")) special = t == JsonToken.VALUE_TRUE;
                        else p.skipChildren();
                    }
                    if (content == null || content.isEmpty()) {
                        throw new ModelFormatException(file, "added token " + id + " has no content");
                    }
                    entries.add(Map.entry(id, Map.entry(content, special)));
                }
            }
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read tokenizer config: " + e.getMessage(), e);
        }
        entries.sort(Map.Entry.comparingByKey());
        for (Map.Entry<Integer, Map.Entry<String, Boolean>> e : entries) {
            added.put(e.getValue().getKey(), e.getKey());
            specialById.put(e.getKey(), e.getValue().getValue());
        }
    }

    /**
     * merges.txt as transformers' slow Qwen2Tokenizer reads it (optional "#version:" first line, blank lines
     * skipped, two whitespace-separated tokens per line, rank = order of first occurrence); strict like HF's
     * BPE builder: every part and every merged token must be in vocab.json. Works on the raw bytes: the byte
     * alphabet has no whitespace, so ASCII blanks are the only separators.
     */
    private static ByteLevelBpe.PairTable readMerges(Path file, TokenTable vocab) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "tokenizer merges not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read merges: " + e.getMessage(), e);
        }
        ByteLevelBpe.PairTable table = new ByteLevelBpe.PairTable(b.length / 9 + 16);
        byte[] joined = new byte[256];
        int rank = 0;
        int lineNo = 0;
        int pos = 0;
        while (pos < b.length) {
            int nl = pos;
            while (nl < b.length && b[nl] != '\n') nl++;
            int s = pos, e = nl;
            pos = nl + 1;
            lineNo++;
            while (s < e && isBlank(b[s])) s++;
            while (e > s && isBlank(b[e - 1])) e--;
            if (s == e || (lineNo == 1 && startsWith(b, s, e, "#version:"))) continue;
            int sp = s;
            while (sp < e && !isBlank(b[sp])) sp++;
            int s2 = sp;
            while (s2 < e && isBlank(b[s2])) s2++;
            int e2 = s2;
            while (e2 < e && !isBlank(b[e2])) e2++;
            if (sp == e || e2 != e) {
                throw new ModelFormatException(file, "line " + lineNo + ": expected two tokens: "
                        + quote(new String(b, s, e - s, StandardCharsets.UTF_8)));
            }
            int la = sp - s, lc = e2 - s2;
            if (joined.length < la + lc) joined = new byte[2 * (la + lc)];
            System.arraycopy(b, s, joined, 0, la);
            System.arraycopy(b, s2, joined, la, lc);
            int ia = vocab.id(b, s, la), ic = vocab.id(b, s2, lc), iac = vocab.id(joined, 0, la + lc);
            if (ia < 0 || ic < 0 || iac < 0) {
                String a = new String(b, s, la, StandardCharsets.UTF_8), c = new String(b, s2, lc, StandardCharsets.UTF_8);
                String missing = ia < 0 ? a : ic < 0 ? c : a + c;
                throw new ModelFormatException(file, "line " + lineNo + ": merge token " + quote(missing)
                        + " is not in vocab.json");
            }
            if (table.add(ia, ic, rank, iac)) rank++;
        }
        return table;
    }

    private static boolean isBlank(byte c) { return c == ' ' || c == '\t' || c == '\r' || c == 0x0B || c == '\f'; }

    private static boolean startsWith(byte[] b, int s, int e, String prefix) {
        if (e - s < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) if (b[s + i] != prefix.charAt(i)) return false;
        return true;
    }

    private static String quote(String s) {
        return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }

    // ---- small primitive buffers ----

    private static final class IntList {
        private int[] a;
        private int n;

        IntList(int cap) { a = new int[Math.max(4, cap)]; }

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        void addAll(int[] v) {
            if (n + v.length > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + v.length));
            System.arraycopy(v, 0, a, n, v.length);
            n += v.length;
        }

        int[] toArray() { return Arrays.copyOf(a, n); }
    }

    private static final class ByteBuf {
        private byte[] a = new byte[64];
        private int n;

        int size() { return n; }

        void add(byte b) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = b;
        }

        void addAll(byte[] v) { for (byte b : v) add(b); }

        void truncate(int m) { n = m; }

        /** Appends the buffered bytes as UTF-8 (malformed sequences become U+FFFD) and empties the buffer. */
        void flushTo(StringBuilder sb) {
            if (n == 0) return;
            sb.append(new String(a, 0, n, StandardCharsets.UTF_8));
            n = 0;
        }
    }
}
