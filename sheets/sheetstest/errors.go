package sheetstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// apiError is an error answered in Google's JSON error shape:
// {"error":{"code","message","status"[,"details"][,"errors"]}}. Sheets
// answers carry the canonical status; Drive answers carry the legacy
// "errors" list instead.
type apiError struct {
	Code    int         `json:"code"`
	Message string      `json:"message"`
	Status  string      `json:"status,omitempty"`
	Details []any       `json:"details,omitempty"`
	Errors  []errorItem `json:"errors,omitempty"`
}

// errorItem is one entry of the legacy (Drive, and a few Sheets) "errors"
// list.
type errorItem struct {
	Domain       string `json:"domain"`
	Reason       string `json:"reason"`
	Message      string `json:"message"`
	LocationType string `json:"locationType,omitempty"`
	Location     string `json:"location,omitempty"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Code, e.Status, e.Message) }

func writeError(w http.ResponseWriter, e *apiError) {
	body, _ := json.Marshal(struct {
		Error *apiError `json:"error"`
	}{e})
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.Code)
	_, _ = w.Write(body)
}

// Canonical status names by HTTP code, as Google's REST front end maps them.
var canonicalStatus = map[int]string{
	400: "INVALID_ARGUMENT",
	401: "UNAUTHENTICATED",
	403: "PERMISSION_DENIED",
	404: "NOT_FOUND",
	409: "ALREADY_EXISTS",
	429: "RESOURCE_EXHAUSTED",
	500: "INTERNAL",
	503: "UNAVAILABLE",
	504: "DEADLINE_EXCEEDED",
}

func newError(code int, format string, args ...any) *apiError {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &apiError{Code: code, Message: msg, Status: canonicalStatus[code]}
}

func invalidf(format string, args ...any) *apiError { return newError(400, format, args...) }

// badRequestField is a 400 whose details name the offending field, as
// Google's JSON parser answers malformed bodies.
func badRequestField(field, msg string) *apiError {
	e := newError(400, "%s", msg)
	e.Details = []any{map[string]any{
		"@type":           "type.googleapis.com/google.rpc.BadRequest",
		"fieldViolations": []any{map[string]any{"field": field, "description": msg}},
	}}
	return e
}

// Messages Google answers with. Observed in real responses (research
// notes, sections 1.3, 1.5 and 1.7): msgNoPermission, msgProtected (seen in
// the v3 era, still answered), msgSANoQuota, msgPayloadTooBig and the 429
// text of quotaError. Google's usual texts, not verified against a source:
// msgNotFound, msgInternal, msgUnavailable, msgDeadline and the two 401
// texts. Wording of other 400s (the "already exists" family, invalid
// masks) is the emulator's, following Google's "Invalid requests[i].kind:"
// pattern.
const (
	msgNoPermission   = "The caller does not have permission"
	msgNotFound       = "Requested entity was not found."
	msgProtected      = "You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit."
	msgInternal       = "Internal error encountered."
	msgUnavailable    = "The service is currently unavailable."
	msgDeadline       = "The request deadline was exceeded. Please try again."
	msgSANoQuota      = "Service Accounts do not have storage quota. Leverage shared drives (https://developers.google.com/workspace/drive/api/guides/about-shareddrives), or use OAuth delegation (http://support.google.com/a/answer/7281227) instead."
	msgMissingCreds   = "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
	msgInvalidCreds   = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
	msgPayloadTooBig  = "Request payload size exceeds the limit: %d bytes."
	msgSheetsService  = "sheets.googleapis.com"
	msgInvalidCredsDr = "Invalid Credentials"
)

func errPermission() *apiError { return newError(403, msgNoPermission) }

func errNotFound() *apiError { return newError(404, msgNotFound) }

func errProtected() *apiError { return invalidf(msgProtected) }

// errUnauthenticated is the 401 Sheets answers for a missing or unknown
// token, with the ErrorInfo detail Google adds.
func errUnauthenticated(missing bool, service, method string) *apiError {
	msg, reason := msgInvalidCreds, "ACCESS_TOKEN_TYPE_UNSUPPORTED"
	if missing {
		msg, reason = msgMissingCreds, "CREDENTIALS_MISSING"
	}
	e := newError(401, "%s", msg)
	e.Details = []any{map[string]any{
		"@type":    "type.googleapis.com/google.rpc.ErrorInfo",
		"reason":   reason,
		"domain":   "googleapis.com",
		"metadata": map[string]string{"service": service, "method": method},
	}}
	return e
}

// driveError is an error in Drive's legacy shape, with the "errors" list.
func driveError(code int, reason, msg, location string) *apiError {
	e := &apiError{Code: code, Message: msg}
	item := errorItem{Domain: "global", Reason: reason, Message: msg}
	if location != "" {
		item.LocationType = "parameter"
		if location == "Authorization" {
			item.LocationType = "header"
		}
		item.Location = location
	}
	switch reason {
	case "storageQuotaExceeded", "userRateLimitExceeded", "rateLimitExceeded":
		item.Domain = "usageLimits"
	}
	e.Errors = []errorItem{item}
	return e
}

func driveNotFound(id string) *apiError {
	return driveError(404, "notFound", fmt.Sprintf("File not found: %s.", id), "fileId")
}

func driveNoPermission(id string) *apiError {
	return driveError(403, "insufficientFilePermissions",
		fmt.Sprintf("The user does not have sufficient permissions for file %s.", id), "")
}

func driveInvalid(location, msg string) *apiError {
	if msg == "" {
		msg = "Invalid Value"
	}
	return driveError(400, "invalid", msg, location)
}

// quotaError is the 429 Sheets answers when a per-minute quota is spent,
// in the ErrorInfo form of current Google responses.
func quotaError(write, perUser bool, project string, limit int) *apiError {
	kind, metric, limitName := "Read", "read_requests", "ReadRequestsPerMinute"
	if write {
		kind, metric, limitName = "Write", "write_requests", "WriteRequestsPerMinute"
	}
	scope, suffix := "per user", "PerUser"
	if !perUser {
		scope, suffix = "per project", "PerProject"
	}
	e := newError(429, "Quota exceeded for quota metric '%s requests' and limit '%s requests per minute %s' of service '%s' for consumer 'project_number:%s'.",
		kind, kind, scope, msgSheetsService, projectNumber(project))
	e.Details = []any{map[string]any{
		"@type":  "type.googleapis.com/google.rpc.ErrorInfo",
		"reason": "RATE_LIMIT_EXCEEDED",
		"domain": "googleapis.com",
		"metadata": map[string]string{
			"consumer":          "projects/" + projectNumber(project),
			"quota_limit":       limitName + suffix,
			"quota_metric":      "sheets.googleapis.com/" + metric,
			"quota_limit_value": strconv.Itoa(limit),
			"quota_location":    "global",
			"service":           msgSheetsService,
		},
	}}
	return e
}
