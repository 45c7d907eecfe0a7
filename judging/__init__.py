"""Judging: pure rules for scoring and assigning entries (Chấm giải).

`judging.ranking` turns submitted score sheets into totals and a ranking (mean, median, trimmed mean
or per-judge z-score), with the tie-break and the flags the secretariat acts on; `judging.assignment`
proposes which judges score which entries (conflicts of interest, capacity, balanced load).

Nothing here touches the database, FastAPI or the settings: functions take plain values and return
plain values, so the same rules serve the pages, the API, the exports and the tests.
"""
