#!/usr/bin/env python3
"""Writes reference-vectors.json for the cosyvoice4j text tests (not run by the build).

Sources, all independent of the Java code:
  * the official cosyvoice/utils/frontend_utils.py (FunAudioLLM/CosyVoice @ ace7c47), imported as is
    (needs the `regex` module);
  * inflect (jaraco/inflect; CosyVoice pins 7.3.1) for number_to_words;
  * a small reference Qwen2 tokenizer below: `regex`-module pre-tokenizer with the HF pattern, classic
    GPT-2 BPE loop (lowest rank first, all occurrences), leftmost-longest added-token split, NFC;
  * text_normalize: the body of CosyVoiceFrontEnd.text_normalize with text_frontend == '' (no ttsfrd/wetext).

Usage: make_reference_vectors.py <dir with frontend_utils.py> <inflect sys.path dir> <CosyVoice-BlankEN dir>
                                 <official cosyvoice/tokenizer/tokenizer.py> <out.json>
"""
import ast
import json
import random
import re
import sys
import unicodedata
from functools import partial

sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
import regex  # noqa: E402
import inflect  # noqa: E402
import frontend_utils as fu  # noqa: E402

BLANK_EN = sys.argv[3]
TOKENIZER_PY = sys.argv[4]
OUT = sys.argv[5]


def cosyvoice3_specials():
    """The additional_special_tokens list of CosyVoice3Tokenizer, read from the official source."""
    src = open(TOKENIZER_PY, encoding='utf-8').read()
    i = src.index('class CosyVoice3Tokenizer')
    j = src.index("'additional_special_tokens': [", i) + len("'additional_special_tokens': ")
    k = src.index(']', src.index('"[ǜ]"', j) + len('"[ǜ]"'))
    return ast.literal_eval(src[j:k + 1])

PAT = regex.compile(r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


class RefTokenizer:
    def __init__(self, d, specials):
        self.encoder = json.load(open(d + '/vocab.json', encoding='utf-8'))
        merges = []
        with open(d + '/merges.txt', encoding='utf-8') as f:
            for i, line in enumerate(f):
                line = line.strip()
                if (i == 0 and line.startswith('#version:')) or not line:
                    continue
                merges.append(tuple(line.split()))
        self.ranks = dict(zip(merges, range(len(merges))))
        self.b2u = bytes_to_unicode()
        cfg = json.load(open(d + '/tokenizer_config.json'))
        self.added = {v['content']: int(k) for k, v in cfg['added_tokens_decoder'].items()}
        nxt = max(max(self.encoder.values()), max(self.added.values())) + 1
        for s in specials:
            if s not in self.added:
                self.added[s] = nxt
                nxt += 1
        alts = sorted(self.added, key=len, reverse=True)
        self.split_re = re.compile('|'.join(re.escape(a) for a in alts))

    def bpe(self, word):
        parts = list(word)
        while len(parts) > 1:
            pairs = [(self.ranks.get((parts[i], parts[i + 1]), 1 << 60), i) for i in range(len(parts) - 1)]
            best = min(pairs)[0]
            if best == 1 << 60:
                break
            first, second = [(parts[i], parts[i + 1]) for r, i in pairs if r == best][0]
            out, i = [], 0
            while i < len(parts):
                if i < len(parts) - 1 and parts[i] == first and parts[i + 1] == second:
                    out.append(first + second)
                    i += 2
                else:
                    out.append(parts[i])
                    i += 1
            parts = out
        return [self.encoder[p] for p in parts]

    def encode(self, text):
        ids, pos = [], 0
        for m in self.split_re.finditer(text):
            ids += self._ordinary(text[pos:m.start()])
            ids.append(self.added[m.group(0)])
            pos = m.end()
        return ids + self._ordinary(text[pos:])

    def _ordinary(self, span):
        ids = []
        for piece in PAT.findall(unicodedata.normalize('NFC', span)):
            ids += self.bpe(''.join(self.b2u[b] for b in piece.encode('utf-8')))
        return ids


def text_normalize(text, tokenizer, inflect_parser, split=True):
    """CosyVoiceFrontEnd.text_normalize with self.text_frontend == '' (verbatim logic)."""
    if '<|' in text and '|>' in text:
        return [text] if split is True else text
    if text == '':
        return [text] if split is True else text
    text = text.strip()
    if fu.contains_chinese(text):
        text = text.replace("\n", "")
        text = fu.replace_blank(text)
        text = fu.replace_corner_mark(text)
        text = text.replace(".", "。")
        text = text.replace(" - ", "，")
        text = fu.remove_bracket(text)
        text = re.sub(r'[，,、]+$', '。', text)
        texts = list(fu.split_paragraph(text, tokenizer.encode, "zh", token_max_n=80, token_min_n=60, merge_len=20, comma_split=False))
    else:
        text = fu.spell_out_number(text, inflect_parser)
        texts = list(fu.split_paragraph(text, tokenizer.encode, "en", token_max_n=80, token_min_n=60, merge_len=20, comma_split=False))
    texts = [i for i in texts if not fu.is_only_punctuation(i)]
    return texts if split is True else text


def main():
    rnd = random.Random(20251201)
    eng = inflect.engine()
    tok = RefTokenizer(BLANK_EN, cosyvoice3_specials())
    out = {}

    nums = ['0', '00', '1', '01', '001', '7', '10', '11', '12', '19', '20', '21', '40', '99', '100', '101', '110', '115',
            '999', '1000', '1001', '1005', '1010', '1100', '1986', '2024', '2025', '10000', '100000', '1000000',
            '1000001', '1234567', '1000000000', '123456789012', '9' * 36, '1' + '0' * 35, '0123', '٣', '١٢', '٠٠١٢٣٤',
            '²', '1²', '３', '12³', '①', '१९८६']
    nums += [str(rnd.randint(0, 10 ** rnd.randint(1, 15))) for _ in range(60)]
    out['number_to_words'] = [[n, eng.number_to_words(n)] for n in nums]

    sents = ['Call 555-0123 at 3:45pm on 2024-12-31, pay $1,234.56 (about 12% off) x100000.',
             'I have 2 cats and 10 dogs.', 'x² + y³', 'No digits here', '', 'Room 101, floor 3', 'version 3.0.1',
             'Arabic ٣ and Devanagari १२ digits', '007 and 0']
    out['spell_out_number'] = [[s, fu.spell_out_number(s, eng)] for s in sents]

    blanks = ['中 文', 'a b', '中 a', 'a 中', 'Hello 世界 and 你好 world', ' a b', 'a  b', '中文 English 混合 text 测试']
    out['replace_blank'] = [[s, fu.replace_blank(s)] for s in blanks]

    puncts = ['', '。', '...', '!?', '$+', 'a', '。a', '【】', '…', '—', '“”', ' ', '！\n', '😀', '©®', '12']
    out['is_only_punctuation'] = [[s, fu.is_only_punctuation(s)] for s in puncts]

    def words(s):
        return s.split()
    paragraphs = [
        ('zh', '你好。今天天气很好！我们去公园吧？好的'),
        ('zh', '这是一个很长的句子' * 12 + '。第二句。'),
        ('zh', '第一句话说完了。' * 15),
        ('zh', '他说：“你好。”然后走了。'),
        ('zh', '。开头就是句号'),
        ('en', 'Hello world. This is a test! Is it? Yes; it is: really'),
        ('en', ' '.join(['word'] * 50) + '. ' + ' '.join(['more'] * 50) + '. tail end.'),
        ('en', 'He said "hi." Then he left.'),
        ('en', ('Short one. ' * 30).strip()),
        ('en', 'A' * 10),
    ]
    sp = []
    for lang, p in paragraphs:
        for comma in (False, True):
            sp.append([lang, p, comma, fu.split_paragraph(p, words, lang, token_max_n=20, token_min_n=10, merge_len=5, comma_split=comma)])
    out['split_paragraph_words'] = sp

    tn = ['收到好友从远方寄来的生日礼物，那份意外的惊喜与深深的祝福让我心中充满了甜蜜的快乐，笑容如花儿般绽放。',
          '八百标兵奔北坡，北坡炮兵并排跑，炮兵怕把标兵碰，标兵怕碰炮兵炮。',
          '  今天是2025年12月1日，气温3.5度 - 天气不错（晴）【注意】`防晒`——出门吧，，',
          '面积是10m²，体积是5m³、',
          '我们在 2025 年发布了 CosyVoice 3.0 版本，支持 zero-shot TTS！',
          'The quick brown fox jumps over the lazy dog. Performance optimization is the key to a better user experience.',
          'Call 555-0123 at 3:45pm on 2024-12-31, pay $1,234.56 (about 12% off) x100000.',
          'You are a helpful assistant.<|endofprompt|>希望你以后能够做的比我还好呦。',
          '   ', '...', 'Hi', '\n\nline one\nline two\n',
          ' '.join(['This is sentence number %d of a long paragraph that keeps going.' % i for i in range(1, 13)]),
          ''.join(['这是第%d句话，它有一些内容，用来测试长段落的切分是否正确。' % i for i in range(1, 12)]),
          'He said "Stop." She said "Go!" They laughed.',
          '中文。。。English!!! 123']
    res = []
    for t in tn:
        try:
            segs = text_normalize(t, tok, eng, True)
            whole = text_normalize(t, tok, eng, False)
        except IndexError as e:
            segs, whole = None, 'IndexError'
        res.append([t, segs, whole])
    out['text_normalize'] = res

    # random strings for the tokenizer: mixed scripts, spaces, newlines, digits, punctuation, emoji, apostrophes
    alphabet = (list("abcXYZ ſ'’\"\t\n\r  .,;:!?-—…()[]<>|") + list('中文字日本語한국어Привет') + list('0123456789٣१²①Ⅻ')
                + ['\u00a0', '\u3000', '\u2028', '\u001c', '\u0085', 'é', 'e\u0301', 'A\u030a', 'ﬁ', '👍', '🏽', '😀', '\u200d',
                   "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", '<|endofprompt|>', '[breath]', '<strong>'])
    rs = []
    for _ in range(300):
        s = ''.join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        rs.append([s, tok.encode(s)])
    out['tokenizer_random'] = rs

    json.dump(out, open(OUT, 'w', encoding='utf-8'), ensure_ascii=False, indent=0)


main()
