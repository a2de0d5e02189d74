"""The WSGI app gunicorn serves in the reliability tests (tests/live.py: ``Gunicorn``).

Configured from the environment like production (TRACKER_DATABASE_URL, TRACKER_SECRET_KEY …);
only the per-address login limit is raised, since every test officer signs in from 127.0.0.1.
"""

from tracker import create_app

app = create_app({"LOGIN_LIMITS": ("1000 per minute",), "ACCOUNT_LOGIN_LIMIT": "1000 per minute"})
