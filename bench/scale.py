"""3. Ten times the national scale: a generated round IX with 25,000 works, 600 central judges and
75,000 score sheets on PostgreSQL, inserted with SQLAlchemy core. The pages are then requested in
this process (the real app, its real engine), timing each request and counting the SQL statements
it issues, first at 2,500 works and again at 25,000.

Runs as its own process (`python -m bench.scale OUT.json`): the app's settings are read once, from
the environment set up by `run()`. The slowest page is profiled with pyinstrument (5.)."""

from __future__ import annotations

import json
import logging
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.common import ROOT, app_env, fresh_database, migrate, pct

PASSWORD = "BenchMatKhau2024"
# The round's default subpanels (award/rules.py DEFAULT_PANELS): works are placed in them as routing does.
PANELS = {"print1": "print", "print2": "print", "online": "online", "tv": "tv", "radio": "radio", "photo": "photo"}
# Shares of the IX round (789 print, 725 online, 576 TV, 329 radio, 125 photo of 2,544).
MEDIA_MIX = [("print", 789), ("online", 725), ("tv", 576), ("radio", 329), ("photo", 125)]
GENRES = {"print": ["xã luận", "bình luận", "phóng sự", "điều tra", "ký"],
          "online": ["phóng sự", "emagazine/multimedia", "bình luận"],
          "tv": ["phóng sự", "phim tài liệu", "tọa đàm"], "radio": ["phóng sự", "phỏng vấn", "tọa đàm"],
          "photo": ["ảnh đơn", "bộ ảnh"]}
STATUS_MIX = [("eligible", 80), ("received", 10), ("ineligible", 4), ("submitted", 6)]
SHEETS_PER_ENTRY = 3
REPEAT = 30
# The app's clock for this section: round IX awaiting approval, when its results are decided (award/calendar.py
# refuses that in any other phase since the process model; BENCH_NOW, in the submission phase, is the surge's).
SCALE_NOW = "2025-01-22T09:00:00+07:00"
BUDGET_MS = 10_000  # per page and size
FINALISTS = 137  # round IX sent 137 works to the final
COUNCIL = 30


# --- generating the round ----------------------------------------------------------------------

class Generator:
    def __init__(self, engine: sa.Engine, seed: int = 2024):
        from sqlmodel import Session

        from award.models import Round, Unit
        from judging.stages import rubric_for

        self.engine, self.rng = engine, random.Random(seed)
        with Session(engine) as s:
            self.round = s.exec(sa.select(Round).where(Round.number == "IX")).scalar_one()
            self.rubric = rubric_for(s, self.round, __import__("judging.models").models.Stage.preliminary)
            self.units = [u.id for u in s.exec(sa.select(Unit).order_by(Unit.id)).scalars()]
            self.theme_ids = self._tagging_node_ids(s)
        self.now = datetime(2024, 11, 20, 3, 0, tzinfo=UTC)
        self.next_entry = 1
        self.judges: dict[str, list[int]] = {}
        self.journalists: list[int] = []

    def _tagging_node_ids(self, s) -> list[int]:
        from award.models import OutlineNode
        from award.themes import round_units

        codes = [u.code for u in round_units(s, self.round.id)]
        return list(s.exec(sa.select(OutlineNode.id).where(OutlineNode.round_id == self.round.id,
                                                            OutlineNode.code.in_(codes))).scalars())

    def people(self, judges: int, journalists: int) -> None:
        """Accounts share one argon2 hash (hashing 9,000 passwords is not what is measured)."""
        from award.models import Role, User
        from award.users import password_hash
        from judging.models import JudgeMembership

        hashed = password_hash.hash(PASSWORD)
        with self.engine.begin() as conn:
            ids = conn.execute(sa.insert(User.__table__).returning(User.__table__.c.id), [
                {"email": f"giamkhao{i}@bench.vn", "full_name": f"Giám khảo {i}", "password_hash": hashed,
                 "role": Role.judge.value, "is_active": True} for i in range(judges)]).scalars().all()
            panels = list(PANELS)
            weights = [2, 2, 2, 2, 1, 1]  # print and TV panels are the largest
            members = []
            for i, uid in enumerate(ids):
                panel = self.rng.choices(panels, weights)[0] if i >= len(panels) else panels[i]
                self.judges.setdefault(panel, []).append(uid)
                members.append({"round_id": self.round.id, "user_id": uid, "stage": "preliminary", "panel_code": panel})
            conn.execute(sa.insert(JudgeMembership.__table__), members)
            self.journalists = conn.execute(sa.insert(User.__table__).returning(User.__table__.c.id), [
                {"email": f"tacgia{i}@bench.vn", "full_name": f"Tác giả {i}", "password_hash": hashed,
                 "role": Role.journalist.value, "unit_id": self.units[i % len(self.units)], "is_active": True}
                for i in range(journalists)]).scalars().all()

    def entries(self, n: int, chunk: int = 2500) -> None:
        for start in range(0, n, chunk):
            self._entry_chunk(min(chunk, n - start))
        with self.engine.begin() as conn:
            for table in ("entry", "entry_author", "entry_part", "assignment"):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT coalesce(max(id), 1) FROM {table}))"))
        self.score_rows()
        with self.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))

    def score_rows(self) -> None:
        """The per-work aggregates the application keeps as each sheet is submitted (judging.entry_scores),
        worked out in bulk for the sheets inserted above; `rebuild_s` is kept as a figure."""
        from sqlmodel import Session

        from award.models import Round
        from judging import stages
        from judging.models import Stage

        t = time.perf_counter()
        with Session(self.engine) as s:
            stages.rebuild_scores(s, round_=s.get(Round, self.round.id), stage=Stage.preliminary)
            s.commit()
        self.rebuild_s = round(time.perf_counter() - t, 2)

    def _entry_chunk(self, n: int) -> None:
        from award.models import Entry, EntryAuthor, EntryPart, EntryTheme
        from judging.models import Assignment, PanelPlacement

        rng = self.rng
        entries, authors, parts, tags, sheets, placements = [], [], [], [], [], []
        media_types, media_w = zip(*MEDIA_MIX)
        statuses, status_w = zip(*STATUS_MIX)
        for _ in range(n):
            eid = self.next_entry
            self.next_entry += 1
            media = rng.choices(media_types, media_w)[0]
            status = rng.choices(statuses, status_w)[0]
            n_parts = 1 if rng.random() < 0.75 else rng.randint(2, 5)
            published = date(2023, 11, 1) + timedelta(days=rng.randint(0, 330))
            entries.append({
                "id": eid, "round_id": self.round.id, "unit_id": rng.choice(self.units), "owner_id": rng.choice(self.journalists),
                "title": f"{'Loạt bài' if n_parts > 1 else 'Tác phẩm'} số {eid}: xây dựng Đảng ở cơ sở",
                "media_type": media, "genre": rng.choice(GENRES[media]), "language": "vi",
                "summary": "Tác phẩm phản ánh công tác xây dựng, chỉnh đốn Đảng và hệ thống chính trị ở cơ sở. "
                           * rng.randint(1, 4),
                "hardship": rng.random() < 0.05, "hardship_note": "", "prior_awards": [], "transcript": "",
                "extracted_text": "", "status": status, "client_token": None, "version": 1,
                "created_at": self.now, "updated_at": self.now, "submitted_at": self.now})
            for k in range(rng.choices([1, 2, 3, 4], [55, 25, 15, 5])[0]):
                authors.append({"entry_id": eid, "position": k, "full_name": f"Tác giả {eid}-{k}", "pen_name": None,
                                "email": None, "outlet": "Báo Thử", "name_key": f"tac gia {eid}-{k}"})
            for k in range(n_parts):
                url = f"https://baothu.vn/{eid}-{k}.html" if media in ("print", "online") else None
                parts.append({"entry_id": eid, "position": k, "title": f"Kỳ {k + 1}" if n_parts > 1 else None,
                              "outlet": "Báo Thử", "published_on": published + timedelta(days=7 * k), "url": url,
                              "url_key": url, "broadcast_slot": None if url else "20h00"})
            for node in rng.sample(self.theme_ids, rng.choice([0, 1, 1, 1, 2, 2])):
                tags.append({"entry_id": eid, "outline_node_id": node, "source": "author",
                             "confirmed_by": entries[-1]["owner_id"], "created_at": self.now})
            if status in ("eligible", "received"):
                panel = self._panel(media, eid)
                placements.append({"entry_id": eid, "round_id": self.round.id, "panel_code": panel, "manual": False,
                                   "placed_by": None, "placed_at": self.now})
                for judge in rng.sample(self.judges[panel], SHEETS_PER_ENTRY):
                    submitted = rng.random() < 0.9
                    scores = {c.code: str(rng.randint(int(c.max_points * 4 // 10), int(c.max_points)))
                              for c in self.rubric if not c.bonus} if submitted else {}
                    sheets.append({"round_id": self.round.id, "stage": "preliminary", "entry_id": eid, "judge_id": judge,
                                   "scores": scores, "comment": "", "submitted_at": self.now if submitted else None,
                                   "created_at": self.now, "updated_at": self.now})
        with self.engine.begin() as conn:
            conn.execute(sa.insert(Entry.__table__), entries)
            conn.execute(sa.insert(EntryAuthor.__table__), authors)
            conn.execute(sa.insert(EntryPart.__table__), parts)
            if tags:
                conn.execute(sa.insert(EntryTheme.__table__), tags)
            if sheets:
                conn.execute(sa.insert(Assignment.__table__), sheets)
                conn.execute(sa.insert(PanelPlacement.__table__), placements)

    def _panel(self, media: str, eid: int) -> str:
        if media == "print":  # commentaries go to print1, reportage and the rest to print2 (about 1 in 3)
            return "print1" if eid % 3 == 0 else "print2"
        return media


# --- measuring the pages -----------------------------------------------------------------------

class Counter:
    """SQL statements sent on the app's engine (SQLAlchemy `before_cursor_execute`)."""

    def __init__(self, engine: sa.Engine):
        self.n = 0
        sa.event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args) -> None:
        self.n += 1


def pages(round_id: int, unit_id: int) -> dict[str, tuple[str, str]]:
    """name -> (who, URL): what each role opens most."""
    rid = round_id
    return {
        "entry list API (secretariat, filtered, page 3)": (
            "secretariat", f"/api/v1/entries?round_id={rid}&status=eligible&media_type=tv&page=3&per_page=20"),
        # page 1: at 2,500 works the unit has fewer than 50 eligible, and an empty page 2 skips a query
        "entry list page (unit, filtered, page 1)": ("unit", f"/unit/entries?round_id={rid}&status=eligible&page=1"),
        "judge's queue page": ("judge", "/judging"),
        "ranking API (preliminary, whole round)": ("secretariat", f"/api/v1/rounds/{rid}/stages/preliminary/ranking"),
        "ranking API (preliminary, page 3 of 100 rows)": (
            "secretariat", f"/api/v1/rounds/{rid}/stages/preliminary/ranking?offset=200&limit=100"),
        "subpanel ranking page (print 2, the largest)": ("secretariat", f"/central/{rid}/panels/print2"),
        "subpanel ranking page (print 2, page 5)": ("secretariat", f"/central/{rid}/panels/print2?page=5"),
        "coverage page": ("secretariat", f"/rounds/{rid}/coverage"),
        "coverage API": ("secretariat", f"/api/v1/rounds/{rid}/coverage"),
        "public results page": ("public", f"/rounds/{rid}/results"),
        "public results API": ("public", f"/api/v1/rounds/{rid}/results"),
        "public statistics page": ("public", f"/rounds/{rid}/statistics"),
    }


def final_stage(engine, gen: "Generator") -> dict:
    """The top of the ranking goes to the final; a council of 30 votes on every finalist; the tally and
    the allocation within the prize counts are timed; the list is proposed, approved and published
    (ties decided as allocated), so the public pages have a real list to show."""
    from sqlmodel import Session

    from award.models import Entry, Role, Round, User
    from award.users import password_hash
    from judging import council, publication, stages
    from judging.models import Ballot, JudgeMembership, Stage

    rng = gen.rng
    with Session(engine) as s:
        round_ = s.get(Round, gen.round.id)
        ranked = [r.entry_id for r in stages.ranking(s, round_=round_, stage=Stage.preliminary, method="mean")
                  if r.rank is not None][:FINALISTS]
        s.exec(sa.update(Entry).where(Entry.id.in_(ranked)).values(status="finalist"))
        members = [uid for panel in sorted(gen.judges) for uid in gen.judges[panel]][:COUNCIL]
        s.execute(sa.insert(JudgeMembership), [{"round_id": round_.id, "user_id": uid, "stage": "final"} for uid in members])
        levels = ["special", "A", "B", "C", "KK", "none"]
        ballots = []
        for position, entry_id in enumerate(ranked):
            centre = min(5, 1 + position * 5 // FINALISTS)  # the higher ranked, the higher the ballots
            for uid in members:
                level = levels[max(0, min(5, centre + rng.choice([-1, 0, 0, 0, 1])))]
                ballots.append({"round_id": round_.id, "entry_id": entry_id, "judge_id": uid, "level": level,
                                "thematic": None, "cast_at": gen.now, "updated_at": gen.now})
        s.execute(sa.insert(Ballot), ballots)
        hashed = password_hash.hash(PASSWORD)
        sec = User(email="thuky.final@bench.vn", full_name="Thư ký", password_hash=hashed, role=Role.secretariat)
        approver = User(email="bcd@bench.vn", full_name="Ban Chỉ đạo", password_hash=hashed, role=Role.approver)
        s.add_all([sec, approver])
        s.commit()
        t = time.perf_counter()
        state = council.state(s, round_=round_)
        tally_s = time.perf_counter() - t
        overrides = {w.entry_id: w.allocated for w in state.tally.works if "tie" in w.flags}
        t = time.perf_counter()
        now = datetime.fromisoformat(SCALE_NOW)  # the app's clock: the list must be public to it
        publication.propose(s, round_=round_, actor=sec, now=now, overrides=overrides)
        publication.approve(s, round_=round_, actor=approver, now=now)
        publication.publish(s, round_=round_, actor=sec, now=now)
        publish_s = time.perf_counter() - t
        s.commit()
        prizes = len(publication.prizes(s, round_id=round_.id))
    return {"finalists": len(ranked), "council": len(members), "ballots": len(ballots), "ties_decided": len(overrides),
            "tally_and_allocation_s": round(tally_s, 3), "propose_approve_publish_s": round(publish_s, 3),
            "prizes": prizes}


def login_clients(app, emails: dict[str, str]):
    from fastapi.testclient import TestClient

    from tests.factories import csrf_from

    clients = {}
    for who, email in emails.items():
        # https: production cookies are Secure
        c = TestClient(app, base_url="https://testserver")
        r = c.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        r.raise_for_status()
        c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        token = csrf_from(c.get("/login").text)
        r = c.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        clients[who] = c
    clients["public"] = TestClient(app, base_url="https://testserver")  # nobody logged in
    return clients


def measure(clients, counter: Counter, urls: dict[str, tuple[str, str]], repeat: int) -> dict:
    out = {}
    for name, (who, url) in urls.items():
        client = clients[who]
        r = client.get(url)
        assert r.status_code == 200, (name, r.status_code, r.text[:300])
        before = counter.n
        client.get(url)
        queries = counter.n - before
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            if len(times) >= 5 and sum(times) > BUDGET_MS:  # a slow page gets fewer samples, not minutes
                break
        out[name] = {"queries": queries, "samples": len(times), "p50_ms": round(pct(times, 50), 1),
                     "p95_ms": round(pct(times, 95), 1), "bytes": len(r.content)}
    return out


def ranking_time(engine, round_id: int) -> dict:
    from sqlmodel import Session

    from award.models import Round
    from judging import stages
    from judging.models import Stage

    with Session(engine) as s:
        round_ = s.get(Round, round_id)
        t = time.perf_counter()
        ranked = stages.ranking(s, round_=round_, stage=Stage.preliminary, method="mean")
        mean_s = time.perf_counter() - t
        t = time.perf_counter()
        stages.ranking(s, round_=round_, stage=Stage.preliminary, method="zscore")
        z_s = time.perf_counter() - t
        t = time.perf_counter()  # what every ranking cost before the aggregates (issue 18, item 5)
        stages.ranking_from_sheets(s, round_=round_, stage=Stage.preliminary, method="mean")
        sheets_s = time.perf_counter() - t
    return {"entries_ranked": len(ranked), "mean_s": round(mean_s, 3), "zscore_s": round(z_s, 3),
            "from_sheets_mean_s": round(sheets_s, 3)}


def profile(engine, round_id: int) -> str:
    """The slowest path is the ranking; sync routes run in a worker thread, which pyinstrument does
    not follow, so the domain call behind the page is profiled in this thread."""
    from pyinstrument import Profiler
    from sqlmodel import Session

    from award.models import Round
    from judging import stages
    from judging.models import Stage

    with Session(engine) as s:
        round_ = s.get(Round, round_id)
        profiler = Profiler(interval=0.001)
        profiler.start()
        stages.ranking(s, round_=round_, stage=Stage.preliminary, method="mean")
        profiler.stop()
    return profiler.output_text(unicode=True, color=False)


def main(out_path: str, small: int, large: int, judges: int) -> None:
    from sqlmodel import Session

    from award.models import Role, User
    from award.users import password_hash
    from api.db import get_engine
    from api.main import app

    logging.disable(logging.INFO)  # the app logs every request at INFO; the figures are what matters here
    engine = get_engine()
    gen = Generator(engine)
    t = time.perf_counter()
    gen.people(judges=judges, journalists=max(1000, large // 3))
    gen.entries(small)
    gen_small = time.perf_counter() - t
    with Session(engine) as s:
        # the unit manager of the unit with most works, the secretariat, the judge with most sheets
        unit_id = s.exec(sa.text("SELECT unit_id FROM entry GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1")).scalar()
        hashed = password_hash.hash(PASSWORD)
        for email, role, unit in (("bithu@bench.vn", Role.secretariat, None), ("donvi@bench.vn", Role.unit_manager, unit_id)):
            s.add(User(email=email, full_name="Người dùng thử", password_hash=hashed, role=role, unit_id=unit))
        s.commit()
        judge_email = s.exec(sa.text("SELECT u.email FROM assignment a JOIN user_account u ON u.id = a.judge_id "
                                     "GROUP BY u.email ORDER BY count(*) DESC LIMIT 1")).scalar()
    clients = login_clients(app, {"secretariat": "bithu@bench.vn", "unit": "donvi@bench.vn", "judge": judge_email})
    counter = Counter(engine)
    urls = pages(gen.round.id, unit_id)
    result = {"sizes": {}, "final": final_stage(engine, gen)}
    result["sizes"][str(small)] = {"generate_s": round(gen_small, 1),
                                   "scores_rebuild_s": gen.rebuild_s, "pages": measure(clients, counter, urls, REPEAT),
                                   "ranking": ranking_time(engine, gen.round.id)}
    t = time.perf_counter()
    gen.entries(large - small)
    gen_large = time.perf_counter() - t
    with engine.connect() as conn:
        counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("entry", "entry_author", "entry_part", "entry_theme", "assignment", "judge_membership")}
        counts["sheets_submitted"] = conn.execute(
            sa.text("SELECT count(*) FROM assignment WHERE submitted_at IS NOT NULL")).scalar()
    large_pages = measure(clients, counter, urls, REPEAT)
    result["sizes"][str(large)] = {"generate_s": round(gen_large, 1),
                                   "scores_rebuild_s": gen.rebuild_s, "rows": counts, "pages": large_pages,
                                   "ranking": ranking_time(engine, gen.round.id)}
    slowest = max(large_pages, key=lambda k: large_pages[k]["p95_ms"])
    result["profile"] = {"slowest_page": slowest, "profiled": "judging.stages.ranking(method='mean')",
                         "text": profile(engine, gen.round.id)}
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False, indent=1))


def run(work: Path, *, small: int = 2500, large: int = 25000, judges: int = 600) -> dict:
    database_url = fresh_database("bench_scale")
    (work / "scale").mkdir(parents=True, exist_ok=True)
    env = app_env(database_url, work / "scale", AWARD_STORAGE="local", AWARD_NOW=SCALE_NOW)
    migrate(env)
    out = work / "scale" / "result.json"
    subprocess.run([sys.executable, "-m", "bench.scale", str(out), str(small), str(large), str(judges)],
                   env=env, cwd=ROOT, check=True)
    return json.loads(out.read_text())


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
