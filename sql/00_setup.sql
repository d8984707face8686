-- 00_setup: install the extension at its base version, then update it
-- through every upgrade script (there is none yet: 1.0 is the first).
CREATE EXTENSION cprof VERSION '1.0';
ALTER EXTENSION cprof UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'cprof';
