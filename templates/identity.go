package templates

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"aop/engine/grid"
)

// Identity is what a workbook says about itself on its hidden identity
// sheet: which cycle, department, template and round it belongs to.
type Identity struct {
	Cycle           string `json:"cycle"`
	Department      string `json:"department"`
	Template        string `json:"template"`
	TemplateVersion int    `json:"template_version"`
	Round           string `json:"round,omitempty"`
}

// Rows of the identity sheet; the values sit in column B.
const (
	idCycle = iota + 3
	idDepartment
	idTemplate
	idVersion
	idRound
	idKeyID
	idStructure
	idSignature
)

var idLabels = []string{idCycle: "cycle", idDepartment: "department", idTemplate: "template", idVersion: "template version",
	idRound: "round", idKeyID: "key id", idStructure: "structure", idSignature: "signature"}

func (t *Department) renderIdentity(wb *grid.Workbook, id Identity) {
	s := wb.Sheet(t.spec.Sheets.Identity)
	if s == nil {
		s = wb.AddSheet(t.spec.Sheets.Identity)
	}
	s.Visibility = grid.VeryHidden
	s.Protection = &grid.Protection{}
	s.Set(grid.R(1, 1), grid.Cell{Value: grid.Str("aop workbook identity. Do not edit: a changed value makes the workbook unusable.")})
	for row := idCycle; row <= idSignature; row++ {
		s.Set(grid.R(row, 1), grid.Cell{Value: grid.Str(idLabels[row])})
	}
	s.SetValue(grid.R(idCycle, 2), grid.Str(id.Cycle))
	s.SetValue(grid.R(idDepartment, 2), grid.Str(id.Department))
	s.SetValue(grid.R(idTemplate, 2), grid.Str(id.Template))
	if id.TemplateVersion > 0 {
		s.SetValue(grid.R(idVersion, 2), grid.Str(strconv.Itoa(id.TemplateVersion)))
	}
	s.SetValue(grid.R(idRound, 2), grid.Str(id.Round))
}

// Rows of the webhook's sheet id and secret on the identity sheet, below
// the signed identity: the menu buttons read them to sign their calls.
const (
	idWebhookSheet = idSignature + 2 + iota
	idWebhookSecret
)

// SetWebhook writes the sheet id and secret that a workbook's menu buttons
// sign their calls with into its hidden, protected identity sheet. They are
// outside the signed identity, so a workbook of any round keeps verifying.
func (t *Department) SetWebhook(wb *grid.Workbook, sheet, secret string) error {
	s := wb.Sheet(t.spec.Sheets.Identity)
	if s == nil {
		return errors.New("templates: the workbook has no identity sheet")
	}
	s.Set(grid.R(idWebhookSheet, 1), grid.Cell{Value: grid.Str("webhook sheet")})
	s.Set(grid.R(idWebhookSecret, 1), grid.Cell{Value: grid.Str("webhook secret")})
	s.SetValue(grid.R(idWebhookSheet, 2), grid.Str(sheet))
	s.SetValue(grid.R(idWebhookSecret, 2), grid.Str(secret))
	return nil
}

// Webhook reads what SetWebhook wrote ("" when nothing).
func (t *Department) Webhook(wb *grid.Workbook) (sheet, secret string) {
	s := wb.Sheet(t.spec.Sheets.Identity)
	if s == nil {
		return "", ""
	}
	return s.Value(grid.R(idWebhookSheet, 2)).Text, s.Value(grid.R(idWebhookSecret, 2)).Text
}

// Key is a signing key for workbook identities (at least 32 bytes).
type Key []byte

// ID returns a short public fingerprint of the key, written into workbooks
// so that a workbook signed with another key is told apart from a tampered
// one.
func (k Key) ID() string {
	m := hmac.New(sha256.New, k)
	m.Write([]byte("aop key id"))
	return hex.EncodeToString(m.Sum(nil))[:16]
}

// SheetPassword derives the password that protects a workbook's sheets from
// the key, so that only aop unprotects them. Sheet protection guards against
// accidents, not attackers; the signature guards the structure.
func (k Key) SheetPassword() string {
	m := hmac.New(sha256.New, k)
	m.Write([]byte("aop sheet password"))
	return hex.EncodeToString(m.Sum(nil))[:20]
}

func (k Key) sign(id Identity, structure string) string {
	m := hmac.New(sha256.New, k)
	fmt.Fprintf(m, "aop workbook v1\x00%s\x00%s\x00%s\x00%d\x00%s\x00%s", id.Cycle, id.Department, id.Template, id.TemplateVersion, id.Round, structure)
	return hex.EncodeToString(m.Sum(nil))
}

// Generate renders and signs the workbook of one department: the file a
// department head fills in.
func (t *Department) Generate(dept, round string, key Key) (*grid.Workbook, error) {
	if len(key) < 32 {
		return nil, errors.New("templates: the signing key must be at least 32 bytes")
	}
	wb, err := t.Render(dept)
	if err != nil {
		return nil, err
	}
	id := Identity{Cycle: t.cycle.ID, Department: dept, Template: t.spec.ID, TemplateVersion: t.spec.Version, Round: round}
	t.renderIdentity(wb, id)
	structure := t.structureDigest(wb)
	ids := wb.Sheet(t.spec.Sheets.Identity)
	ids.SetValue(grid.R(idKeyID, 2), grid.Str(key.ID()))
	ids.SetValue(grid.R(idStructure, 2), grid.Str(structure))
	ids.SetValue(grid.R(idSignature, 2), grid.Str(key.sign(id, structure)))
	pw := key.SheetPassword()
	for _, s := range wb.Sheets {
		if s.Protection != nil {
			s.Protection.Password = pw
		}
	}
	return wb, nil
}

// structureDigest hashes what a person may not change: the names and order
// of the sheets and every fixed cell (labels, headers, lists, seeded prior
// year), but neither input cells nor formula results, which change as people
// type, nor sheet visibility, which LibreOffice changes from veryHidden to
// hidden on save. Numbers are hashed by value so a re-save that writes
// "1.50" as "1.5" does not count as a change.
func (t *Department) structureDigest(wb *grid.Workbook) string {
	d := newDigest()
	for _, s := range wb.Sheets {
		if s.Name == t.spec.Sheets.Identity {
			continue
		}
		d.sheet(s.Name)
		for at, c := range s.All() {
			if !isFixed(c) {
				continue
			}
			d.cell(at, c.Value)
		}
	}
	return d.sum()
}

// digest hashes a workbook's fixed structure: each sheet's name, then each
// fixed cell's reference, kind and canonical value, in row-major order.
type digest struct {
	h hash.Hash
	b []byte
}

func newDigest() *digest { return &digest{h: sha256.New()} }

func (d *digest) sheet(name string) {
	d.b = append(append(append(d.b[:0], "sheet\x00"...), name...), 0)
	d.h.Write(d.b)
}

func (d *digest) cell(at grid.Ref, v grid.Value) {
	d.b = append(at.Append(d.b[:0]), 0)
	d.b = strconv.AppendInt(d.b, int64(v.Kind), 10)
	d.b = append(append(append(d.b, 0), canonical(v)...), 0)
	d.h.Write(d.b)
}

func (d *digest) sum() string { return hex.EncodeToString(d.h.Sum(nil))[:32] }

// isFixed reports whether a rendered cell is fixed structure: a locked cell
// holding a constant.
func isFixed(c grid.Cell) bool {
	return c.Formula == "" && !c.Value.IsEmpty() && (c.Style == nil || !c.Style.Unlocked)
}

func canonical(v grid.Value) string {
	if v.Kind == grid.Number && !isCanonicalNumber(v.Text) {
		if d, err := v.Decimal(); err == nil {
			return d.String()
		}
	}
	return v.Text
}

// Problem classifies why a workbook's identity is refused.
type Problem string

// The problems Verify reports.
const (
	NotAOP          Problem = "not_aop_workbook"
	UnknownTemplate Problem = "unknown_template"
	WrongCycle      Problem = "wrong_cycle"
	WrongDepartment Problem = "wrong_department"
	WrongKey        Problem = "wrong_key"
	Tampered        Problem = "tampered"
	ChangedLayout   Problem = "changed_structure"
)

// IdentityError says why a workbook is not accepted as what it claims to be,
// in words a department head can act on.
type IdentityError struct {
	Problem Problem
	Sheet   string
	Cell    string
	Message string
}

func (e *IdentityError) Error() string { return e.Message }

// ReadIdentity reads the identity a workbook claims, without checking it.
func (t *Department) ReadIdentity(wb *grid.Workbook) (Identity, error) {
	s := wb.Sheet(t.spec.Sheets.Identity)
	if s == nil {
		return Identity{}, &IdentityError{Problem: NotAOP, Message: "this is not an aop planning workbook (it has no identity sheet); fill in the workbook generated for your department"}
	}
	get := func(row int) string { return strings.TrimSpace(s.Value(grid.R(row, 2)).Text) }
	id := Identity{Cycle: get(idCycle), Department: get(idDepartment), Template: get(idTemplate), Round: get(idRound)}
	v, err := strconv.Atoi(get(idVersion))
	if err != nil || id.Cycle == "" || id.Department == "" || id.Template == "" {
		return id, &IdentityError{Problem: Tampered, Sheet: s.Name, Message: "the workbook's identity sheet is incomplete or was edited; use the workbook generated for your department"}
	}
	id.TemplateVersion = v
	return id, nil
}

// Verify checks that a harvested workbook is a genuine, unaltered workbook of
// this cycle and template, for department want (any department when want is
// empty). It checks, in order: the identity sheet, the template and its
// version, the cycle, the department, the signing key, the fixed structure
// cell by cell, and the signature. The first failure is returned as an
// *IdentityError.
func (t *Department) Verify(wb *grid.Workbook, want string, key Key) (Identity, error) {
	id, err := t.ReadIdentity(wb)
	if err != nil {
		return id, err
	}
	ids := wb.Sheet(t.spec.Sheets.Identity)
	if id.Template != t.spec.ID || id.TemplateVersion != t.spec.Version {
		return id, &IdentityError{Problem: UnknownTemplate, Message: fmt.Sprintf(
			"the workbook was made from template %q version %d, which this aop does not know (it reads %q version %d); ask finance for a new workbook",
			id.Template, id.TemplateVersion, t.spec.ID, t.spec.Version)}
	}
	if id.Cycle != t.cycle.ID {
		return id, &IdentityError{Problem: WrongCycle, Message: fmt.Sprintf(
			"the workbook belongs to planning cycle %q, not to %q; submit the workbook of the current cycle", id.Cycle, t.cycle.ID)}
	}
	d, ok := t.cycle.Department(id.Department)
	if !ok {
		return id, &IdentityError{Problem: WrongDepartment, Message: fmt.Sprintf(
			"the workbook is for department %q, which cycle %q does not have", id.Department, t.cycle.ID)}
	}
	if want != "" && id.Department != want {
		wantName := want
		if wd, ok := t.cycle.Department(want); ok {
			wantName = wd.Name
		}
		return id, &IdentityError{Problem: WrongDepartment, Message: fmt.Sprintf(
			"the workbook belongs to department %s (%s), not to %s (%s); submit your own department's workbook", d.Name, d.ID, wantName, want)}
	}
	if got := strings.TrimSpace(ids.Value(grid.R(idKeyID, 2)).Text); got != key.ID() {
		return id, &IdentityError{Problem: WrongKey, Message: fmt.Sprintf(
			"the workbook was signed with another key (key id %q, this cycle's key is %q); it was generated by another aop installation or before the key changed",
			got, key.ID())}
	}
	sig := strings.TrimSpace(ids.Value(grid.R(idSignature, 2)).Text)
	// The fast check: the workbook's own fixed cells hash to the signed
	// digest. When they do not, the slow check below renders the expected
	// workbook to name the cell that changed.
	sh, err := t.shapeFor(id.Department)
	if err != nil {
		return id, err
	}
	if structure, ok := sh.digest(wb); ok && hmac.Equal([]byte(sig), []byte(key.sign(id, structure))) {
		return id, nil
	}
	expected, err := t.Render(id.Department)
	if err != nil {
		return id, err
	}
	if e := t.compareStructure(expected, wb); e != nil {
		return id, e
	}
	t.renderIdentity(expected, id)
	structure := t.structureDigest(expected)
	if !hmac.Equal([]byte(sig), []byte(key.sign(id, structure))) {
		return id, &IdentityError{Problem: Tampered, Sheet: ids.Name, Message: "the workbook's identity does not match its signature: the hidden identity sheet was edited, or the cycle file changed since the workbook was generated; use a freshly generated workbook"}
	}
	return id, nil
}

// compareStructure checks a harvested workbook against a freshly rendered
// one: every template sheet is there, every fixed cell holds what it held,
// and nothing was typed outside the input cells.
func (t *Department) compareStructure(want, got *grid.Workbook) *IdentityError {
	changed := func(sheet, cell, format string, args ...any) *IdentityError {
		return &IdentityError{Problem: ChangedLayout, Sheet: sheet, Cell: cell, Message: fmt.Sprintf(format, args...) +
			"; sheets, rows and columns must stay as generated: undo the change or start again from the generated workbook"}
	}
	for _, ws := range want.Sheets {
		if ws.Name == t.spec.Sheets.Identity {
			continue
		}
		gs := got.Sheet(ws.Name)
		if gs == nil {
			return changed(ws.Name, "", "sheet %q is missing", ws.Name)
		}
		for at, c := range ws.All() {
			if !isFixed(c) {
				continue
			}
			if g := gs.Value(at); !g.Equal(c.Value) && canonical(g) != canonical(c.Value) {
				return changed(ws.Name, at.String(), "%s should read %q but reads %q", at, c.Value.Text, g.Text)
			}
		}
		for at, g := range gs.All() {
			if g.Value.IsEmpty() {
				continue
			}
			if c := ws.Cell(at); c.IsZero() || (c.Formula == "" && c.Value.IsEmpty() && (c.Style == nil || !c.Style.Unlocked)) {
				return changed(ws.Name, at.String(), "%s holds %q where the template has nothing", at, g.Value.Text)
			}
		}
	}
	return nil
}

// ErrNoKey is returned when no signing key is configured.
var ErrNoKey = errors.New("no signing key: set AOP_SIGNING_KEY or name a key file (signing_key_file) in the cycle file")

// isCanonicalNumber reports whether a number's text is already as
// decimal.Decimal.String writes it: an optional minus, digits without
// leading zeros, and a fraction without trailing zeros. Most numbers are,
// and need no parse.
func isCanonicalNumber(s string) bool {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (len(whole) > 1 && whole[0] == '0') || (dot && (frac == "" || frac[len(frac)-1] == '0')) {
		return false
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return !neg || s != "0"
}
