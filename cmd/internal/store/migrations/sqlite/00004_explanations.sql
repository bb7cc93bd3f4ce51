-- What departments say about their variances: each explanation harvested
-- from an Actuals vs Plan tab, by cycle, department, account and closed
-- month. A later row of the same line replaces an earlier one, which
-- stays as history; an empty text withdraws what was said. A submission
-- counts the explanations it held.

-- +goose Up
ALTER TABLE submissions ADD COLUMN explained INTEGER NOT NULL DEFAULT 0;

CREATE TABLE explanations (
	id         INTEGER PRIMARY KEY,
	cycle      TEXT NOT NULL REFERENCES cycles (id),
	department TEXT NOT NULL,
	account    TEXT NOT NULL,
	month      INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
	text       TEXT NOT NULL,
	sheet      TEXT NOT NULL,
	cell       TEXT NOT NULL,
	source     TEXT NOT NULL REFERENCES blobs (sum),
	said_by    TEXT NOT NULL,
	said_at    TEXT NOT NULL
);
CREATE INDEX explanations_line ON explanations (cycle, department, account, month, id);

-- +goose Down
DROP TABLE explanations;
ALTER TABLE submissions DROP COLUMN explained;
