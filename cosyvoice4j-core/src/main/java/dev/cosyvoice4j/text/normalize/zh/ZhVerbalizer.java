package dev.cosyvoice4j.text.normalize.zh;

/**
 * The verbalizer side: WeTextProcessing's TokenParser reorders the fields of a token by TOKEN_ORDERS
 * (tn/chinese/normalizer.py: date year month day; fraction denominator numerator; measure denominator numerator
 * value; money value currency; time noon hour minute second) and each class's verbalizer strips the markup,
 * adding 分之 (fraction) or 每 (measure with a denominator). The erhua token is deleted only with remove_erhua.
 */
final class ZhVerbalizer {
    private final boolean removeErhua;

    ZhVerbalizer(boolean removeErhua) {
        this.removeErhua = removeErhua;
    }

    void verbalize(Token t, StringBuilder out) {
        switch (t.name()) {
            case "date" -> out.append(t.get("year")).append(t.get("month")).append(t.get("day"));
            case "fraction" -> out.append(t.get("denominator")).append("分之").append(t.get("numerator"));
            case "measure" -> {
                if (t.has("denominator")) out.append('每').append(t.get("denominator")).append(t.get("numerator"));
                else out.append(t.get("value"));
            }
            case "money" -> out.append(t.get("value")).append(t.get("currency"));
            case "time" -> out.append(t.get("noon")).append(t.get("hour")).append(t.get("minute")).append(t.get("second"));
            case "sport" -> out.append(t.get("team")).append(t.get("score"));
            case "whitelist" -> {
                if (t.has("erhua")) {
                    if (!removeErhua) out.append(t.get("erhua"));
                } else {
                    out.append(t.get("value"));
                }
            }
            default -> out.append(t.get("value")); // cardinal, char, math, range
        }
    }
}
