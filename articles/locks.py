"""Advisory locks that writers and the recorders of kept counts share (PostgreSQL)."""

# Every write to the articles and to the subject listing holds it shared until its transaction commits (the triggers
# of migrations 0018 and 0019). A recorder of kept counts takes it alone, with pg_try_advisory_xact_lock: no write
# is under way while it counts, and a write that starts meanwhile waits for the recorded row, then keeps it.
WRITES_LOCK = 7_172_735_401
