"""A round's outline of themes (đề cương) as stored nodes, and the rule for replacing it."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from award import audit
from award.calendar import require_phase
from award.models import NodeKind, OutlineNode, Round, User

log = logging.getLogger(__name__)


@dataclass
class TreeNode:
    code: str
    kind: str
    title: str
    retired: bool = False
    children: list["TreeNode"] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "kind": self.kind,
            "title": self.title,
            "children": [c.to_dict() for c in self.children],
        }


def replace_outline(session: Session, *, round_: Round, parsed, retire_missing: bool = False) -> list[OutlineNode]:
    """Save a parsed outline to a round, matching nodes by code so that codes stay stable.

    Nodes absent from the new outline are deleted, or only marked retired when `retire_missing`
    (once entries are tagged, a theme must not disappear under them).
    """
    existing = {n.code: n for n in session.exec(select(OutlineNode).where(OutlineNode.round_id == round_.id))}
    seen: set[str] = set()
    saved: list[OutlineNode] = []

    def save(nodes, parent: OutlineNode | None) -> None:
        for position, node in enumerate(nodes):
            row = existing.get(node.code) or OutlineNode(round_id=round_.id, code=node.code)
            row.kind = NodeKind(node.kind)
            row.title = node.title
            row.position = position
            row.retired = False
            row.parent_id = parent.id if parent else None
            session.add(row)
            session.flush()  # children need row.id
            seen.add(node.code)
            saved.append(row)
            save(node.children, row)

    save(parsed.nodes, None)
    gone = [n for code, n in existing.items() if code not in seen]
    for row in sorted(gone, key=lambda n: -n.code.count(".")):  # leaves first
        if retire_missing:
            row.retired = True
            session.add(row)
        else:
            session.delete(row)
            session.flush()  # one by one, leaves first: the database cascade must not race the ORM
    session.flush()
    log.info("outline.replaced round_id=%s nodes=%s removed=%s", round_.id, len(saved), len(gone))
    return saved


def save_outline(session: Session, *, round_: Round, parsed, actor: User, now: datetime) -> list[OutlineNode]:
    """The secretariat replaces the round's outline until results are published (`round.outline` phase);
    themes already used to tag works are retired rather than deleted. Audited."""
    require_phase(round_, now, "round.outline")
    nodes = replace_outline(session, round_=round_, parsed=parsed, retire_missing=has_tags(session, round_id=round_.id))
    audit.record(session, actor_id=actor.id, action="outline.replaced", object_type="round", object_id=round_.id,
                 now=now, data={"themes": len(parsed.themes()), "warnings": len(parsed.warnings)})
    return nodes


def outline_text(nodes) -> str:
    """The outline written back as plain numbered text, which the parser reads to the same tree.

    Organisers correct an outline by editing this text (rename, merge, split, move, add a bullet)
    and previewing again; the codes come from the numbering they see.
    """
    lines: list[str] = []

    def emit(node, depth: int) -> None:
        if node.kind == "point":
            lines.append(f"- {node.title}")
        else:
            lines.append(f"{node.code}. {node.title}".rstrip())
        for child in node.children:
            emit(child, depth + 1)

    for root in nodes:
        emit(root, 0)
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def has_tags(session: Session, *, round_id: int) -> bool:
    from award.models import EntryTheme

    return session.exec(
        select(EntryTheme.entry_id).join(OutlineNode, OutlineNode.id == EntryTheme.outline_node_id)
        .where(OutlineNode.round_id == round_id).limit(1)
    ).first() is not None


def outline_tree(session: Session, *, round_id: int, include_retired: bool = False) -> list[TreeNode]:
    """The round's outline as a tree, in document order."""
    query = select(OutlineNode).where(OutlineNode.round_id == round_id)
    if not include_retired:
        query = query.where(OutlineNode.retired == False)  # noqa: E712
    rows = session.exec(query.order_by(OutlineNode.position, OutlineNode.id)).all()
    by_id = {r.id: TreeNode(code=r.code, kind=r.kind, title=r.title, retired=r.retired) for r in rows}
    roots: list[TreeNode] = []
    for r in rows:
        node = by_id[r.id]
        if r.parent_id is None:
            roots.append(node)
        elif r.parent_id in by_id:
            by_id[r.parent_id].children.append(node)
    return roots


# --- an outline's file (the page and the API) ----------------------------------------------------------------

OUTLINE_KINDS = {".pdf": ("pdf", "PDF"), ".docx": ("docx", "Word (.docx)")}


def outline_file_text(stream, name: str, *, cap: int, require_text: bool = True) -> str:
    """The text of an outline's file, every refusal naming the file ("Tệp “x.pdf”: …"): over `cap`, empty
    (the one check, award/files.py), a name whose kind the content is not ("Tệp “x.pdf” không phải PDF hợp
    lệ…", rather than the list of accepted kinds for a file whose name is one of them), unreadable, or without
    a text layer (`require_text`; the API leaves that to the parser's "no outline in the document")."""
    from award.errors import Invalid, named
    from award.files import require_content, stream_size
    from award.sandbox import extract_limited_stream
    from award.textextract import UnsupportedDocument, sniff_document

    label = f"Tệp “{name}”"
    size = stream_size(stream)
    if size > cap:
        raise Invalid(named(label, f"quá lớn (tối đa {cap // (1024 * 1024)} MB một tệp)."), field="file",
                      code="too_large")
    try:
        require_content(size)  # a 0-byte file is empty, not a scan
    except Invalid as exc:
        raise Invalid(named(label, exc.message), field="file", code=exc.code) from None
    at = stream.tell()
    head = stream.read(4096)
    stream.seek(at)
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in OUTLINE_KINDS:
        kind, words = OUTLINE_KINDS[suffix]
        if sniff_document(head) != kind and not (kind == "pdf" and b"%PDF-" in head[:1024]):
            raise UnsupportedDocument(
                f"{label} không phải {words} hợp lệ: nội dung bên trong không phải tài liệu {words} (có thể tệp chỉ "
                f"được đổi đuôi tên). Hãy xuất lại tệp từ phần mềm soạn thảo, chọn tệp .txt, .md, .docx hoặc .pdf "
                f"thật, hoặc dán nội dung vào ô bên dưới.", field="file")
    try:
        text = extract_limited_stream(stream).text
    except UnsupportedDocument as exc:
        raise type(exc)(named(label, exc.message), field="file", code=exc.code) from None
    if require_text and not text.strip():
        raise Invalid(f"{label} không có lớp chữ (có thể là bản scan). Hãy dán nội dung văn bản vào ô bên dưới.",
                      field="file", code="no_text")
    return text
