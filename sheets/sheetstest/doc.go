// Package sheetstest is an emulator of the Sheets v4 and Drive v3 REST
// endpoints aop uses, for tests and for running aop without Google: the
// real Google Go client talks to it (option.WithEndpoint plus
// option.WithHTTPClient, or a service-account key whose token_uri points
// at it), so the client judges wire compatibility.
//
// It keeps spreadsheets in memory (optionally in a JSON file), checks
// request bodies, query parameters and fields masks against the discovery
// documents shipped in google.golang.org/api, applies batchUpdate
// atomically with replies that mirror the requests, enforces Drive sharing
// and protected ranges per caller, renders values (FORMATTED_VALUE,
// UNFORMATTED_VALUE, FORMULA; SERIAL_NUMBER or FORMATTED_STRING dates),
// parses USER_ENTERED input, resolves A1 ranges with quoted sheet names,
// answers developer-metadata lookups, enforces per-user and per-project
// per-minute quotas with Google's 429 body, injects faults, and counts
// requests (GET /_emulator/stats).
//
// Identity: every API request carries "Authorization: Bearer <token>".
// TokenFor gives an opaque token for any email; ServiceAccountKey issues a
// service-account key file the emulator trusts, usable through its
// token_uri (POST /token, the JWT-bearer grant Google's libraries use by
// default) or as self-signed JWT access tokens.
//
// In process, Client and ClientFor call the handler directly (no sockets,
// no goroutines; the server has no background work), so tests can run it
// inside a testing/synctest bubble with virtual time.
//
// Methods: spreadsheets.create, get (ranges, includeGridData, fields),
// getByDataFilter, batchUpdate, developerMetadata.get and search, and
// values.get, update, append, clear, batchGet, batchUpdate, batchClear and
// their ByDataFilter forms; Drive files.copy, get, list (q: 'id' in parents,
// name, mimeType, trashed; and, or, not), create (folders, spreadsheets),
// update, delete, permissions.create, list, get, delete, drives.get and
// list. batchUpdate requests: addSheet, deleteSheet, updateSheetProperties,
// updateSpreadsheetProperties, updateCells, repeatCell, mergeCells,
// unmergeCells, updateDimensionProperties, insertDimension,
// deleteDimension, appendDimension, autoResizeDimensions (no effect),
// setDataValidation, add/update/deleteNamedRange,
// add/update/deleteProtectedRange, create/update/deleteDeveloperMetadata,
// addChart (stored, not drawn) and deleteEmbeddedObject; any other request
// is refused with a 400 that names the emulator.
//
// Quotas use a sliding one-minute window per bucket (user and project,
// reads and writes apart): a request is accepted when fewer than the quota
// were accepted in the 60 seconds before it. A client that spaces its
// requests 60s/quota apart is therefore never refused.
//
// Acting as a person: EditAs types values (USER_ENTERED, protected cells
// refused, strict data validation applied), BatchUpdateAs makes structural
// edits such as inserting a row, ReadAs reads what the person sees. None of
// them spends quota or counts in the stats.
//
// Where Google's behaviour is not documented the emulator follows the
// observed behaviour collected in the project's research notes, and says
// so in comments; messages quoted from real responses are marked in
// errors.go.
package sheetstest
