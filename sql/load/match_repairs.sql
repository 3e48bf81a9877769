-- Repaired spellings of play texts for SPARKIFY_MATCH=normalized (see load/_song_match.sql);
-- services/matching.py fills it in the same session.
DROP TABLE IF EXISTS match_repairs;

CREATE TEMP TABLE match_repairs (
    original {{ m.text(1024) }} NOT NULL,
    fixed    {{ m.text(1024) }} NOT NULL
);
