-- Scale's store: one row per extracted song, one per instrument that plays in it.
-- Portable between H2 and PostgreSQL.
CREATE TABLE song (
  id               VARCHAR(200) PRIMARY KEY,
  title            VARCHAR(500) NOT NULL,
  content_sha256   CHAR(64)     NOT NULL,
  instrument_count INT          NOT NULL,
  drum_notes       INT          NOT NULL,
  extracted_at     TIMESTAMP    NOT NULL
);

-- program 0-127 = General MIDI program, 128 = drum kit (channel 10); family 0-15, 16 = drums
CREATE TABLE song_instrument (
  song_id VARCHAR(200) NOT NULL REFERENCES song (id) ON DELETE CASCADE,
  program SMALLINT     NOT NULL,
  family  SMALLINT     NOT NULL,
  notes   INT          NOT NULL,
  PRIMARY KEY (song_id, program)
);

-- the inverted index: songs that play a program
CREATE INDEX song_instrument_by_program ON song_instrument (program, song_id);
