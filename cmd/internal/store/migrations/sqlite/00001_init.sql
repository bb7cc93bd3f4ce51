-- The first schema of aop on SQLite. Timestamps are UTC text of a fixed
-- width (2006-01-02T15:04:05.000000Z), so they sort as they compare; JSON
-- is text, kept byte for byte.

-- +goose Up
CREATE TABLE blobs (
	sum       TEXT PRIMARY KEY,
	size      INTEGER NOT NULL,
	data      BLOB NOT NULL,
	stored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE cycles (
	id        TEXT PRIMARY KEY,
	name      TEXT NOT NULL,
	source    BLOB NOT NULL,
	loaded_at TEXT NOT NULL,
	loaded_by TEXT NOT NULL
);

CREATE TABLE rounds (
	id          INTEGER PRIMARY KEY,
	cycle       TEXT NOT NULL REFERENCES cycles (id),
	name        TEXT NOT NULL,
	departments TEXT NOT NULL,
	due         TEXT NOT NULL,
	state       TEXT NOT NULL,
	opened_at   TEXT NOT NULL,
	closed_at   TEXT
);
CREATE INDEX rounds_cycle ON rounds (cycle, id);

CREATE TABLE submissions (
	id           INTEGER PRIMARY KEY,
	key          TEXT NOT NULL UNIQUE,
	round        INTEGER NOT NULL REFERENCES rounds (id),
	department   TEXT NOT NULL,
	blob         TEXT NOT NULL REFERENCES blobs (sum),
	filename     TEXT NOT NULL,
	size         INTEGER NOT NULL,
	source       TEXT NOT NULL,
	state        TEXT NOT NULL,
	problem      TEXT NOT NULL,
	errors       INTEGER NOT NULL,
	warnings     INTEGER NOT NULL,
	findings     TEXT NOT NULL,
	records      TEXT,
	plan         TEXT,
	submitted_by TEXT NOT NULL,
	received_at  TEXT NOT NULL
);
CREATE INDEX submissions_department ON submissions (round, department, id);
CREATE INDEX submissions_state ON submissions (state, id);

CREATE TABLE department_states (
	round              INTEGER NOT NULL REFERENCES rounds (id),
	department         TEXT NOT NULL,
	position           INTEGER NOT NULL,
	status             TEXT NOT NULL,
	locked             INTEGER NOT NULL CHECK (locked IN (0, 1)),
	current_submission INTEGER REFERENCES submissions (id),
	comment            TEXT NOT NULL,
	updated_at         TEXT NOT NULL,
	reminded_at        TEXT,
	workbook           TEXT REFERENCES blobs (sum),
	PRIMARY KEY (round, department),
	UNIQUE (round, position)
);

CREATE TABLE audit (
	id           INTEGER PRIMARY KEY,
	at           TEXT NOT NULL,
	actor        TEXT NOT NULL,
	role         TEXT NOT NULL,
	action       TEXT NOT NULL,
	round        INTEGER NOT NULL,
	department   TEXT NOT NULL,
	subject      TEXT NOT NULL,
	before_value TEXT,
	after_value  TEXT
);
CREATE INDEX audit_round ON audit (round, department, id);
CREATE INDEX audit_action ON audit (action, id);

CREATE TABLE tokens (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	hash       BLOB NOT NULL UNIQUE,
	role       TEXT NOT NULL,
	department TEXT NOT NULL,
	created_at TEXT NOT NULL,
	revoked_at TEXT
);

CREATE TABLE nonces (
	nonce   TEXT PRIMARY KEY,
	seen_at TEXT NOT NULL
);
CREATE INDEX nonces_seen ON nonces (seen_at);

CREATE TABLE effects (
	key        TEXT PRIMARY KEY,
	applied_at TEXT NOT NULL
);

CREATE TABLE consolidations (
	id            INTEGER PRIMARY KEY,
	round         INTEGER NOT NULL REFERENCES rounds (id),
	state         TEXT NOT NULL,
	result        TEXT,
	summary       TEXT REFERENCES blobs (sum),
	error_message TEXT NOT NULL,
	started_at    TEXT NOT NULL,
	done_at       TEXT
);
CREATE INDEX consolidations_round ON consolidations (round, id);

-- +goose Down
DROP TABLE consolidations;
DROP TABLE effects;
DROP TABLE nonces;
DROP TABLE tokens;
DROP TABLE audit;
DROP TABLE department_states;
DROP TABLE submissions;
DROP TABLE rounds;
DROP TABLE cycles;
DROP TABLE blobs;
