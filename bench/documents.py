"""Generated documents: what the font fallback (GNU Unifont, for characters DejaVu lacks) costs.

    .venv/bin/python -m bench.run --only documents

The limit is the same document made with DejaVu alone (no fallback font configured), measured in the same
run; the ratio is limit ÷ measured (1.0 = no cost). Two documents: a Vietnamese-only list of 138 finalists
(round X's figure, DOMAIN.md), which must not pay for the fallback at all, and the same list with one title
in Chinese, which loads Unifont once. Nothing fails on a timing."""

from __future__ import annotations

import statistics
import time

from award import pdf

FINALISTS = 138  # round X's finalists (DOMAIN.md "Since round IX")


def _document(titles: list[str]) -> bytes:
    doc = pdf.Document("Danh sách tác phẩm vào chung khảo")
    doc.heading("DANH SÁCH TÁC PHẨM VÀO VÒNG CHUNG KHẢO")
    doc.grid(["STT", "Tên tác phẩm", "Tác giả"],
             [[str(i), title, "Nguyễn Thị Hằng; Trần Văn Đức"] for i, title in enumerate(titles, start=1)], [12, 120, 58])
    return doc.render()


def _time(titles: list[str], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        _document(titles)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run(repeat: int = 5) -> dict:
    vietnamese = [f"Loạt bài: Người giữ lửa ở chi bộ vùng biên, kỳ {i}" for i in range(FINALISTS)]
    mixed = [*vietnamese[:-1], "Đảng viên trẻ 青年党员 giữ lửa ở bản làng"]
    _time(vietnamese, 1)  # fonts' first load, imports
    with_fallback = {"vietnamese_s": _time(vietnamese, repeat), "mixed_s": _time(mixed, repeat)}
    saved = pdf.FALLBACK_FONTS
    try:
        pdf.FALLBACK_FONTS = ()
        pdf._fallback_cmaps.cache_clear()
        limit_s = _time(vietnamese, repeat)
    finally:
        pdf.FALLBACK_FONTS = saved
        pdf._fallback_cmaps.cache_clear()
    return {"finalists": FINALISTS, "repeat": repeat, "limit_s": round(limit_s, 3),
            "vietnamese_s": round(with_fallback["vietnamese_s"], 3), "mixed_s": round(with_fallback["mixed_s"], 3),
            "vietnamese_ratio": round(limit_s / with_fallback["vietnamese_s"], 2),
            "mixed_ratio": round(limit_s / with_fallback["mixed_s"], 2)}


if __name__ == "__main__":
    print(run())
