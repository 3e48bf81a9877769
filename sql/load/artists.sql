-- One row per artist_id. Records of one artist disagree (name variants, missing coordinates):
-- prefer a record with coordinates, then one with a location, then the smallest name.
DELETE FROM {{ schema }}.artists;

INSERT INTO {{ schema }}.artists (artist_id, name, location, latitude, longitude)
SELECT artist_id, artist_name, artist_location, artist_latitude, artist_longitude
FROM (
    SELECT artist_id, artist_name, artist_location, artist_latitude, artist_longitude,
           ROW_NUMBER() OVER (
               PARTITION BY artist_id
               ORDER BY CASE WHEN artist_latitude IS NULL OR artist_longitude IS NULL THEN 1 ELSE 0 END,
                        CASE WHEN artist_location IS NULL OR artist_location = '' THEN 1 ELSE 0 END,
                        artist_name, artist_location, artist_latitude, artist_longitude
           ) AS rn
    FROM {{ schema }}.staging_songs
) a
WHERE rn = 1;
