package dev.cosyvoice4j.text.normalize.zh;

import java.util.List;

/** Port of tn/chinese/rules/char.py: any single character passes through (class weight 100, the fallback). */
final class CharGrammar implements ZhGrammar {
    @Override
    public void match(ZhInput in, int start, Sink out) {
        if (start < in.n) out.accept(start + 1, 0, () -> List.of(of(in.cp[start])));
    }

    static Token of(int codePoint) {
        return new Token("char", "value", Character.toString(codePoint));
    }
}
