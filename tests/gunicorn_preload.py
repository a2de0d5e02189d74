"""gunicorn's settings for the suite's servers (tests/live.py: ``Gunicorn``): the app is loaded
once, in the arbiter, and each worker forked from it (``preload_app``), instead of every worker
importing the tracker and building its app afresh (about a CPU-second each, in a suite that is
CPU-bound). A forked worker must not use the connections its parent's pool holds: it drops them
unclosed, as SQLAlchemy advises for a pool crossing a fork, and opens its own."""

preload_app = True


def post_fork(server, worker):
    from tracker.extensions import db

    with server.app.wsgi().app_context():
        db.engine.dispose(close=False)
