"""The secretariat's console for rounds: the list with "Tạo đợt giải mới", a settings page per round (one
form per section, every field's error at once), opening the round, ending a phase early, and the units'
quotas (edited in place, or exported and imported as XLSX, all or nothing)."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import select

from award import calendar, rounds, spreadsheets
from award.calendar import CALENDAR_FIELDS, CALENDAR_LABELS, Phase, allows, phase, refusal, require_phase
from award.errors import Checks, Invalid, NotFound, named
from award.models import Role, Round
from award.outlines import outline_tree
from award.rules import (
    DOCUMENT_TEXT_LABELS,
    FILE_KINDS,
    LIMIT_LABELS,
    MEDIA_TYPES,
    PRIZE_LEVELS,
    SIGNATORY_LABELS,
    STAGE_LABELS,
    STAGE_NUMBER_LABELS,
    RoundRules,
    rule_label,
)
from award.text import upfirst
from judging import round_setup
from api.deps import NowDep, SessionDep, WebUser, load_round, web_role
from api.forms import import_refusal, read_import_file, submit
from api.limits import file_cap
from api.openapi import Id
from api.security import verify_csrf
from api.templating import points, render

router = APIRouter(dependencies=[Depends(verify_csrf), web_role(Role.secretariat)], include_in_schema=False)

QUOTAS_FILE = "Tệp chỉ tiêu"  # the import form's file field, as its label names it
SECTIONS = {
    "calendar": "Lịch và giai đoạn",
    "limits": "Điều kiện dự giải và giới hạn",
    "media": "Loại hình và thể loại",
    "rubric": "Thang điểm",
    "panels": "Tiểu ban sơ khảo",
    "prizes": "Cơ cấu giải và giải chuyên đề",
    "council": "Hội đồng chung khảo",
    "completeness": "Hồ sơ đầy đủ theo loại hình",
    "stages": "Các vòng chấm",
    "documents": "Văn bản: cơ quan ban hành và người ký",
}
# The forms' labels are the domain's, so a refusal names a field as the form shows it (award/rules.py).
STAGE_NAMES = STAGE_LABELS
STAGE_FLAGS = {"blind": "Chấm kín: giám khảo không thấy tên tác giả, bút danh, cơ quan",
               "share_scores": "Giám khảo thấy điểm của nhau sau khi nộp phiếu",
               "comments_to_council": "Hội đồng chung khảo đọc nhận xét của vòng này (không kèm tên giám khảo)"}
STAGE_NUMBERS = STAGE_NUMBER_LABELS
DOCUMENT_TEXTS = DOCUMENT_TEXT_LABELS
SIGNATORIES = SIGNATORY_LABELS
LIMITS = LIMIT_LABELS
EXTRA_ROWS = 2  # blank rows under a list (criteria, subpanels, thematic prizes) to add one


# --- the list of rounds and "Tạo đợt giải mới" ------------------------------------------------------

def _rounds_page(request, session, now, values: dict, errors: dict, status: int = 200):
    all_rounds = session.exec(select(Round).order_by(Round.year.desc())).all()
    return render(request, "admin/rounds.html", {
        "rounds": all_rounds, "phases": rounds.phases(all_rounds, now), "values": values, "errors": errors,
        "calendar_fields": [(f, CALENDAR_LABELS[f]) for f in CALENDAR_FIELDS],
        "copy_options": [(r.id, upfirst(r.label)) for r in all_rounds]}, status)


def _new_round_values(session, now) -> dict:
    years = session.exec(select(Round.year)).all()
    year = max(years) + 1 if years else now.year
    values: dict[str, Any] = {"year": str(year), "number": _next_number(session)}
    newest = session.exec(select(Round).order_by(Round.year.desc())).first()
    values["copy_from"] = str(newest.id) if newest else ""
    values.update({f"calendar.{f}": d.isoformat() for f, d in calendar.default_calendar(year).items()})
    return values


def _next_number(session) -> str:
    numbers = [rounds.roman_value(n) for n in session.exec(select(Round.number)).all()]
    return _roman(max(numbers) + 1) if numbers and all(numbers) else ""


_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


@router.get("/admin/rounds", name="rounds:list")
def list_rounds(request: Request, session: SessionDep, now: NowDep):
    return _rounds_page(request, session, now, _new_round_values(session, now), {})


def _date(value: str, field: str, label: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(named(label, "hãy nhập một ngày (ngày/tháng/năm)."), field=field) from None


@router.post("/admin/rounds", name="rounds:create")
async def create_round(request: Request, session: SessionDep, now: NowDep, user: WebUser):
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}

    def create():
        checks = Checks()  # what the form itself cannot read, then everything the domain refuses, at once
        dates: dict[str, Any] = {}
        for f in CALENDAR_FIELDS:
            with checks.field(f"calendar.{f}"):
                dates[f] = None
                dates[f] = _date(values.get(f"calendar.{f}", ""), f"calendar.{f}", CALENDAR_LABELS[f])
        year_text = values.get("year", "").strip()
        checks.require(year_text.isdigit(), "year", "Năm phải là một số, ví dụ 2026.")
        source = None
        if values.get("copy_from", "").strip():
            source = session.get(Round, int(values["copy_from"])) if values["copy_from"].isdigit() else None
            checks.require(source is not None, "copy_from", "Không có đợt giải này để sao chép.")
        created = None
        with checks.field("number"):
            created = round_setup.create_round(
                session, number=values.get("number", ""), year=int(year_text) if year_text.isdigit() else 0,
                name=values.get("name"), calendar=dates, copy_from=source, actor_id=user.id, now=now)
        checks.done()
        return created

    return submit(request, session, create, default_field="number",
                  redisplay=lambda errors, status: _rounds_page(request, session, now, values, errors, status),
                  success=lambda r: request.url_for("rounds:settings", round_id=r.id),
                  message=lambda r: (f"Đã tạo đợt giải {r.label}, đang ở giai đoạn chuẩn bị. "
                                     "Hãy kiểm tra thể lệ rồi mở đợt giải."))


# --- the settings page --------------------------------------------------------------------------------

def _flat(round_: Round) -> dict[str, str]:
    """Every field of every section as the forms name them, from the round as saved."""
    rules = RoundRules.model_validate(round_.rules)
    v: dict[str, str] = {"name": round_.name, "publication_start": round_.publication_start.isoformat(),
                         "publication_end": round_.publication_end.isoformat()}
    v.update({f"calendar.{f}": getattr(round_, f).isoformat() for f in CALENDAR_FIELDS})
    v.update({f"rules.{k}": str(getattr(rules, k)) for k in LIMITS})
    v.update({f"rules.media_types.{m}": "on" for m in rules.media_types})
    v["rules.genres"] = "\n".join(rules.genres)
    # one line of comma-separated genres per media type: the ten of a media type read at a glance in three lines,
    # where one per line hid all but two in each box
    v.update({f"rules.media_genres.{m}": ", ".join(g) for m, g in rules.media_genres.items()})
    v["rules.rubric_total"] = points(rules.rubric_total)
    for i, c in enumerate(rules.rubric):
        v.update({f"rules.rubric.{i}.code": c.code, f"rules.rubric.{i}.label": c.label,
                  f"rules.rubric.{i}.max_points": points(c.max_points)})
        if c.bonus:
            v[f"rules.rubric.{i}.bonus"] = "on"
    for i, p in enumerate(rules.panels):
        v.update({f"rules.panels.{i}.code": p.code, f"rules.panels.{i}.name": p.name,
                  f"rules.panels.{i}.genres": ", ".join(p.genres),
                  f"rules.panels.{i}.target": str(rules.shortlist_targets.get(p.code, ""))})
        v.update({f"rules.panels.{i}.media_types.{m}": "on" for m in p.media_types})
    v.update({f"rules.prize_counts.{k}": str(getattr(rules.prize_counts, k)) for k in PRIZE_LEVELS})
    for i, t in enumerate(rules.thematic_prizes):
        v[f"rules.thematic_prizes.{i}.name"] = t.name
        v.update({f"rules.thematic_prizes.{i}.themes.{code}": "on" for code in t.themes})
    v["rules.council.quorum"] = points(rules.council.quorum)
    v["rules.council.threshold"] = points(rules.council.threshold)
    for m, kinds in rules.completeness.items():
        v.update({f"rules.completeness.{m}.{k}": "on" for k in kinds})
    for stage, settings in rules.stages.items():
        v.update({f"rules.stages.{stage}.{k}": "on" for k in STAGE_FLAGS if getattr(settings, k)})
        v.update({f"rules.stages.{stage}.{k}": str(getattr(settings, k)) for k in STAGE_NUMBERS})
    v.update({f"rules.documents.{k}": getattr(rules.documents, k) for k in DOCUMENT_TEXTS})
    for k in SIGNATORIES:
        signer = getattr(rules.documents, k)
        v.update({f"rules.documents.{k}.title": signer.title, f"rules.documents.{k}.name": signer.name})
    return v


def _rows(values: dict, prefix: str) -> int:
    """How many rows of a list the form shows: the highest index present, plus blank ones to add."""
    indexes = [int(k[len(prefix):].split(".")[0]) for k in values if k.startswith(prefix)
               and k[len(prefix):].split(".")[0].isdigit()]
    return (max(indexes) + 1 if indexes else 0) + EXTRA_ROWS


def _themes(session, round_: Round) -> list[tuple[str, str]]:
    """The outline's themes (or its points where a section has no themes) a thematic prize may reward."""
    out: list[tuple[str, str]] = []

    def walk(nodes, depth):
        for node in nodes:
            if node.kind == "theme" or (node.kind == "point" and depth == 1):
                out.append((node.code, node.title))
            if node.kind == "section":
                walk(node.children, depth + 1)

    walk(outline_tree(session, round_id=round_.id), 0)
    return out


def _settings_page(request, session, round_: Round, now, *, section: str | None = None, submitted: dict | None = None,
                   errors: dict | None = None, status: int = 200):
    values = _flat(round_)
    if section and submitted is not None:  # what was typed in the refused section, shown again
        for key in [k for k in values if _section_of(k) == section]:
            del values[key]
        values.update(submitted)
    rules = RoundRules.model_validate(round_.rules)
    current = phase(round_, now)
    return render(request, "admin/round.html", {
        "round": round_, "rules": rules, "v": values, "errors": errors or {}, "failed": section,
        "phase": current, "timeline": rounds.timeline(round_, now), "today": calendar.today(now),
        "sections": SECTIONS, "limits": LIMITS, "stage_names": STAGE_NAMES, "stage_flags": STAGE_FLAGS,
        "stage_numbers": STAGE_NUMBERS, "document_texts": DOCUMENT_TEXTS, "signatories": SIGNATORIES,
        "media_types": MEDIA_TYPES, "prize_levels": PRIZE_LEVELS,
        "file_kinds": FILE_KINDS, "themes": _themes(session, round_),
        "calendar_fields": [(f, CALENDAR_LABELS[f]) for f in CALENDAR_FIELDS],
        "rubric_rows": _rows(values, "rules.rubric."), "panel_rows": _rows(values, "rules.panels."),
        "thematic_rows": _rows(values, "rules.thematic_prizes."),
        "editable": allows(round_, now, "round.settings"), "locked": refusal(round_, now, "round.settings"),
        "can_end_phase": allows(round_, now, "round.end_phase"),
        "can_open": round_.draft and allows(round_, now, "round.settings")}, status)


def _section_of(key: str) -> str | None:
    if key in ("name", "publication_start", "publication_end") or key.startswith("calendar."):
        return "calendar"
    parts = key.split(".")
    if parts[0] != "rules" or len(parts) < 2:
        return None
    return {"media_types": "media", "genres": "media", "media_genres": "media", "rubric": "rubric",
            "rubric_total": "rubric", "local_rubric": "rubric", "panels": "panels", "shortlist_targets": "panels",
            "prize_counts": "prizes", "thematic_prizes": "prizes", "council": "council",
            "completeness": "completeness"}.get(parts[1], "limits" if parts[1] in LIMITS else None)


@router.get("/admin/rounds/{round_id}", name="rounds:settings")
def settings(round_id: Id, request: Request, session: SessionDep, now: NowDep):
    return _settings_page(request, session, load_round(round_id, session), now)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _listed(values: dict, prefix: str, fields: tuple[str, ...]) -> list[tuple[int, dict]]:
    """The rows of a list in the form, as (row index in the form, its fields), blank rows left out."""
    out = []
    for i in range(_rows(values, prefix)):
        row = {f: values.get(f"{prefix}{i}.{f}", "").strip() for f in fields}
        if any(row.values()):
            out.append((i, row))
    return out


def _parse(section: str, values: dict, round_: Round) -> tuple[dict, dict | None, dict[str, str]]:
    """(changes, rules, {domain field: form field}) of a section's form; the map puts each error back on the
    row of the form it came from when blank rows were left out."""
    remap: dict[str, str] = {}
    if section == "calendar":
        changes: dict[str, Any] = {"name": values.get("name", "")}
        checks = Checks()
        for f, label in [("publication_start", "Tác phẩm đăng, phát từ ngày"),
                         ("publication_end", "Tác phẩm đăng, phát đến ngày")] + [
                (f, CALENDAR_LABELS[f]) for f in CALENDAR_FIELDS]:
            key = f if f.startswith("publication") else f"calendar.{f}"
            with checks.field(key):
                changes[f] = _date(values.get(key, ""), key, label)
        checks.done()
        return changes, None, remap
    if section == "limits":
        return {}, {k: values.get(f"rules.{k}", "").strip() for k in LIMITS}, remap
    if section == "media":
        chosen = [m for m in MEDIA_TYPES if values.get(f"rules.media_types.{m}")]
        genres = [g for g in (line.strip() for line in values.get("rules.genres", "").splitlines()) if g]
        per_media = {m: _lines(values.get(f"rules.media_genres.{m}", "")) for m in chosen}
        return {}, {"media_types": chosen, "genres": genres,
                    "media_genres": {m: g for m, g in per_media.items() if g}}, remap
    if section == "rubric":
        rubric = []
        for n, (i, row) in enumerate(_listed(values, "rules.rubric.", ("code", "label", "max_points"))):
            # people write decimals with a comma (30,5): the number is the same
            rubric.append({**row, "max_points": row["max_points"].replace(",", "."),
                           "bonus": bool(values.get(f"rules.rubric.{i}.bonus"))})
            remap.update({f"rules.rubric.{n}.{f}": f"rules.rubric.{i}.{f}" for f in ("code", "label", "max_points")})
        return {}, {"rubric": rubric, "rubric_total": values.get("rules.rubric_total", "").strip().replace(",", ".")}, remap
    if section == "panels":
        panels, targets = [], {}
        for n, (i, row) in enumerate(_listed(values, "rules.panels.", ("code", "name", "genres", "target"))):
            panels.append({"code": row["code"], "name": row["name"], "genres": _lines(row["genres"]),
                           "media_types": [m for m in MEDIA_TYPES if values.get(f"rules.panels.{i}.media_types.{m}")]})
            remap.update({f"rules.panels.{n}.{f}": f"rules.panels.{i}.{f}" for f in ("code", "name", "genres",
                                                                                   "media_types")})
            if row["target"]:
                targets[row["code"]] = row["target"] if not row["target"].isdigit() else int(row["target"])
                remap[f"rules.shortlist_targets.{row['code']}"] = f"rules.panels.{i}.target"
        return {}, {"panels": panels, "shortlist_targets": targets}, remap
    if section == "prizes":
        prizes = []
        for n, (i, row) in enumerate(_listed(values, "rules.thematic_prizes.", ("name",))):
            prefix = f"rules.thematic_prizes.{i}.themes."
            codes = [k.removeprefix(prefix) for k in values if k.startswith(prefix)]
            prizes.append({"name": row["name"], "themes": codes})
            remap[f"rules.thematic_prizes.{n}.name"] = f"rules.thematic_prizes.{i}.name"
        return {}, {"prize_counts": {k: values.get(f"rules.prize_counts.{k}", "").strip() for k in PRIZE_LEVELS},
                    "thematic_prizes": prizes}, remap
    if section == "council":
        return {}, {"council": {k: values.get(f"rules.council.{k}", "").strip().replace(",", ".")
                                for k in ("quorum", "threshold")}}, remap
    if section == "completeness":
        rules = RoundRules.model_validate(round_.rules)
        return {}, {"completeness": {m: [k for k in FILE_KINDS if values.get(f"rules.completeness.{m}.{k}")]
                                     for m in rules.media_types}}, remap
    if section == "stages":
        rules = RoundRules.model_validate(round_.rules)
        stages = {}
        for stage in STAGE_NAMES:
            kept = rules.stages[stage].model_dump(mode="json") if stage in rules.stages else {}
            kept.update({k: bool(values.get(f"rules.stages.{stage}.{k}")) for k in STAGE_FLAGS})
            kept.update({k: values.get(f"rules.stages.{stage}.{k}", "").strip() for k in STAGE_NUMBERS})
            stages[stage] = kept
        return {}, {"stages": stages}, remap
    if section == "documents":
        documents = {k: values.get(f"rules.documents.{k}", "").strip() for k in DOCUMENT_TEXTS}
        documents.update({k: {"title": values.get(f"rules.documents.{k}.title", "").strip(),
                              "name": values.get(f"rules.documents.{k}.name", "").strip()} for k in SIGNATORIES})
        return {}, {"documents": documents}, remap
    raise NotFound("Không có mục cài đặt này.", code="not_found")


def _on_form_rows(field: str, message: str, remap: dict[str, str]) -> tuple[str, str]:
    """A refusal put back on the row of the form it came from (blank rows were left out of what the domain
    saw): the field, and the message's label naming that row ("Tiêu chí 3 – Mã", not the domain's "Tiêu chí 2")."""
    target = remap.get(field, field)
    said, meant = rule_label(field), rule_label(target)
    if target != field and message.startswith(said + ":"):
        message = meant + message[len(said):]
    return target, message


@router.post("/admin/rounds/{round_id}/settings/{section}", name="rounds:save")
async def save_section(round_id: Id, section: str, request: Request, session: SessionDep, now: NowDep, user: WebUser):
    round_ = load_round(round_id, session)
    if section not in SECTIONS:
        raise NotFound("Không có mục cài đặt này.", code="not_found")
    form = await request.form()
    values = {k: str(v) for k, v in form.multi_items() if isinstance(v, str) and k != "csrf_token"}
    remap: dict[str, str] = {}

    def save():
        require_phase(round_, now, "round.settings")  # before reading the form: a closed phase says so first
        changes, rules, fields = _parse(section, values, round_)
        remap.update(fields)
        return round_setup.update_round(session, round_=round_, changes=changes, rules=rules, status=None,
                                        actor=user, now=now)

    def redisplay(errors, status):
        session.refresh(round_)
        shown = dict(_on_form_rows(f, m, remap) for f, m in errors.items())
        return _settings_page(request, session, round_, now, section=section, submitted=values, errors=shown,
                              status=status)

    return submit(request, session, save, redisplay=redisplay, default_field="form",
                  success=str(request.url_for("rounds:settings", round_id=round_.id)) + f"#{section}",
                  message=f"Đã lưu mục “{SECTIONS[section]}”.")


@router.post("/admin/rounds/{round_id}/open", name="rounds:open")
def open_round(round_id: Id, request: Request, session: SessionDep, now: NowDep, user: WebUser):
    round_ = load_round(round_id, session)

    def open_():
        require_phase(round_, now, "round.settings")  # a closed round reopens through the API only
        return round_setup.update_round(session, round_=round_, changes={}, rules=None, status="open", actor=user,
                                        now=now)

    def message(r):
        current = phase(r, now)
        if current == Phase.draft:
            return (f"Đã mở đợt giải. Đợt giải bắt đầu nhận tác phẩm từ ngày {r.submission_opens:%d/%m/%Y}; "
                    "đến lúc đó vẫn ở giai đoạn chuẩn bị.")
        return f"Đã mở đợt giải: đợt giải đang ở giai đoạn “{calendar.PHASE_LABELS[current]}”."

    return submit(request, session, open_,
                  redisplay=lambda errors, status: _settings_page(request, session, round_, now, errors=errors,
                                                                  status=status),
                  success=request.url_for("rounds:settings", round_id=round_.id), message=message)


@router.post("/admin/rounds/{round_id}/end-phase", name="rounds:end_phase")
def end_phase(round_id: Id, request: Request, session: SessionDep, now: NowDep, user: WebUser,
              expected: Annotated[str, Form(max_length=32)] = ""):
    round_ = load_round(round_id, session)

    def end():
        require_phase(round_, now, "round.end_phase")
        if expected not in Phase.__members__:
            raise Invalid("Trang đã cũ; hãy tải lại trang.", field="phase")
        return rounds.end_phase_early(session, round_=round_, expected=Phase(expected), actor=user, now=now)

    return submit(request, session, end,
                  redisplay=lambda errors, status: _settings_page(request, session, round_, now, errors=errors,
                                                                  status=status),
                  success=str(request.url_for("rounds:settings", round_id=round_.id)) + "#calendar",
                  message=lambda r: (f"Đã kết thúc sớm giai đoạn “{calendar.PHASE_LABELS[Phase(expected)]}”. Đợt giải "
                                     f"chuyển sang “{calendar.PHASE_LABELS[phase(r, now)]}”."))


# --- quotas ------------------------------------------------------------------------------------------

def _quotas_page(request, session, round_: Round, now, *, typed: dict | None = None, errors: dict | None = None,
                 sheet_errors: list | None = None, import_fields: dict | None = None, status: int = 200):
    rows = round_setup.quota_rows(session, round_)
    return render(request, "admin/quotas.html", {
        "round": round_, "rows": rows, "typed": typed or {}, "errors": errors or {}, "sheet_errors": sheet_errors or [],
        "import_fields": import_fields or {},
        "total": sum(r.quota for r in rows), "phase": phase(round_, now),
        "editable": allows(round_, now, "quota.set"), "locked": refusal(round_, now, "quota.set")}, status)


@router.get("/admin/rounds/{round_id}/quotas", name="rounds:quotas")
def quotas(round_id: Id, request: Request, session: SessionDep, now: NowDep):
    return _quotas_page(request, session, load_round(round_id, session), now)


@router.post("/admin/rounds/{round_id}/quotas", name="rounds:quotas_save")
async def save_quotas(round_id: Id, request: Request, session: SessionDep, now: NowDep, user: WebUser):
    round_ = load_round(round_id, session)
    form = await request.form()
    typed = {k: str(v) for k, v in form.items() if k.startswith("quota-") and isinstance(v, str)}
    order: list[int] = []

    def save():
        require_phase(round_, now, "quota.set")
        lines = []
        for key, raw in typed.items():
            unit = key.removeprefix("quota-")
            unit_id = int(unit) if unit.isdigit() else unit
            raw = raw.strip()
            lines.append((unit_id, int(raw) if raw.isdigit() else raw))
            order.append(unit_id)
        return round_setup.set_quotas(session, round_=round_, quotas=lines, actor=user, now=now)

    def redisplay(errors, status):
        shown = {}
        for field, message in errors.items():
            parts = field.split(".")
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(order):
                shown[f"quota-{order[int(parts[1])]}"] = message
            else:
                shown[field] = message
        return _quotas_page(request, session, round_, now, typed=typed, errors=shown, status=status)

    return submit(request, session, save, redisplay=redisplay,
                  success=request.url_for("rounds:quotas", round_id=round_.id),
                  message=lambda n: f"Đã lưu chỉ tiêu ({n} đơn vị thay đổi).")


@router.get("/admin/rounds/{round_id}/quotas.xlsx", name="rounds:quotas_export")
def export_quotas(round_id: Id, session: SessionDep):
    round_ = load_round(round_id, session)
    data = round_setup.quota_sheet(session, round_)
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="chi-tieu-lan-{round_.number}.xlsx"'})


@router.post("/admin/rounds/{round_id}/quotas/import", name="rounds:quotas_import")
def import_quotas(round_id: Id, request: Request, session: SessionDep, now: NowDep, user: WebUser,
                  file: Annotated[UploadFile | None, File()] = None):
    round_ = load_round(round_id, session)
    problems: list = []

    def load():
        require_phase(round_, now, "quota.set")
        data = read_import_file(file, label=QUOTAS_FILE, choose="Hãy chọn tệp Excel (.xlsx) chỉ tiêu.",
                                cap=file_cap("sheet"))
        try:
            return round_setup.import_quotas(session, round_=round_, data=data, actor=user, now=now)
        except spreadsheets.ImportFailed as exc:
            problems.extend(exc.errors)
            raise

    def redisplay(errors, status):
        fields, others = import_refusal(errors)
        return _quotas_page(request, session, round_, now, errors=others, sheet_errors=problems,
                            import_fields={} if problems else fields, status=status)

    return submit(request, session, load, redisplay=redisplay,
                  success=request.url_for("rounds:quotas", round_id=round_.id),
                  message=lambda n: f"Đã nhập chỉ tiêu từ tệp ({n} đơn vị thay đổi).")
