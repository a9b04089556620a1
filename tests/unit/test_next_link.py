"""A page's Link header (api.dependencies.next_link) is what Starlette's URL.include_query_params gives:
the request's path and query with the cursor replaced, for any query a client may send."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request

from api.dependencies import next_link

names = st.sampled_from(["cursor", "limit", "status", "wijkId", "q", "a b", "ä", ""])
values = st.text(max_size=12)
pairs = st.lists(st.tuples(names, values), max_size=5)
# What can stand in a request line's query as sent (no spaces, controls or '#').
raw_text = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="#&="), max_size=12)
raw_pairs = st.lists(st.tuples(raw_text, raw_text), max_size=5)


@settings(max_examples=500, deadline=None)
@given(pairs, raw_pairs, st.text(min_size=1, max_size=40), st.sampled_from(["", "/koppelwerk"]), st.booleans())
def test_the_link_is_what_starlette_builds(
    query: list[tuple[str, str]], raw_query: list[tuple[str, str]], cursor: str, root: str, raw: bool
) -> None:
    query_string = urlencode(query).encode() if not raw else "&".join(f"{k}={v}" for k, v in raw_query).encode()
    scope = {
        "type": "http", "method": "GET", "scheme": "http", "server": ("127.0.0.1", 8000), "root_path": root,
        "path": "/api/v1/signals", "query_string": query_string, "headers": [(b"host", b"127.0.0.1:8000")],
    }
    url = Request(scope).url.include_query_params(cursor=cursor)
    assert next_link(scope, cursor) == f'<{url.path}?{url.query}>; rel="next"'
