-- Rounds that run in Google Sheets: a round's backend, each department's
-- spreadsheet (its name is recorded before it is created, so a retried job
-- finds the copy it made), whether its structure check ran and whether its
-- Summary tab exists; and the quota buckets the Sheets driver books its
-- requests in (next_at in Unix microseconds).

-- +goose Up
ALTER TABLE rounds ADD COLUMN backend TEXT NOT NULL DEFAULT 'xlsx';

ALTER TABLE department_states ADD COLUMN spreadsheet_name TEXT NOT NULL DEFAULT '';
ALTER TABLE department_states ADD COLUMN spreadsheet_id TEXT NOT NULL DEFAULT '';
ALTER TABLE department_states ADD COLUMN spreadsheet_url TEXT NOT NULL DEFAULT '';
ALTER TABLE department_states ADD COLUMN structure_checked INTEGER NOT NULL DEFAULT 0 CHECK (structure_checked IN (0, 1));
ALTER TABLE department_states ADD COLUMN summary_tab INTEGER NOT NULL DEFAULT 0 CHECK (summary_tab IN (0, 1));

CREATE TABLE quota_slots (
	bucket  TEXT PRIMARY KEY,
	next_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE quota_slots;
ALTER TABLE department_states DROP COLUMN summary_tab;
ALTER TABLE department_states DROP COLUMN structure_checked;
ALTER TABLE department_states DROP COLUMN spreadsheet_url;
ALTER TABLE department_states DROP COLUMN spreadsheet_id;
ALTER TABLE department_states DROP COLUMN spreadsheet_name;
ALTER TABLE rounds DROP COLUMN backend;
