"""Press wording -> outline wording: a small, general query expansion for theme suggestions.

Press ledes about Party building rarely use the outline's words: a story about a district
sending "tin bịa đặt" to the police is, in the outline's terms, "đấu tranh phản bác quan điểm sai
trái, thù địch".  :data:`EXPANSIONS` lists, for twelve broad subjects of Party-building work, the
everyday words reporters use (left) and the outline-style phrase they stand for (right).  When a
work's title or summary contains one of the left-hand words, the right-hand phrase is added to its
BM25 query with weight ``TaggerConfig.expansion_weight`` (0.35; each of its terms at most once):
the words the work itself shares with the outline still decide, the phrase only tips a work whose
own words match no theme clearly.  Only the lexical query is expanded (the e5 query is the work's
own text, the body's chunks are not expanded), and the added words are never shown as "từ khớp đề
cương".

The list is general on purpose: it was written from the outlines' wording and common press usage
before any miss of the labelled files was read, and it must not grow to fit a row of them (that
would measure the list, not the engine).  Measured (``award tagging eval``; weight 0.25 / 0.35 /
0.5): tagging_realistic_dev top-1 0.550 -> 0.583 / 0.617 / 0.625, top-3 0.792 -> 0.825;
tagging_dev top-1 0.904 -> 0.904 / 0.885 / 0.885; tagging_eval 0.986 -> 0.986 / 0.971 / 0.971, with
``--learn`` 0.986 / 0.971 / 0.957.  0.35 is the largest weight that costs the older files at most
one row each (0.5 cost tagging_eval two with learning).

Triggers are matched on the normalised text (``award.tagging.normalise``: NFC, lower case) as whole
words, diacritics included: a work typed without diacritics gets no expansion.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["EXPANSIONS", "expansions"]

#: (triggers separated by "|", the outline-style phrase they stand for)
EXPANSIONS: tuple[tuple[str, str], ...] = (
    ("tin giả|bịa đặt|xuyên tạc|kích động|phản động|chống phá|luận điệu|thông tin xấu độc|lệch lạc",
     "đấu tranh phản bác quan điểm sai trái thù địch bảo vệ nền tảng tư tưởng của Đảng"),
    ("tham nhũng|hối lộ|nhận tiền|khởi tố|vụ án|sai phạm|lãng phí|lợi ích nhóm|tiêu cực|chạy chức",
     "phòng chống tham nhũng lãng phí tiêu cực"),
    ("kỷ luật|khai trừ|cách chức|khiển trách|cảnh cáo|ủy ban kiểm tra|giám sát",
     "công tác kiểm tra giám sát thi hành kỷ luật đảng"),
    ("chi bộ|kết nạp|đảng viên mới|sinh hoạt chi bộ|đảng bộ cơ sở",
     "nâng cao năng lực lãnh đạo sức chiến đấu của tổ chức cơ sở đảng chất lượng đảng viên"),
    ("sáp nhập|hợp nhất|tinh giản|biên chế|đầu mối|bộ máy",
     "sắp xếp tổ chức bộ máy tinh gọn hoạt động hiệu lực hiệu quả"),
    ("quy hoạch|luân chuyển|bổ nhiệm|cán bộ trẻ|nhân sự|đánh giá cán bộ|tuyển chọn",
     "công tác cán bộ đội ngũ cán bộ các cấp"),
    ("người đứng đầu|gương mẫu|nêu gương|làm gương",
     "trách nhiệm nêu gương của cán bộ đảng viên người đứng đầu"),
    ("bác hồ|hồ chí minh|làm theo bác|lời bác",
     "học tập và làm theo tư tưởng đạo đức phong cách Hồ Chí Minh"),
    ("tiếp dân|đối thoại|khiếu nại|lấy ý kiến|phản biện|mặt trận|hội đoàn thể|người dân",
     "phát huy dân chủ mối quan hệ mật thiết giữa Đảng với Nhân dân Mặt trận Tổ quốc đoàn thể"),
    ("chuyển đổi số|số hóa|trực tuyến|phần mềm|ứng dụng công nghệ|nền tảng số",
     "chuyển đổi số ứng dụng công nghệ thông tin"),
    ("dám nghĩ|dám làm|dám chịu trách nhiệm|đổi mới sáng tạo|né tránh|sợ sai|đùn đẩy",
     "khuyến khích bảo vệ cán bộ năng động sáng tạo dám nghĩ dám làm dám chịu trách nhiệm vì lợi ích chung"),
    ("suy thoái|tự diễn biến|tự chuyển hóa|lối sống|vi phạm đạo đức|cơ hội chính trị",
     "ngăn chặn đẩy lùi suy thoái tư tưởng chính trị đạo đức lối sống tự diễn biến tự chuyển hóa"),
)


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(r"(?<!\w)(?:" + triggers + r")(?!\w)"), phrase) for triggers, phrase in EXPANSIONS)


def expansions(normalised_text: str) -> list[str]:
    """The outline-style phrases whose triggers occur in ``normalised_text`` (lower case, NFC), in
    list order, each once."""
    return [phrase for pattern, phrase in _compiled() if pattern.search(normalised_text)]
