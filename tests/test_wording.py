"""How the product speaks to people: one form of address everywhere.

Journalists, committee members and judges are addressed as "anh/chị" (as the e-mails always did); a page that
says "bạn" next to one that says "anh/chị" reads as two products. "bạn bè" (friends) and "bạn đọc" (readers)
are words of their own, not an address.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("static/js/*.js"),
           *(p for d in ("api", "award", "judging") for p in (ROOT / d).rglob("*.py"))]
ADDRESS = re.compile(r"(?<![^\W\d_])[Bb]ạn(?![^\W\d_])(?! bè| đọc)")


def test_people_are_addressed_as_anh_chi_on_every_page_message_and_mail():
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}"
             for path in SOURCES for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if ADDRESS.search(line)]
    assert found == []


def test_the_check_finds_the_address_and_leaves_other_words_alone():
    assert ADDRESS.search("Bạn đã thao tác quá nhiều lần.") and ADDRESS.search("phân công cho bạn.")
    assert not ADDRESS.search("bạn đọc") and not ADDRESS.search("bạn bè quốc tế") and not ADDRESS.search("ban hành")
