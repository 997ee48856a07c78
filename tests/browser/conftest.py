import os

# Playwright's sync API keeps an asyncio loop running in the test thread; Django would
# then refuse database calls made by the test itself (the live server runs in its own
# thread and is unaffected). This is the documented way to combine the two.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
