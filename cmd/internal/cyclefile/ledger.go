package cyclefile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/grid"
)

// readLedgers reads every ledger the cycle names and adds its amounts to
// the prior year's actuals or plan.
func (d *decoder) readLedgers(fsys fs.FS) {
	for _, l := range d.ledgers {
		d.readLedger(fsys, l)
	}
}

func (d *decoder) readLedger(fsys fs.FS, l *ledgerSpec) {
	if fsys == nil {
		d.add(l.line, l.ctx, "cannot read %q: no folder was given to read ledgers from", l.file)
		return
	}
	data, err := readLimited(fsys, l.file, MaxLedgerSize)
	if err != nil {
		d.add(l.line, l.ctx, "%v", err)
		return
	}
	lr := &ledgerReader{
		d:        d,
		l:        l,
		file:     filepath.Join(filepath.Dir(d.name), filepath.FromSlash(l.file)),
		cols:     map[string]int{},
		letters:  map[string]string{},
		firstCol: 1,
		sums:     map[ledgerKey]decimal.Decimal{},
		unmapped: map[unmappedKey]*unmappedSum{},
		prior:    engine.FiscalYear{Year: d.cycle.Year.Year - 1, StartMonth: d.cycle.Year.StartMonth},
	}
	lr.depts = newLookup(l.departments)
	for _, dep := range d.cycle.Departments {
		lr.depts.add(dep.ID, dep.Name)
	}
	lr.accts = newLookup(l.accounts)
	for _, a := range d.cycle.Accounts {
		lr.accts.add(a.Code, a.Name)
	}
	if strings.ToLower(path.Ext(l.file)) == ".xlsx" {
		lr.readXLSX(data)
	} else {
		lr.readCSV(data)
	}
	lr.finish()
}

// readLimited reads a file from fsys, refusing one larger than limit.
func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("ledger file %q does not exist (ledger paths are relative to the cycle file's folder)", name)
		}
		if strings.Contains(err.Error(), "escapes") { // os.Root's refusal of a link out of the folder
			return nil, fmt.Errorf("ledger file %q leads out of the cycle file's folder (through a symbolic link); put the ledger itself beside the cycle file", name)
		}
		return nil, fmt.Errorf("cannot open ledger file %q: %v", name, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("ledger file %q is a folder", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read ledger file %q: %v", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("ledger file %q is larger than %d MiB", name, limit>>20)
	}
	return data, nil
}

// ledgerKey is what a ledger's rows are added up by.
type ledgerKey struct {
	department, account string
	period              engine.Period
}

// unmappedKey is a ledger value that maps to no department or account.
type unmappedKey struct {
	role, value string
}

// unmappedSum gathers the rows of an unmapped value.
type unmappedSum struct {
	rows      int
	total     decimal.Decimal
	firstLine int
}

// ledgerReader maps one ledger's rows onto the cycle.
type ledgerReader struct {
	d *decoder
	l *ledgerSpec
	// file is the ledger's name in problems; sheet its xlsx sheet.
	file, sheet string
	// date1904 says an xlsx ledger counts dates from 1904.
	date1904 bool
	// cols maps a role to its 0-based column; letters to its column's
	// letter in the file, for messages, counting from firstCol (1 for a
	// CSV file, the sheet's first used column for xlsx).
	cols         map[string]int
	letters      map[string]string
	firstCol     int
	depts, accts *lookup
	sums         map[ledgerKey]decimal.Decimal
	order        []ledgerKey
	unmapped     map[unmappedKey]*unmappedSum
	unmappedKeys []unmappedKey
	// prior is the fiscal year calendar months in a period column fall in.
	prior engine.FiscalYear
	rows  int
	// imp gathers an import of actuals (actuals.go); nil for a prior-year
	// ledger.
	imp *importState
}

// problem reports a problem at a line (CSV) or row (xlsx) of the ledger.
func (lr *ledgerReader) problem(line int, format string, args ...any) {
	lr.d.c.add(Problem{File: lr.file, Sheet: lr.sheet, Line: line, Message: fmt.Sprintf(format, args...)})
}

// header finds the columns the ledger spec names among the header cells.
// A name missing from the header is reported at its line in the cycle
// file.
func (lr *ledgerReader) header(cells []string) bool {
	for i := range cells {
		cells[i] = strings.TrimSpace(strings.TrimPrefix(cells[i], "\ufeff"))
	}
	ok := true
	for _, role := range lr.l.roles() {
		name := lr.l.columns[role]
		col := findColumn(cells, name)
		switch {
		case col == -2:
			lr.d.add(lr.l.columnLines[role], lr.l.ctx+": columns", "%s column %q appears more than once in the header of %s", roleName(role), clip(name), lr.where())
			ok = false
		case col < 0:
			var others []string // headers no other role names
			for _, c := range cells {
				if !slices.ContainsFunc(slices.Collect(maps.Values(lr.l.columns)), func(h string) bool { return strings.EqualFold(h, c) }) {
					others = append(others, c)
				}
			}
			hint := didYouMean(name, others)
			if hint == "" {
				hint = "; the header holds: " + clip(strings.Join(cells, ", "))
			}
			lr.d.add(lr.l.columnLines[role], lr.l.ctx+": columns", "%s column %q is not in the header of %s%s", roleName(role), clip(name), lr.where(), hint)
			ok = false
		default:
			lr.cols[role] = col
			lr.letters[role] = grid.ColName(lr.firstCol + col)
		}
	}
	return ok
}

// where names the ledger (and sheet) for a message.
func (lr *ledgerReader) where() string {
	if lr.sheet != "" {
		return fmt.Sprintf("%s (sheet %q)", lr.file, lr.sheet)
	}
	return lr.file
}

// findColumn returns the column whose header is name (exactly, else
// ignoring case), -1 if none, -2 if several.
func findColumn(cells []string, name string) int {
	for _, fold := range []bool{false, true} {
		found := -1
		for i, c := range cells {
			if c == name || (fold && strings.EqualFold(c, name)) {
				if found >= 0 {
					return -2
				}
				found = i
			}
		}
		if found >= 0 {
			return found
		}
	}
	return -1
}

// row maps one data row. line is its line (CSV) or row (xlsx).
func (lr *ledgerReader) row(line int, cells []grid.Value) {
	get := func(role string) grid.Value {
		col, ok := lr.cols[role]
		if !ok || col >= len(cells) {
			return grid.Value{}
		}
		return cells[col]
	}
	if lr.blank(cells) {
		return
	}
	if lr.imp != nil {
		lr.importRow(line, cells)
		return
	}
	raw := get("amount")
	if lr.isMissing(raw) {
		return
	}
	amount, why := lr.amount(raw)
	if why != "" {
		lr.problem(line, "amount %s", why)
		return
	}
	dept, okDept := lr.depts.find(cellText(get("department")))
	acct, okAcct := lr.accts.find(cellText(get("account")))
	if !okDept {
		lr.unknown(line, "department", cellText(get("department")), amount)
	}
	if !okAcct {
		lr.unknown(line, "account", cellText(get("account")), amount)
	}
	if !okDept || !okAcct {
		return
	}
	period := engine.FullYear
	if _, ok := lr.cols["period"]; ok {
		p, why := lr.period(get("period"))
		if why != "" {
			lr.problem(line, "period %s", why)
			return
		}
		period = p
	}
	k := ledgerKey{dept, acct, period}
	sum, seen := lr.sums[k]
	if !seen {
		lr.order = append(lr.order, k)
	}
	lr.sums[k] = sum.Add(amount)
}

// unknown records a row whose department or account maps to nothing.
func (lr *ledgerReader) unknown(line int, role, value string, amount decimal.Decimal) {
	k := unmappedKey{role, value}
	u := lr.unmapped[k]
	if u == nil {
		u = &unmappedSum{firstLine: line}
		lr.unmapped[k] = u
		lr.unmappedKeys = append(lr.unmappedKeys, k)
	}
	u.rows++
	u.total = u.total.Add(amount)
}

// finish reports the unmapped values, or adds the ledger's amounts to the
// cycle.
func (lr *ledgerReader) finish() {
	if lr.imp != nil {
		lr.finishImport()
		return
	}
	for _, k := range lr.unmappedKeys {
		u := lr.unmapped[k]
		field := k.role + "s"
		at := fmt.Sprintf("%s:%d", lr.d.name, lr.l.line)
		var options []string
		if k.role == "department" {
			options = lr.depts.names
		} else {
			options = lr.accts.names
		}
		switch {
		case k.value == "":
			lr.problem(u.firstLine, "%s with an empty %s (total %s); fill the %s in, or map \"\" under %s: of the ledger at %s",
				plural(u.rows, "row"), k.role, formatAmount(u.total), k.role, field, at)
		case lr.depts.ambiguous[strings.ToLower(k.value)] && k.role == "department",
			lr.accts.ambiguous[strings.ToLower(k.value)] && k.role == "account":
			lr.problem(u.firstLine, "%s for %s %q (total %s), a name several %s share; map it under %s: of the ledger at %s",
				plural(u.rows, "row"), k.role, clip(k.value), formatAmount(u.total), field, field, at)
		default:
			lr.problem(u.firstLine, "%s for unknown %s %q (total %s); map it under %s: of the ledger at %s%s",
				plural(u.rows, "row"), k.role, clip(k.value), formatAmount(u.total), field, at, didYouMean(k.value, options))
		}
	}
	if len(lr.unmappedKeys) > 0 {
		return
	}
	to := &lr.d.cycle.PriorActuals
	if lr.l.kind == "plan" {
		to = &lr.d.cycle.PriorPlan
	}
	sign := decimal.NewFromInt(lr.l.sign)
	for _, k := range lr.order {
		*to = append(*to, engine.Amount{Department: k.department, Account: k.account, Period: k.period, Amount: lr.sums[k].Mul(sign)})
	}
}

// isMissing reports whether a cell holds one of the ledger's missing
// values.
func (lr *ledgerReader) isMissing(v grid.Value) bool {
	return slices.Contains(lr.l.missing, cellText(v))
}

// amount parses an amount cell. Numbers stored by a spreadsheet are exact;
// text must be a plain decimal (see parseLedgerAmount).
func (lr *ledgerReader) amount(v grid.Value) (decimal.Decimal, string) {
	switch v.Kind {
	case grid.Empty:
		return decimal.Decimal{}, `is empty; list "" under missing: to skip rows without an amount`
	case grid.Number:
		d, err := v.Decimal()
		if err != nil {
			return d, fmt.Sprintf("%q is not a number", clip(v.Text))
		}
		if d.Abs().GreaterThanOrEqual(decimal.New(1, maxIntDigits)) {
			return d, fmt.Sprintf("%q is too large", clip(v.Text))
		}
		if d.Exponent() < -30 {
			d = d.Round(30)
		}
		return d, ""
	case grid.String:
		d, why := parseLedgerAmount(v.Text)
		if why != "" {
			return d, fmt.Sprintf("%q %s", clip(v.Text), why)
		}
		return d, ""
	case grid.Error:
		return decimal.Decimal{}, fmt.Sprintf("%q is a spreadsheet error; fix the cell, or list %q under missing: to skip such rows", v.Text, v.Text)
	default:
		return decimal.Decimal{}, fmt.Sprintf("%q is not a number", clip(v.Text))
	}
}

// period reads a period cell: a fiscal period 1-12, a calendar month
// "2026-03" (or a date "2026-03-31", or a spreadsheet date), mapped through
// the prior fiscal year.
func (lr *ledgerReader) period(v grid.Value) (engine.Period, string) {
	text := cellText(v)
	if text == "" {
		return 0, "is empty; give a fiscal period 1-12 or a month such as 2026-03"
	}
	if n, ok := smallInt(text); ok && n >= 1 && n <= engine.MonthsPerYear {
		return engine.Period(n), ""
	}
	var t time.Time
	switch {
	case v.Kind == grid.Number:
		d, err := v.Decimal()
		if err != nil || d.LessThan(decimal.NewFromInt(367)) || d.GreaterThan(decimal.NewFromInt(2958465)) {
			return 0, fmt.Sprintf("%q is neither a fiscal period 1-12 nor a date", clip(text))
		}
		t = grid.SerialToTime(d.InexactFloat64(), lr.date1904)
	default:
		var err error
		if t, err = time.Parse("2006-01", text); err != nil {
			if t, err = time.Parse("2006-01-02", text); err != nil {
				return 0, fmt.Sprintf("%q is neither a fiscal period 1-12 nor a month such as 2026-03", clip(text))
			}
		}
	}
	p, ok := lr.prior.PeriodOf(t.Month(), t.Year())
	if !ok {
		return 0, fmt.Sprintf("%s is outside the prior fiscal year %s (%s to %s)", t.Format("2006-01"), lr.prior.Name(), lr.prior.Label(1), lr.prior.Label(engine.MonthsPerYear))
	}
	return p, ""
}

// cellText returns a cell's text, trimmed.
func cellText(v grid.Value) string { return strings.TrimSpace(v.Text) }

// blank reports whether a row holds nothing in the columns the ledger
// reads; such rows (spacers, notes beside the table) are skipped.
func (lr *ledgerReader) blank(cells []grid.Value) bool {
	for _, col := range lr.cols {
		if col < len(cells) && cellText(cells[col]) != "" {
			return false
		}
	}
	return true
}

// lookup maps ledger values to department ids or account codes: first the
// ledger's explicit map (exactly, then ignoring case), then the ids (same),
// then the names ignoring case.
type lookup struct {
	explicit  map[string]string
	explicitF map[string]string
	ids       map[string]bool
	idsF      map[string]string
	namesF    map[string]string
	ambiguous map[string]bool
	// names lists ids and names, for suggestions.
	names []string
	cache map[string]lookupResult
}

type lookupResult struct {
	id string
	ok bool
}

func newLookup(explicit map[string]mapping) *lookup {
	lk := &lookup{explicit: map[string]string{}, explicitF: map[string]string{}, ids: map[string]bool{},
		idsF: map[string]string{}, namesF: map[string]string{}, ambiguous: map[string]bool{}, cache: map[string]lookupResult{}}
	for _, k := range sortedKeys(explicit) {
		lk.explicit[k] = explicit[k].to
		if _, dup := lk.explicitF[strings.ToLower(k)]; !dup {
			lk.explicitF[strings.ToLower(k)] = explicit[k].to
		}
	}
	return lk
}

// add registers an id and its name.
func (lk *lookup) add(id, name string) {
	lk.ids[id] = true
	if _, dup := lk.idsF[strings.ToLower(id)]; !dup {
		lk.idsF[strings.ToLower(id)] = id
	}
	lk.names = append(lk.names, id)
	if name == "" {
		return
	}
	lk.names = append(lk.names, name)
	n := strings.ToLower(name)
	if other, dup := lk.namesF[n]; dup && other != id {
		lk.ambiguous[n] = true
		return
	}
	lk.namesF[n] = id
}

// find maps a ledger value.
func (lk *lookup) find(v string) (string, bool) {
	if r, ok := lk.cache[v]; ok {
		return r.id, r.ok
	}
	r := lk.resolve(v)
	lk.cache[v] = r
	return r.id, r.ok
}

func (lk *lookup) resolve(v string) lookupResult {
	f := strings.ToLower(v)
	if id, ok := lk.explicit[v]; ok {
		return lookupResult{id, true}
	}
	if id, ok := lk.explicitF[f]; ok {
		return lookupResult{id, true}
	}
	if v == "" {
		return lookupResult{}
	}
	if lk.ids[v] {
		return lookupResult{v, true}
	}
	if id, ok := lk.idsF[f]; ok {
		return lookupResult{id, true}
	}
	if id, ok := lk.namesF[f]; ok && !lk.ambiguous[f] {
		return lookupResult{id, true}
	}
	return lookupResult{}
}

// readCSV reads a CSV ledger: a header row, then data rows. A UTF-8 byte
// order mark and CRLF line ends are accepted.
func (lr *ledgerReader) readCSV(data []byte) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	head, err := r.Read()
	if errors.Is(err, io.EOF) {
		lr.problem(0, "the ledger is empty; it needs a header row naming its columns")
		return
	}
	if err != nil {
		lr.csvProblem(err)
		return
	}
	if !lr.header(slices.Clone(head)) {
		return
	}
	cells := make([]grid.Value, len(head))
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				lr.problem(pe.StartLine, "the row has %d fields; the header has %d", len(rec), len(head))
				continue
			}
			lr.csvProblem(err)
			return
		}
		if lr.rows++; lr.rows > MaxLedgerRows {
			lr.problem(0, "the ledger has more than %d rows", MaxLedgerRows)
			return
		}
		line, _ := r.FieldPos(0)
		for i, s := range rec {
			cells[i] = grid.Str(s)
		}
		lr.row(line, cells)
	}
}

// csvProblem reports a CSV syntax error at its line.
func (lr *ledgerReader) csvProblem(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		lr.problem(pe.Line, "invalid CSV: %v", pe.Err)
		return
	}
	lr.problem(0, "invalid CSV: %v", err)
}
