-- 050 the province's reviews of a ward's criteria, as the station received
-- them (docs/province.md, "Reviews written back").  The hub publishes a
-- review signed with its Ed25519 key on wardwatch/<station>/ctl/review;
-- the station's publisher verifies the signature against the hub key it
-- got at enrolment and stores the message here before the broker's
-- acknowledgement, so a crash between the two loses nothing (the broker
-- would deliver it again and review_id keeps it once).  The relay thread
-- then applies each pending one as an assessment with side 'review' and
-- marks it applied (with the assessment's id) or refused (with why).
-- body is the signed text exactly as received (the signature covers it).
CREATE TABLE province_reviews (
  review_id     TEXT PRIMARY KEY CHECK (length(review_id) BETWEEN 8 AND 64),
  body          TEXT NOT NULL,
  sig           TEXT NOT NULL,
  received_us   INTEGER NOT NULL,
  state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','applied','refused')),
  why           TEXT,
  assessment_id INTEGER REFERENCES assessments(id),
  done_us       INTEGER
);
CREATE INDEX province_reviews_pending ON province_reviews(state, received_us);
