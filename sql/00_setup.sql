-- 00_setup: install the extension at its base version, then update it
-- through every upgrade script; the rest of the suite runs on the result.
-- (02_upgrade checks that this equals a fresh install of the newest version.)
CREATE EXTENSION cprof VERSION '1.0';
ALTER EXTENSION cprof UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'cprof';
