"""The keywords' segmenter: jieba-rs gives jieba's own words, and the keywords jieba would."""

from pathlib import Path

import jieba
import jieba.analyse
import rjieba

from tousu.flows.metrics.keywords import TOP, top_words

SENTENCES = Path(__file__).parents[1] / "data" / "jieba_test_sentences.txt"


def test_jieba_rs_segments_jiebas_own_test_sentences_as_jieba_does():
    sentences = SENTENCES.read_text(encoding="utf-8").splitlines()
    assert len(sentences) == 82
    differ = [s for s in sentences if rjieba.cut(s) != list(jieba.cut(s))]
    assert differ == []


def test_the_keywords_are_those_of_jiebas_own_extractor():
    text = SENTENCES.read_text(encoding="utf-8") + "快递三天没到，客服电话打不通，要求退款。\n" * 5
    expected = [
        (w, round(x, 4), text.count(w))
        for w, x in jieba.analyse.extract_tags(text, topK=TOP * 3, withWeight=True)
        if not any(c.isdigit() for c in w)
    ][:TOP]
    assert top_words(text) == expected
    assert expected[0][0] == "退款"  # the repeated complaint's word leads
