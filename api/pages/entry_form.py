"""Reading the entry form (repeatable rows named `authors-0-full_name`, …) into domain input."""

import re
from datetime import date

from starlette.datastructures import FormData

from award import entries
from award.entries import AuthorIn, EntryIn, PartIn, PriorAwardIn
from award.errors import Invalid, field_errors

ROW_FIELDS = {
    "authors": ("full_name", "pen_name", "email", "outlet"),
    "parts": ("title", "outlet", "published_on", "url", "broadcast_slot"),
    "prior_awards": ("name", "level", "year"),
}
MIN_ROWS = {"authors": 1, "parts": 1, "prior_awards": 0}
SCALARS = ("unit_id", "title", "media_type", "genre", "summary", "hardship_note", "transcript")


def rows(form: FormData, group: str) -> list[dict[str, str]]:
    """Rows in index order; a row counts if any of its fields was sent (even empty)."""
    found: dict[int, dict[str, str]] = {}
    pattern = re.compile(rf"^{group}-(\d{{1,2}})-({'|'.join(ROW_FIELDS[group])})$")
    for key, value in form.multi_items():
        m = pattern.match(key)
        if m and isinstance(value, str):
            found.setdefault(int(m.group(1)), {})[m.group(2)] = value.strip()  # the domain refuses what is too long
    return [found[i] for i in sorted(found)]


def values_from_form(form: FormData) -> dict:
    """What the person typed, to re-render the form exactly as it was."""
    values = {k: (form.get(k) or "").strip() if isinstance(form.get(k), str) else "" for k in SCALARS}
    values["hardship"] = form.get("hardship") == "on"
    for group in ROW_FIELDS:
        values[group] = rows(form, group)
    return values


def apply_row_action(values: dict, action: str, max_rows: dict[str, int]) -> bool:
    """The no-script buttons: add-parts, remove-authors-1, … Returns True when the action was one."""
    m = re.match(r"^(add|remove)-(authors|parts|prior_awards)(?:-(\d+))?$", action or "")
    if not m:
        return False
    verb, group, index = m.group(1), m.group(2), m.group(3)
    if verb == "add" and len(values[group]) < max_rows.get(group, 20):
        values[group].append({f: "" for f in ROW_FIELDS[group]})
    elif verb == "remove" and index is not None and int(index) < len(values[group]):
        del values[group][int(index)]
    return True


def ensure_min_rows(values: dict) -> dict:
    for group, n in MIN_ROWS.items():
        while len(values[group]) < n:
            values[group].append({f: "" for f in ROW_FIELDS[group]})
    return values


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _int(text: str) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


def entry_input(values: dict) -> tuple[EntryIn, dict[str, str]]:
    """Domain input plus the errors the form itself can tell (a date that is not a date)."""
    errors: dict[str, str] = {}
    parts = []
    for i, p in enumerate(values["parts"]):
        published = _date(p.get("published_on", ""))
        if p.get("published_on") and published is None:
            errors[f"parts-{i}-published_on"] = "Ngày đăng, phát không hợp lệ (dd/mm/yyyy)."
        parts.append(PartIn(outlet=p.get("outlet", ""), published_on=published, title=p.get("title") or None,
                            url=p.get("url") or None, broadcast_slot=p.get("broadcast_slot") or None))
    data = EntryIn(
        unit_id=_int(values["unit_id"]),
        title=values["title"], media_type=values["media_type"], genre=values["genre"], summary=values["summary"],
        authors=[AuthorIn(full_name=a.get("full_name", ""), pen_name=a.get("pen_name") or None,
                          email=a.get("email") or None, outlet=a.get("outlet") or None) for a in values["authors"]],
        parts=parts,
        prior_awards=[PriorAwardIn(name=a.get("name", ""), level=a.get("level", ""), year=_int(a.get("year", "")))
                      for a in values["prior_awards"] if any(a.values())],
        hardship=values["hardship"], hardship_note=values["hardship_note"], transcript=values["transcript"])
    return data, errors


def values_from_entry(entry, authors, parts) -> dict:
    return {
        "unit_id": str(entry.unit_id), "title": entry.title, "media_type": entry.media_type, "genre": entry.genre,
        "summary": entry.summary, "hardship": entry.hardship, "hardship_note": entry.hardship_note,
        "transcript": entry.transcript,
        "authors": [{"full_name": a.full_name, "pen_name": a.pen_name or "", "email": a.email or "",
                     "outlet": a.outlet or ""} for a in authors],
        "parts": [{"title": p.title or "", "outlet": p.outlet, "published_on": p.published_on.isoformat(),
                   "url": p.url or "", "broadcast_slot": p.broadcast_slot or ""} for p in parts],
        "prior_awards": [{"name": a.get("name", ""), "level": a.get("level", ""), "year": str(a.get("year") or "")}
                         for a in entry.prior_awards],
    }


def form_errors(exc) -> dict[str, str]:
    """{form field: message} of a domain refusal, every field it names (award.errors.field_errors)."""
    return {field_id(f) if f != "form" else "form": m for f, m in field_errors(exc, "form").items()}


def checked(session, round_, data, exclude_entry_id: int | None = None) -> dict[str, str]:
    """The domain's verdict on the rest of a form the page already refuses (nothing is written)."""
    try:
        entries.check_entry(session, round_=round_, data=data, exclude_entry_id=exclude_entry_id)
    except Invalid as exc:
        return form_errors(exc)
    return {}


def field_id(domain_field: str | None) -> str:
    """`parts.1.published_on` (domain) -> `parts-1-published_on` (form)."""
    return (domain_field or "title").replace(".", "-")
