"""Demo data so that every role's pages have something to show."""

from datetime import datetime

from sqlmodel import Session, select

from award import audit, users
from award.models import ROLE_LABELS, Role, Unit, User

DEMO_PASSWORD = "BuaLiemVang2024"

DEMO_ACCOUNTS = [
    ("bithu@demo.bualiemvang.vn", "Nguyễn Thị Thư Ký", Role.secretariat, None, None),
    ("nhabao@demo.bualiemvang.vn", "Trần Văn Bút", Role.journalist, "ha-tinh", "Báo Hà Tĩnh"),
    ("nhabao2@demo.bualiemvang.vn", "Lê Thị Phóng Viên", Role.journalist, "nghe-an", "Báo Nghệ An"),
    ("donvi.hatinh@demo.bualiemvang.vn", "Phạm Quốc Tổ Chức", Role.unit_manager, "ha-tinh", None),
    ("giamkhao.hatinh@demo.bualiemvang.vn", "Hoàng Minh Sơ Tuyển", Role.local_judge, "ha-tinh", "Đài PT-TH Hà Tĩnh"),
    ("giamkhao@demo.bualiemvang.vn", "Đỗ Văn Giám Khảo", Role.judge, "bao-nhan-dan", "Báo Nhân Dân"),
    ("bcd@demo.bualiemvang.vn", "Vũ Thị Phê Duyệt", Role.approver, None, None),
]


def load_demo(session: Session, *, now: datetime) -> list[tuple[str, str]]:
    """Create the demo accounts that are missing; returns (email, role label) for all of them."""
    units = {u.code: u.id for u in session.exec(select(Unit))}
    existing = set(session.exec(select(User.email)).all())
    for email, name, role, unit_code, outlet in DEMO_ACCOUNTS:
        if email in existing:
            continue
        user = users.create_user(session, email=email, password=DEMO_PASSWORD, full_name=name, role=role,
                                 unit_id=units.get(unit_code) if unit_code else None, outlet=outlet)
        audit.record(session, actor_id=None, action="user.created", object_type="user", object_id=user.id,
                     now=now, data={"role": role, "via": "demo"})
    return [(email, ROLE_LABELS[role]) for email, _, role, _, _ in DEMO_ACCOUNTS]
