"""Reading the whole work in chunks, and learning from confirmed works (award.tagging_learn)."""

import numpy as np

from award.tagging_eval import evaluate, load_round_taggers
from award.tagging_learn import ExampleSet, map_units

INSPECTION = (
    "Ủy ban kiểm tra các cấp tăng cường kiểm tra tổ chức đảng và đảng viên khi có dấu hiệu vi phạm, "
    "giám sát chuyên đề và thi hành kỷ luật đảng nghiêm minh, phát hiện sớm sai phạm."
)
FILLER = "Buổi sáng trời nắng nhẹ, người dân đi chợ đông vui, trẻ em đến trường đúng giờ. "


def _tagger(name="VIII"):
    return load_round_taggers(rounds=[name])[name]


def test_a_theme_mentioned_only_deep_in_the_extracted_text_is_found():
    tagger = _tagger()
    inspection = tagger.suggest("Kiểm tra", INSPECTION).codes[0]
    body = FILLER * 300 + INSPECTION + " " + FILLER * 20  # the theme ~4,000 words in
    result = tagger.suggest("Ghi chép từ một xã vùng cao", "", body)
    assert result.codes[0] == inspection
    assert "“" in result.items[0].why  # the matched outline words of the deep chunk are named


def test_nearest_confirmed_works_vote_and_secretariat_counts_double():
    tagger = _tagger()
    text = ("Ghi chép ở một xã", "Chuyện về cán bộ xã gần dân, lắng nghe dân và làm theo nguyện vọng của dân.")
    before = tagger.suggest(*text)
    vector = before.vector
    author, corrected = before.codes[2], before.codes[3]
    # two works worded the same: one confirmed by its author, one corrected by the secretariat
    examples = ExampleSet(tagger, np.vstack([vector, vector]), [[author], [corrected]], [1.0, 2.0], ["a", "b"])
    after = tagger.suggest(*text, learned=examples, key="new")
    gain = {s.code: s.score - next(b.score for b in before.items if b.code == s.code) for s in after.items}
    assert gain[corrected] > gain[author] > 0
    why = {s.code: s.why for s in after.items}
    assert f"giống 1 tác phẩm đã xác nhận chủ đề {corrected}" in why[corrected]
    assert after.items[0].why  # the five best say why
    # a work is never its own neighbour
    own = tagger.suggest(*text, learned=ExampleSet(tagger, vector[None, :], [[author]], [1.0], ["self"]), key="self")
    assert own.codes == before.codes


def test_the_why_names_only_confirmed_works_the_work_really_resembles():
    """The kind: "giống 1 tác phẩm đã xác nhận chủ đề 2.4" under every theme of any text, a rice-harvest story
    included, because the ten nearest confirmed works always exist. Named only from LearnConfig.resemble_cos:
    the same story retold is; another story of the same round, and an unrelated one, are not (their small vote
    still counts)."""
    tagger = _tagger("IX")
    story = ("Bí thư xã từ chức sau sai phạm đất đai",
             "Sau kết luận của Ủy ban Kiểm tra, bí thư đảng ủy xã xin từ chức vì để xảy ra sai phạm trong giao đất.")
    retold = ("Một bí thư đảng ủy xã xin thôi chức vì sai phạm giao đất",
              "Ủy ban Kiểm tra kết luận có sai phạm trong giao đất ở xã; bí thư đảng ủy đã làm đơn xin từ chức.")
    other = ("Chi bộ khu phố họp bàn chuyện rác thải", "Chi bộ khu phố họp định kỳ, bàn việc dân sinh và vệ sinh.")
    rice = ("Mùa lúa chín ở miền Tây", "Nông dân thu hoạch lúa trên những cánh đồng mẫu lớn.")
    confirmed = tagger.suggest(*story)
    code = confirmed.codes[1]
    examples = ExampleSet(tagger, confirmed.vector[None, :], [[code]], [2.0], ["confirmed"])
    for text, named in ((retold, True), (other, False), (rice, False)):
        plain, learned = tagger.suggest(*text), tagger.suggest(*text, learned=examples, key="new")
        said = " ".join(s.why for s in learned.items)
        assert ("giống 1 tác phẩm đã xác nhận chủ đề " + code in said) is named, (text[0], said)
        gain = {s.code: s.score for s in learned.items}[code] - {s.code: s.score for s in plain.items}[code]
        assert gain >= 0  # its vote counts, however small


def test_eval_learn_is_leave_one_out_and_changes_the_figures():
    tagger = _tagger("IX")
    title, summary = "Chuyện ở một chi bộ", "Chi bộ khu phố họp định kỳ, bàn việc dân sinh và giữ gìn trật tự."
    third = tagger.suggest(title, summary).codes[2]
    rows = [{"round": "IX", "title": title, "text": summary, "themes": [third]} for _ in range(9)]
    taggers = {"IX": tagger}
    plain = evaluate(rows, taggers)
    learned = evaluate(rows, taggers, learn=True)
    assert plain["top1"] == 0 and "learn" not in plain
    assert learned["learn"] is True and learned["top1"] == 1.0


def test_a_past_rounds_themes_map_onto_this_rounds_closest():
    vii, viii = _tagger("VII"), _tagger("VIII")
    mapping = map_units(vii, viii)
    titles = {u.code: u.title for u in viii.units}
    # themes carried over word for word map onto themselves; a theme VIII dropped maps nowhere close
    for past in ("2.1", "2.2", "2.5", "2.8", "2.10"):
        code, _ = mapping[past]
        assert titles[code][:60] == next(u.title for u in vii.units if u.code == past)[:60]
    assert "2.9" not in mapping  # "Phát huy vai trò … cơ quan dân cử": no such theme in VIII


def test_a_re_tag_in_batches_ranks_each_work_as_one_batch_would():
    """The worker's re-tag (award.themes.retag_round) sends one batch to the model while it reads and ranks the
    others (RoundTagger.suggest_batches): every work gets the ranking and the why suggest_many gives it, in
    order, with a work left out of its own votes, an empty batch and a work without text among them."""
    tagger = _tagger()
    texts = [("Kiểm tra", INSPECTION), ("Ghi chép ở một xã", FILLER, INSPECTION), ("", ""),
             ("Chi bộ vùng biên", "Sinh hoạt chi bộ ở đồn biên phòng, kết nạp đảng viên trẻ."), ("Kỷ luật", INSPECTION)]
    alone = tagger.suggest_many(texts)
    examples = ExampleSet(tagger, np.vstack([alone[0].vector, alone[4].vector]), [["2.4"], ["1.1"]], [1.0, 1.0],
                          ["k0", "k4"])
    keys = ["k0", "k1", "k2", "k3", "k4"]
    items = list(zip(texts, keys))  # (text, key): what a re-tag's works are to suggest_batches
    batches = [items[:2], [], items[2:3], items[3:]]
    got = [r for batch in tagger.suggest_batches(iter(batches), text=lambda item: item[0], key=lambda item: item[1],
                                                 learned=examples) for _, r in batch]
    want = tagger.suggest_many(texts, learned=examples, keys=keys)
    assert [r.codes for r in got] == [r.codes for r in want]
    assert [[(s.score, s.why) for s in r.items] for r in got] == [[(s.score, s.why) for s in r.items] for r in want]
    assert not any("giống" in s.why for s in got[0].items if s.code == "2.4")  # k0 never votes for itself
    assert got[2].weak and got[2].items[0].score == 0.0


def _realistic(filename, round_name):
    from pathlib import Path

    from award.tagging_eval import load_rows

    path = Path(__file__).resolve().parents[1] / "data" / filename
    return [r for r in load_rows(path) if r["round"] == round_name]


def _signal_examples(tagger, rows):
    """The rows as confirmed works of the round, with the signals their ranking computed (as the eval's --learn)."""
    results = tagger.suggest_many([(r["title"], r["text"]) for r in rows])
    keys = list(range(len(rows)))
    return ExampleSet(tagger, np.vstack([r.vector for r in results]), [r["themes"] for r in rows],
                      [1.0] * len(rows), keys, signals=[r.signals for r in results])


def test_a_rounds_signal_weights_follow_how_its_confirmed_works_are_written():
    """Works told in a journalist's words (realistic ledes) teach their round to lean on the example press
    pieces' words rather than the outline's; works in the outline's own words leave the weights about as they were."""
    tagger = _tagger()
    prior = tagger.signal_weights()
    press_worded = _signal_examples(tagger, _realistic("tagging_realistic_dev.jsonl", "VIII")).fit_weights()
    assert press_worded[1] > prior[1] + 0.1 and press_worded[0] < prior[0] - 0.1, press_worded
    outline_worded = _signal_examples(tagger, _realistic("tagging_dev.jsonl", "VIII")).fit_weights()
    assert np.abs(outline_worded - prior).max() < np.abs(press_worded - prior).max(), (outline_worded, press_worded)


def test_the_weights_a_work_is_ranked_with_leave_the_work_out_and_need_eight_confirmed_works():
    tagger = _tagger()
    rows = _realistic("tagging_realistic_dev.jsonl", "VIII")[:12]
    examples = _signal_examples(tagger, rows)
    for key in (0, 5, 11):
        others = _signal_examples(tagger, [r for i, r in enumerate(rows) if i != key])
        assert np.allclose(examples.signal_weights_for(key), others.fit_weights())
    assert not np.allclose(examples.signal_weights_for(0), examples.signal_weights_for(5))
    assert examples.signal_weights_for("a new work") is not None  # fitted on all twelve
    few = _signal_examples(tagger, rows[:8])
    assert few.fit_weights() is not None and few.signal_weights_for(0) is None  # seven others: the tagger's own
    stored = ExampleSet(tagger, examples.vectors, [r["themes"] for r in rows], [1.0] * 12, list(range(12)),
                        signal_weights=np.array([0.5, 2.0, 0.5]))
    assert stored.signal_weights_for(3).tolist() == [0.5, 2.0, 0.5]  # the round's stored weights, for every work


def test_weights_change_the_ranking_as_the_signals_say():
    tagger = _tagger()
    row = _realistic("tagging_realistic_dev.jsonl", "VIII")[0]
    plain = tagger.suggest(row["title"], row["text"])
    press = np.argsort(-plain.signals[1])[0]
    only_press = ExampleSet(tagger, np.zeros((0, 384)), [], [], [], signal_weights=np.array([0.0, 1.0, 0.0]))
    learned = tagger.suggest(row["title"], row["text"], learned=only_press, key="new")
    assert learned.codes[0] == tagger.units[press].code
