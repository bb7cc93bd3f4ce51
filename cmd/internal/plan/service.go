package plan

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"aop/engine"
	"aop/engine/grid"
	"aop/engine/review"
)

// Books is the spreadsheet side of the service (the excel driver, wired by
// cmd/aop): it reads workbooks people send and writes the ones aop sends.
type Books interface {
	// Harvest reads a workbook, checks that it is the workbook of dept in
	// round of the cycle (signature, structure) and parses its inputs.
	Harvest(ctx context.Context, c *engine.Cycle, name string, data []byte, dept, round string) Harvest
	// Generate renders a department's workbook for a round.
	Generate(c *engine.Cycle, w Workbook) ([]byte, error)
	// WriteSummary writes a department's Summary tab from a consolidation
	// into its workbook, leaving its inputs as they are.
	WriteSummary(c *engine.Cycle, k *engine.Consolidation, dept string, workbook []byte, asOf string) ([]byte, error)
	// SummarySheet renders the Summary tab WriteSummary writes, as a
	// sheet (for clients that write the tab themselves).
	SummarySheet(c *engine.Cycle, k *engine.Consolidation, dept, asOf string) (*grid.Sheet, error)
	// FinanceSummary renders the finance summary workbook of a
	// consolidation of subs and the report of it (company totals, gap
	// register) as JSON; a cycle with scenarios adds their tabs.
	FinanceSummary(c *engine.Cycle, k *engine.Consolidation, subs []*engine.Submission, asOf string, leftOut []string) (workbook []byte, report json.RawMessage, err error)
}

// Workbook is what goes into a department's workbook.
type Workbook struct {
	Department, Round string
	// Values are the inputs of the department's current submission, typed
	// in again (none for a fresh workbook).
	Values []engine.Fact
	// Locked workbooks take no input: the plan is approved.
	Locked bool
	// Actuals says the department's spreadsheet has its Actuals vs Plan
	// tab, whose explanations a harvest reads too.
	Actuals bool
	// Sheet and Secret identify and authenticate the workbook's menu
	// buttons (the webhook); they go into its protected metadata sheet.
	Sheet, Secret string
}

// Harvest is what Books.Harvest found in a workbook.
type Harvest struct {
	// Refused workbooks are not usable at all (another department or
	// round, tampered, corrupt); Problem says how.
	Refused  bool
	Problem  string
	Findings []engine.Finding
	Records  []engine.Fact
	// Submission is the typed plan; nil when refused.
	Submission *engine.Submission
	// Explanations are what the Actuals vs Plan tab says, one for each
	// of its lines (Text empty where it says nothing).
	Explanations []review.Explanation
}

// Sender delivers reminders (e-mail, chat); the default writes the log.
type Sender interface {
	Remind(ctx context.Context, r Reminder) error
}

// Reminder asks a department to submit before a round's due date.
type Reminder struct {
	Round      Round
	Department engine.Department
	Status     Status
	Link       string
}

// Options configure a Service.
type Options struct {
	Store Store
	Queue Queue
	Books Books
	// Spreadsheets is the Google side, for rounds that run in Google
	// Sheets; nil when the service is not connected to Google.
	Spreadsheets Spreadsheets
	// ParseCycle parses a cycle file (cyclefile.Parse, wired by cmd/aop).
	ParseCycle func(name string, data []byte) (*engine.Cycle, error)
	// Key signs webhook secrets; it is the workbook signing key.
	Key []byte
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Log    *slog.Logger
	Sender Sender
	// Processed, when set, hears of every submission harvested, with its
	// state (for metrics).
	Processed func(SubmissionState)
	// WebhookWindow is how far a signed request's timestamp may be from
	// now (5 minutes when zero).
	WebhookWindow time.Duration
	// RemindLead is how long before the due date late departments are
	// reminded (72 hours when zero).
	RemindLead time.Duration
	// PublicURL prefixes links in reminders.
	PublicURL string
	// Closer reads ledger exports and renders the monthly close (the
	// close's jobs fail without it).
	Closer Closer
	// CloseSchedule says when the close runs; nil runs it only when
	// actuals are imported.
	CloseSchedule Schedule
	// Notifier raises the alerts of fired triggers (the log when nil).
	Notifier Notifier
}

// Service runs the planning cycle. It is safe for concurrent use.
type Service struct {
	o      Options
	mu     sync.Mutex
	cycles map[string]*engine.Cycle // parsed cycles by id and source hash
}

// New returns a service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Sender == nil {
		o.Sender = LogSender{Log: o.Log}
	}
	if o.Notifier == nil {
		o.Notifier = LogNotifier{Log: o.Log}
	}
	if o.WebhookWindow == 0 {
		o.WebhookWindow = 5 * time.Minute
	}
	if o.RemindLead == 0 {
		o.RemindLead = 72 * time.Hour
	}
	return &Service{o: o, cycles: map[string]*engine.Cycle{}}
}

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Microsecond) }

// LogSender writes reminders to the log.
type LogSender struct{ Log *slog.Logger }

// Remind logs the reminder.
func (l LogSender) Remind(_ context.Context, r Reminder) error {
	l.Log.Info("reminder", "round", r.Round.ID, "department", r.Department.ID, "owner", r.Department.Owner,
		"status", r.Status, "due", r.Round.Due.Format(time.RFC3339), "link", r.Link)
	return nil
}

// ---- who may do what

// can checks that an actor may act on a department (dept "" for
// finance-wide actions); write actions need more than a viewer.
func can(a Actor, dept string, write bool) error {
	switch a.Role {
	case FinanceAdmin:
		return nil
	case FinanceViewer:
		if write {
			return Errorf(KindForbidden, "a finance-viewer token reads only; this needs finance-admin")
		}
		return nil
	case DepartmentRole:
		if dept == "" {
			return Errorf(KindForbidden, "a department token acts only on its own department; this needs a finance token")
		}
		if dept != a.Department {
			return Errorf(KindForbidden, "this token acts for department %s, not %s", a.Department, dept)
		}
		return nil
	}
	return Errorf(KindUnauthorized, "no valid credentials")
}

// financeOnly allows finance-admin (write) or any finance role (read).
func financeOnly(a Actor, write bool) error {
	if a.Role == DepartmentRole {
		return Errorf(KindForbidden, "this needs a finance token")
	}
	return can(a, "", write)
}

// ---- audit

func (s *Service) audit(ctx context.Context, tx Tx, a Actor, action string, round int64, dept, subject string, before, after any) error {
	e := &AuditEntry{At: s.now(), Actor: a.Kind + ":" + a.Name, Role: a.Role, Action: action, Round: round,
		Department: dept, Subject: subject, Before: rawJSON(before), After: rawJSON(after)}
	return tx.AddAudit(ctx, e)
}

func rawJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(fmt.Sprintf("%q", err.Error()))
	}
	return b
}

// Audit lists audit entries (finance only).
func (s *Service) Audit(ctx context.Context, a Actor, q AuditQuery) ([]AuditEntry, error) {
	if err := financeOnly(a, false); err != nil {
		return nil, err
	}
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 200
	}
	return s.o.Store.Audit(ctx, q)
}

// ---- tokens

// tokenPrefix starts every API token, so a leaked one is easy to spot.
const tokenPrefix = "aop_"

// CreateToken makes a token and returns its secret, shown once: only its
// hash is stored.
func (s *Service) CreateToken(ctx context.Context, a Actor, name string, role Role, dept string) (string, Token, error) {
	if err := financeOnly(a, true); err != nil {
		return "", Token{}, err
	}
	if strings.TrimSpace(name) == "" {
		return "", Token{}, &Error{Kind: KindInvalid, Message: "name the token's holder, for the audit log", Fields: map[string]string{"name": "required"}}
	}
	if !role.Valid() {
		return "", Token{}, &Error{Kind: KindInvalid, Message: fmt.Sprintf("role %q is not one of finance-admin, finance-viewer, department", role),
			Fields: map[string]string{"role": "unknown role"}}
	}
	if (role == DepartmentRole) != (dept != "") {
		return "", Token{}, &Error{Kind: KindInvalid, Message: "a department token names its department, and only a department token does",
			Fields: map[string]string{"department": "required for the department role only"}}
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Token{}, err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	sum := sha256.Sum256([]byte(secret))
	t := Token{Name: name, Hash: sum[:], Role: role, Department: dept, CreatedAt: s.now()}
	err := s.o.Store.InTx(ctx, func(tx Tx) error {
		t.ID = 0
		if err := tx.AddToken(ctx, &t); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "token.create", 0, dept, fmt.Sprintf("token %d", t.ID), nil, t)
	})
	return secret, t, err
}

// Authenticate returns the actor of a bearer token.
func (s *Service) Authenticate(ctx context.Context, bearer string) (Actor, error) {
	if !strings.HasPrefix(bearer, tokenPrefix) || len(bearer) > 128 {
		return Actor{}, Errorf(KindUnauthorized, "the token is not an aop token")
	}
	sum := sha256.Sum256([]byte(bearer))
	t, err := s.o.Store.TokenByHash(ctx, sum[:])
	if err != nil {
		if KindOf(err) == KindNotFound {
			return Actor{}, Errorf(KindUnauthorized, "unknown token")
		}
		return Actor{}, err
	}
	if subtle.ConstantTimeCompare(t.Hash, sum[:]) != 1 || t.RevokedAt != nil {
		return Actor{}, Errorf(KindUnauthorized, "the token is revoked")
	}
	return Actor{Kind: "token", Name: fmt.Sprintf("%s#%d", t.Name, t.ID), Role: t.Role, Department: t.Department}, nil
}

// ---- webhook signatures

// SheetID names a department's workbook of a round for the webhook.
func SheetID(round int64, dept string) string { return fmt.Sprintf("r%d.%s", round, dept) }

// parseSheetID is the inverse of SheetID.
func parseSheetID(id string) (int64, string, bool) {
	var round int64
	r, dept, ok := strings.Cut(id, ".")
	if !ok || dept == "" || !strings.HasPrefix(r, "r") {
		return 0, "", false
	}
	if _, err := fmt.Sscanf(r, "r%d", &round); err != nil || round <= 0 || fmt.Sprintf("r%d", round) != r {
		return 0, "", false
	}
	return round, dept, true
}

// SheetSecret is the webhook secret of a workbook, derived from the signing
// key, which aop writes into the workbook's protected metadata sheet.
func (s *Service) SheetSecret(sheet string) string {
	m := hmac.New(sha256.New, s.o.Key)
	m.Write([]byte("aop webhook v1\n" + sheet))
	return hex.EncodeToString(m.Sum(nil))
}

// Signed is a webhook request's signature and what it covers.
type Signed struct {
	Sheet, Method, Path, Timestamp, Nonce, Signature string
	Body                                             []byte
}

// SignatureBase is the text a webhook signature covers.
func SignatureBase(method, path, timestamp, nonce string, body []byte) string {
	sum := sha256.Sum256(body)
	return method + "\n" + path + "\n" + timestamp + "\n" + nonce + "\n" + hex.EncodeToString(sum[:])
}

// Sign returns the X-AOP-Signature value of a request (clients and tests).
func Sign(secret, method, path, timestamp, nonce string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(SignatureBase(method, path, timestamp, nonce, body)))
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySheet checks a webhook request's signature, timestamp and nonce and
// returns the sheet as the actor: it proves the sheet, not the person.
func (s *Service) VerifySheet(ctx context.Context, r Signed) (Actor, int64, error) {
	round, dept, ok := parseSheetID(r.Sheet)
	if !ok {
		return Actor{}, 0, Errorf(KindUnauthorized, "X-AOP-Sheet %q is not an aop sheet id", r.Sheet)
	}
	want := Sign(s.SheetSecret(r.Sheet), r.Method, r.Path, r.Timestamp, r.Nonce, r.Body)
	if subtle.ConstantTimeCompare([]byte(want), []byte(r.Signature)) != 1 {
		return Actor{}, 0, Errorf(KindUnauthorized, "the signature does not match")
	}
	var ts int64
	if _, err := fmt.Sscanf(r.Timestamp, "%d", &ts); err != nil {
		return Actor{}, 0, Errorf(KindUnauthorized, "X-AOP-Timestamp is not Unix seconds")
	}
	now := s.now()
	if d := now.Sub(time.Unix(ts, 0)); d > s.o.WebhookWindow || d < -s.o.WebhookWindow {
		return Actor{}, 0, Errorf(KindUnauthorized, "the request's timestamp is outside the %s window; check the clock", s.o.WebhookWindow)
	}
	if len(r.Nonce) < 8 || len(r.Nonce) > 128 {
		return Actor{}, 0, Errorf(KindUnauthorized, "X-AOP-Nonce must be 8 to 128 characters")
	}
	fresh, err := s.o.Store.UseNonce(ctx, r.Nonce, now, now.Add(-2*s.o.WebhookWindow))
	if err != nil {
		return Actor{}, 0, err
	}
	if !fresh {
		return Actor{}, 0, Errorf(KindUnauthorized, "the nonce was used before (a replayed request)")
	}
	return Actor{Kind: "sheet", Name: r.Sheet, Role: DepartmentRole, Department: dept}, round, nil
}

// VerifyOwner returns the actor of a webhook request from the Workspace
// add-on, whose identity token Google signed for email: the person,
// acting for the department of the sheet they clicked in, provided the
// round's cycle names them its owner (e-mail addresses compare without
// case). The cycle names no finance people, so the owner is the only one
// the add-on acts for.
func (s *Service) VerifyOwner(ctx context.Context, sheet, email string) (Actor, int64, error) {
	round, dept, ok := parseSheetID(sheet)
	if !ok {
		return Actor{}, 0, &Error{Kind: KindInvalid, Fields: map[string]string{"X-AOP-Sheet": "not an aop sheet id"},
			Message: fmt.Sprintf("X-AOP-Sheet %q is not an aop sheet id (r{round}.{department}, from the sheet's metadata)", sheet)}
	}
	r, err := s.o.Store.Round(ctx, round)
	if KindOf(err) == KindNotFound {
		return Actor{}, 0, Errorf(KindNotFound, "sheet %s: round %d does not exist", sheet, round)
	}
	if err != nil {
		return Actor{}, 0, err
	}
	c, err := s.cycle(ctx, s.o.Store, r.Cycle)
	if err != nil {
		return Actor{}, 0, err
	}
	d, ok := c.Department(dept)
	if !ok || !slices.Contains(r.Departments, dept) {
		return Actor{}, 0, Errorf(KindNotFound, "sheet %s: department %s is not in round %d (%s)", sheet, dept, round, r.Name)
	}
	if d.Owner == "" || !strings.EqualFold(strings.TrimSpace(d.Owner), email) {
		return Actor{}, 0, Errorf(KindForbidden, "%s is not the owner of department %s (%s) in cycle %s; only the department head named in the cycle may use its sheet",
			email, d.ID, d.Name, r.Cycle)
	}
	return Actor{Kind: "google", Name: email, Role: DepartmentRole, Department: dept}, round, nil
}

// ---- signed links

// LinkTTL is how long a link in a reminder works.
const LinkTTL = 14 * 24 * time.Hour

// Link returns the query that lets whoever holds the link act for one
// department in one round until it expires: download its workbook, validate
// and upload (the links in reminders).
func (s *Service) Link(round int64, dept string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return "expires=" + exp + "&sig=" + s.linkSig(round, dept, exp)
}

func (s *Service) linkSig(round int64, dept, expires string) string {
	m := hmac.New(sha256.New, s.o.Key)
	fmt.Fprintf(m, "aop link v1\n%d\n%s\n%s", round, dept, expires)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyLink checks a signed link for a department's route in a round and
// returns its actor: the department, through the link.
func (s *Service) VerifyLink(round int64, dept, expires, sig string) (Actor, error) {
	want := s.linkSig(round, dept, expires)
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) != 1 {
		return Actor{}, Errorf(KindUnauthorized, "the link's signature does not match; use the link from your latest reminder")
	}
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !s.now().Before(time.Unix(exp, 0)) {
		return Actor{}, Errorf(KindUnauthorized, "the link has expired; ask finance for a new one")
	}
	return Actor{Kind: "link", Name: SheetID(round, dept), Role: DepartmentRole, Department: dept}, nil
}
