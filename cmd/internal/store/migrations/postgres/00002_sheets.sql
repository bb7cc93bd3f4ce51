-- Rounds that run in Google Sheets: a round's backend, each department's
-- spreadsheet (its name is recorded before it is created, so a retried job
-- finds the copy it made), whether its structure check ran and whether its
-- Summary tab exists; and the quota buckets the Sheets driver books its
-- requests in, shared by every instance (next_at in Unix microseconds).

-- +goose Up
ALTER TABLE rounds ADD COLUMN backend text NOT NULL DEFAULT 'xlsx';

ALTER TABLE department_states
	ADD COLUMN spreadsheet_name text NOT NULL DEFAULT '',
	ADD COLUMN spreadsheet_id text NOT NULL DEFAULT '',
	ADD COLUMN spreadsheet_url text NOT NULL DEFAULT '',
	ADD COLUMN structure_checked boolean NOT NULL DEFAULT false,
	ADD COLUMN summary_tab boolean NOT NULL DEFAULT false;

CREATE TABLE quota_slots (
	bucket  text PRIMARY KEY,
	next_at bigint NOT NULL
);

-- +goose Down
DROP TABLE quota_slots;
ALTER TABLE department_states
	DROP COLUMN summary_tab,
	DROP COLUMN structure_checked,
	DROP COLUMN spreadsheet_url,
	DROP COLUMN spreadsheet_id,
	DROP COLUMN spreadsheet_name;
ALTER TABLE rounds DROP COLUMN backend;
