"""Issue 15 item 6, for the pages: any Unicode text a browser can send in any text field of the entry form is
either kept in its normal form (award.text.clean_line / clean_text) or refused with the form shown again
and the message next to that field; never a 5xx. (A browser encodes forms as UTF-8, so a lone surrogate
cannot arrive here as text; bytes that are not UTF-8 are tests/api/test_abuse.py's.)"""

from itertools import count

import hypothesis.strategies as st
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlmodel import select

from award.models import Entry, EntryAuthor, EntryPart
from award.text import clean_line, clean_text
from api.main import app
from tests.api.test_entry_pages import form_data, logged_in_journalist
from tests.factories import csrf_from

ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8", categories=None), max_size=40) | st.sampled_from([
    "", " ", "\u200b", "\x00", "a" * 501, "Đảng viên 👨\u200d👩\u200d👧", "\u202eabc", "Đa\u0309ng",
    "<script>alert(1)</script>"])
PROPERTY = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _one_line(value):
    return clean_line(value) or None


# form field → how it reads back from the stored work
FIELDS = {
    "title": lambda e, a, p: e.title,
    "summary": lambda e, a, p: e.summary,
    "hardship_note": lambda e, a, p: e.hardship_note,
    "authors-0-full_name": lambda e, a, p: a.full_name,
    "authors-0-pen_name": lambda e, a, p: a.pen_name,
    "authors-0-outlet": lambda e, a, p: a.outlet,
    "parts-0-title": lambda e, a, p: p.title,
    "parts-0-outlet": lambda e, a, p: p.outlet,
}
EXPECTED = {"summary": lambda v: clean_text(v, multiline=True), "hardship_note": lambda v: clean_text(v, multiline=True),
            "authors-0-pen_name": _one_line, "authors-0-outlet": _one_line, "parts-0-title": _one_line}


@pytest.mark.parametrize("field", list(FIELDS))
def test_any_text_in_an_entry_form_field_is_kept_in_normal_form_or_shown_back_with_its_error(client, session, clock,
                                                                                              field):
    logged_in_journalist(client, session)
    raw = TestClient(app, base_url="http://testserver", raise_server_exceptions=False, cookies=client.cookies)
    token = csrf_from(client.get("/entries/new").text)
    n = count()

    @PROPERTY
    @given(value=ANY_TEXT)
    def check(value):
        i = next(n)
        data = form_data(session, token, client_token=f"prop-{field}-{i}",
                         **{f"parts-{k}-url": f"https://baohatinh.vn/{field}-{i}-{k}.html" for k in range(3)})
        data[field] = value
        if field == "hardship_note":
            data["hardship"] = "on"  # the note is kept only for a work made in hardship
        response = raw.post("/entries/new", data=data, follow_redirects=False)
        assert response.status_code < 500, response.text
        if response.status_code == 303:
            entry_id = int(response.headers["location"].rstrip("/").rsplit("/", 1)[1])
            entry = session.get(Entry, entry_id)
            author = session.exec(select(EntryAuthor).where(EntryAuthor.entry_id == entry_id,
                                                            EntryAuthor.position == 0)).one()
            part = session.exec(select(EntryPart).where(EntryPart.entry_id == entry_id, EntryPart.position == 0)).one()
            expected = EXPECTED.get(field, clean_line)(value.strip())
            assert FIELDS[field](entry, author, part) == expected
        else:
            assert response.status_code == 400, response.text
            assert f'id="e-{field}"' in response.text, f"no message next to {field}"

    check()
