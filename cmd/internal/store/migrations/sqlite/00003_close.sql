-- The monthly close: each period's actuals as imported (a re-import
-- replaces the current one and keeps it, replaced_at set), the closes run
-- over them (one per state of the actuals, told by its digest), and when
-- each schedule last ran, so that a run missed while aop was down is
-- caught up.

-- +goose Up
ALTER TABLE department_states ADD COLUMN actuals_tab INTEGER NOT NULL DEFAULT 0 CHECK (actuals_tab IN (0, 1));

CREATE TABLE actuals (
	id          INTEGER PRIMARY KEY,
	cycle       TEXT NOT NULL REFERENCES cycles (id),
	period      TEXT NOT NULL,
	data        TEXT NOT NULL,
	source      TEXT NOT NULL REFERENCES blobs (sum),
	filename    TEXT NOT NULL,
	imported_by TEXT NOT NULL,
	imported_at TEXT NOT NULL,
	replaced_at TEXT
);
CREATE UNIQUE INDEX actuals_current ON actuals (cycle, period) WHERE replaced_at IS NULL;

CREATE TABLE closes (
	id            INTEGER PRIMARY KEY,
	cycle         TEXT NOT NULL REFERENCES cycles (id),
	period        TEXT NOT NULL,
	digest        TEXT NOT NULL,
	round         INTEGER NOT NULL,
	state         TEXT NOT NULL,
	report        TEXT,
	summary       TEXT REFERENCES blobs (sum),
	error_message TEXT NOT NULL,
	started_at    TEXT NOT NULL,
	done_at       TEXT,
	UNIQUE (cycle, digest)
);

CREATE TABLE schedule_runs (
	schedule TEXT PRIMARY KEY,
	last_run TEXT NOT NULL
);

-- +goose Down
DROP TABLE schedule_runs;
DROP TABLE closes;
DROP TABLE actuals;
ALTER TABLE department_states DROP COLUMN actuals_tab;
