-- The instrument set on the song row ("0,24,33,128"): the web's similarity index loads one row
-- per song instead of one per instrument (100,000 rows instead of ~650,000 at start-up).
-- NULL for songs extracted before this migration: the loader then falls back to song_instrument.
ALTER TABLE song ADD COLUMN instrument_set VARCHAR(600);

-- the web checks MAX(extracted_at) every SCALE_INDEX_REFRESH seconds: no table scan for that
CREATE INDEX song_by_extracted_at ON song (extracted_at);
