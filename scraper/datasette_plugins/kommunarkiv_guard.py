"""Datasette plugin: a served archive that cheap requests cannot exhaust.

- SQLite limits on every connection: no value (string or blob) beyond MAX_VALUE_BYTES, so
  `randomblob(1e9)` or `zeroblob(1e10)` fail at once with "string or blob too big"; bounded SQL text,
  expression depth and LIKE patterns; a process-wide cap on SQLite's heap.
- Errors in one log line and an error page, never a traceback: Datasette's own handler (which every
  handler's result cannot bypass, so it is unregistered at start-up) prints every error, 404s included,
  with `rich` (pulled in by spaCy) as a full traceback with locals, 0.5 s of CPU each.
- A bad `_sort` is the client's error (400), not the server's (Datasette says 500).
- Full-text index tables (`*_fts` and its `_data`, `_idx`, `_docsize`, `_config` shadow tables) are
  not served as tables: they hold index fragments, not rows for readers.
- Table search boxes accept what people type: `socialfond.`, `socialfond?`, `fond*` search for the
  words (three letters or more: the trigram index matches nothing shorter), as the main search does.

Self-contained (datasette only) so that `datasette package --plugins-dir` can ship it.
"""
from __future__ import annotations

import logging
import re
import sqlite3
from urllib.parse import parse_qsl, urlencode

from datasette import Response, hookimpl
from datasette.plugins import pm
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError

MAX_VALUE_BYTES = 12 * 1024 * 1024  # above the crawl's 10 MB page limit, so every stored value stays readable
LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: MAX_VALUE_BYTES,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 100,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 1_000,
    sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER: 1_000,
}
HEAP_LIMIT_BYTES = 512 * 1024 * 1024  # SQLite's own allocations in the whole server process
FTS_TABLE = re.compile(r"_fts(_data|_idx|_docsize|_config|_content)?$")
SEARCH_WORD = re.compile(r"\w+")
MIN_SEARCH_TERM = 3
CLIENT_ERRORS = ("Cannot sort table by", "Cannot use _sort")  # DatasetteError messages that are a bad request

logger = logging.getLogger("kommunarkiv.serve")


DEFAULT_ERROR_HANDLER = "datasette.handle_exception"


@hookimpl
def startup() -> None:
    default = pm.get_plugin(DEFAULT_ERROR_HANDLER)
    if default is not None:
        pm.unregister(default)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    for limit, value in LIMITS.items():
        conn.setlimit(limit, value)
    conn.execute(f"pragma hard_heap_limit = {HEAP_LIMIT_BYTES}")


@hookimpl
def permission_allowed(action: str, resource: object) -> bool | None:
    if action == "view-table" and isinstance(resource, tuple) and FTS_TABLE.search(resource[1]):
        return False
    return None


def search_words(text: str) -> str:
    """A table search box's text as plain words of three letters or more ("fond*" -> "fond"); unchanged if none."""
    words = [word for word in SEARCH_WORD.findall(text) if len(word) >= MIN_SEARCH_TERM]
    return " ".join(words) or text


def plain_search_query(query_string: bytes) -> bytes:
    """The query string with each `_search` / `_search_<column>` value reduced to its words."""
    pairs = parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True)
    return urlencode([(key, search_words(value) if key == "_search" or key.startswith("_search_") else value)
                      for key, value in pairs]).encode()


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def plain_search(scope, receive, send):
            if scope.get("type") == "http" and b"_search" in scope.get("query_string", b""):
                scope = {**scope, "query_string": plain_search_query(scope["query_string"])}
            await app(scope, receive, send)

        return plain_search

    return wrap


def error_status(exception: Exception) -> tuple[int, str, str | None]:
    """Status, message and title for an exception raised while answering a request."""
    if isinstance(exception, Base400):
        return exception.status, str(exception.args[0]) if exception.args else "", None
    if isinstance(exception, DatasetteError):
        status = 400 if exception.message.startswith(CLIENT_ERRORS) else exception.status
        return status, exception.message, exception.title
    return 500, f"{type(exception).__name__}: {exception}", None


@hookimpl
def handle_exception(datasette, request, exception):
    async def inner():
        status, message, title = error_status(exception)
        if status >= 500:
            logger.error("%s %s -> %d %s", request.method, request.path, status, " ".join(message.split()))
        info = {"ok": False, "error": message, "status": status, "title": title}
        if request.path.endswith(".json"):
            return Response.json(info, status=status)
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        return Response.html(await template.render_async(dict(info, urls=datasette.urls,
                                                              app_css_hash=datasette.app_css_hash(),
                                                              menu_links=lambda: [])), status=status)

    return inner
