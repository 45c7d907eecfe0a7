"""Theme suggestions for a web process: asked of the tagger service, or computed here when there is none.

    result = suggest(session, round_id=3, text=EntryText(title, summary, body), cache=cache, limit=5)
    result.items  # [Suggestion(code, title, score in [0, 1]), ...] best first; result.weak, result.off_outline

With AWARD_TAGGER_URL set (production, bench/media.py) the ranking is computed by the tagger service
(`award tagging serve`, api/tagger_service.py), so a web process never imports numpy or the model
(a web process stays near 100 MiB instead of ~140, issue 18). The web process reads the round's live
outline in its own transaction and sends it with the text, so the service holds no state but its taggers
and the embedding cache. Unset (development, `make demo`, tests), the ranking is computed in this
process, loading award.tagging on first use.

Errors: Conflict `no_outline` (409) when the round has no outline; TaggerUnavailable (503
`tagger_unavailable`, Vietnamese message) when the service does not answer within
AWARD_TAGGER_TIMEOUT seconds or fails. Nothing is stored here: callers store an entry's ranking
(award.themes.store_suggestions).
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
from urllib.parse import urlsplit

from sqlmodel import Session

from award import suggestions as stored, themes
from award.errors import AwardError, Conflict
from award.models import Entry
from award.tagging_units import EntryText, Suggestion, SuggestionResult, TaggingUnit
from api.settings import get_settings

log = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = ("Dịch vụ gợi ý chủ đề tạm thời không phản hồi. Anh/chị vẫn chọn được chủ đề và lưu tác phẩm; "
                       "vui lòng thử lại gợi ý sau ít phút.")


class TaggerUnavailable(AwardError):
    """The tagger service did not answer (down, timed out, or failed): HTTP 503."""

    code = "tagger_unavailable"

    def __init__(self, message: str = UNAVAILABLE_MESSAGE):
        super().__init__(message)


def no_outline() -> Conflict:
    return Conflict("Đợt giải chưa có đề cương để gợi ý chủ đề.", code="no_outline")


def suggest(session: Session, *, round_id: int, text: EntryText, cache, limit: int | None = None,
            transient: bool = False, key: int | None = None) -> SuggestionResult:
    """The round's themes ranked for `text` (all of them, or the best `limit`), learning from the confirmed
    works (award.tagging_learn; `key`: the saved work's own id, never its own neighbour).

    `transient`: while someone types; the query's embedding is not stored (award.embedding_cache).
    `cache` is the in-process embedding cache, used only when no service is configured."""
    settings = get_settings()
    if settings.tagger_url:
        units = themes.round_units(session, round_id)
        if not units:
            raise no_outline()
        return _client(settings.tagger_url, settings.tagger_timeout).suggest(
            round_id=round_id, units=units, text=text, limit=limit, transient=transient, key=key)
    return compute(themes.round_units(session, round_id), round_id=round_id, text=text, cache=cache, limit=limit,
                   transient=transient, session=session, key=key)


def for_entry(session: Session, *, entry: Entry, cache) -> SuggestionResult:
    """A saved work's ranking when none is stored yet (its worker job has not run): asked of the tagger service,
    which learns from the confirmed works as the worker does (it reads them from the database), or, with no
    service, computed here as the worker would (award.suggestions.rank). Errors as `suggest`."""
    if get_settings().tagger_url:
        return suggest(session, round_id=entry.round_id, text=themes.entry_text(entry), cache=cache, key=entry.id)
    result = stored.rank(session, entry=entry, cache=cache)
    if result is None:
        raise no_outline()
    return result


def compute(units: list[TaggingUnit], *, round_id: int, text: EntryText, cache, limit: int | None = None,
            transient: bool = False, session: Session | None = None, key: int | None = None) -> SuggestionResult:
    """The ranking computed in this process (loads numpy and the model on first use). With `session`, it
    learns from the round's confirmed works (`themes.live_examples`: read once, kept until a confirmation
    changes them), as a saved work's stored ranking does, with the same `why`."""
    tagger = themes.tagger_for_units(round_id, units, cache)
    if tagger is None:
        raise no_outline()
    # read before the transient context: an example's vector computed here is worth keeping
    learned = themes.live_examples(session, round_id=round_id, tagger=tagger) if session is not None else None
    keys = None if key is None else [key]
    if transient:
        with themes.transient_embeddings():
            return tagger.suggest_many([text], limit=limit, learned=learned, keys=keys)[0]
    return tagger.suggest_many([text], limit=limit, learned=learned, keys=keys)[0]


# --- the service's wire format (api/tagger_service.py reads what `request_body` writes) -------------

def request_body(*, round_id: int, units: list[TaggingUnit], text: EntryText, limit: int | None,
                 transient: bool, key: int | None = None) -> dict:
    return {"round_id": round_id, "units": [[u.code, u.title, list(u.points)] for u in units],
            # the whole body: the ranking reads chunks spread over all of it (award.tagging), so no prefix would do
            "title": text.title or "", "summary": text.summary or "", "body": text.body or "",
            "limit": limit, "transient": transient, "key": key}


def result_body(result: SuggestionResult) -> dict:
    return {"weak": result.weak, "off_outline": result.off_outline,
            "items": [[s.code, s.title, float(s.score), s.why] for s in result.items]}


def parse_result(body: dict) -> SuggestionResult:
    # "off_outline" absent: a service of an earlier release, which did not judge it
    return SuggestionResult(items=[Suggestion(code, title, score, why) for code, title, score, why in body["items"]],
                            weak=bool(body["weak"]), off_outline=bool(body.get("off_outline", False)))


class TaggerClient:
    """HTTP/1.1 to the tagger service, one kept-alive connection per thread (a fresh TCP connection per
    keystroke would add a round trip and a TIME_WAIT socket for nothing)."""

    def __init__(self, url: str, timeout: float):
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"AWARD_TAGGER_URL must be http://host:port, not {url!r}")
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self.path = parts.path.rstrip("/") + "/suggest"
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def suggest(self, **request) -> SuggestionResult:
        payload = json.dumps(request_body(**request), ensure_ascii=False).encode()
        for attempt in (1, 2):  # a kept-alive connection the service closed meanwhile fails once, harmlessly
            try:
                conn = self._connection()
                conn.request("POST", self.path, body=payload, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine) as exc:
                self._drop()
                if attempt == 2 or isinstance(exc, ConnectionRefusedError):
                    log.warning("tagger.unavailable error=%s", type(exc).__name__)
                    raise TaggerUnavailable() from exc
            except (OSError, http.client.HTTPException) as exc:  # timeout, unreachable host
                self._drop()
                log.warning("tagger.unavailable error=%s", type(exc).__name__)
                raise TaggerUnavailable() from exc
        if response.status == 409:
            raise no_outline()
        if response.status != 200:
            log.warning("tagger.failed status=%s", response.status)
            raise TaggerUnavailable()
        return parse_result(json.loads(data))


_clients: dict[tuple[str, float], TaggerClient] = {}


def _client(url: str, timeout: float) -> TaggerClient:
    key = (url, timeout)
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = TaggerClient(url, timeout)
    return client
