"""Django's SQLite backend, with connections kept open between requests.

Under ASGI Django runs each request's synchronous code in a thread of its own,
so a thread-local connection is opened and closed for every request; for
SQLite that costs more than most queries (opening the file, the PRAGMAs,
reading the schema again) — about a millisecond, a tenth of casting a vote.
Django pools PostgreSQL connections (psycopg_pool) but not SQLite ones, so this
backend keeps a few closed connections per database file and hands them to
the next thread. Only a connection outside any transaction goes back, so no
state crosses from one request to the next; Django opens SQLite connections
with ``check_same_thread=False`` and uses each from one thread at a time.
"""
