package cyclefile

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"aop/engine"
	"aop/engine/actuals"
	"aop/engine/model"
	"aop/engine/review"
)

// topFields lists the fields of the cycle file's top level.
func topFields() []string {
	return []string{"cycle", "company", "currency", "fiscal_year", "start_month", "signing_key_file", "lines",
		"departments", "accounts", "dimensions", "targets", "prior_year", "rules",
		"actuals", "cash", "initiatives", "playbooks", "scenarios", "triggers", "ranges", "history", "capacities"}
}

// parseYAML parses data as one YAML document and returns its root node, or
// nil after reporting why it cannot.
func parseYAML(name string, data []byte, c *collector) (root *yaml.Node) {
	defer func() {
		// The YAML parser is third-party code fed untrusted input: a panic
		// in it is reported as a problem rather than crashing the caller.
		if r := recover(); r != nil {
			c.add(Problem{File: name, Message: fmt.Sprintf("cannot parse the YAML: %v", r)})
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			c.add(Problem{File: name, Message: "the file is empty; a cycle file starts with cycle:, company:, currency: and fiscal_year:"})
		} else {
			c.add(yamlProblem(name, data, err))
		}
		return nil
	}
	var more yaml.Node
	switch err := dec.Decode(&more); {
	case errors.Is(err, io.EOF):
	case err != nil:
		c.add(yamlProblem(name, data, err))
		return nil
	default:
		c.add(Problem{File: name, Line: more.Line, Message: "the file holds a second YAML document (after ---); a cycle file holds one"})
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		c.add(Problem{File: name, Message: "the file is empty; a cycle file starts with cycle:, company:, currency: and fiscal_year:"})
		return nil
	}
	return doc.Content[0]
}

// yamlProblem turns a YAML syntax error ("yaml: line 3: ...") into a
// problem. The parser names the line where the enclosing block starts,
// which may lie far above the mistake, so the line reported is the first
// one whose addition makes the file fail with the same message (found by
// bisecting on prefixes of whole lines).
func yamlProblem(name string, data []byte, err error) Problem {
	line, msg := splitYAMLError(err)
	if line > 0 && len(data) <= maxBisect {
		if l := firstFailingLine(data, msg); l >= line {
			line = l
		}
	}
	return Problem{File: name, Line: line, Message: "invalid YAML: " + msg}
}

// maxBisect is the largest file whose syntax errors are located by
// bisection (each step parses a prefix again).
const maxBisect = 1 << 20

// splitYAMLError splits "yaml: line 3: text" into 3 and "text".
func splitYAMLError(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				return n, text
			}
		}
	}
	return 0, msg
}

// firstFailingLine returns the smallest n such that the first n lines of
// data fail to parse with the message msg, or 0.
func firstFailingLine(data []byte, msg string) int {
	var ends []int // ends[i] is the offset just past line i+1
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	fails := func(n int) bool { return yamlError(data[:ends[n-1]]) == msg }
	if !fails(len(ends)) {
		return 0
	}
	lo, hi := 0, len(ends) // (assumed) the first lo lines pass, the first hi fail
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// yamlError returns the message of the syntax error in data, without its
// line, or "".
func yamlError(data []byte) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for range 2 {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return ""
			}
			_, msg := splitYAMLError(err)
			return msg
		}
	}
	return ""
}

// item records where a department, account, dimension or rule was written:
// the line of its entry and of each of its fields.
type item struct {
	line   int
	fields map[string]int
}

// at returns the line of a field, or of the entry when the field is absent.
func (it item) at(field string) int {
	if l, ok := it.fields[field]; ok {
		return l
	}
	return it.line
}

// amountRec records where a target or prior-year amount was written.
type amountRec struct {
	item
	department, account, group string
}

// index maps what the engine's messages name back to lines.
type index struct {
	top         map[string]int
	departments map[string][]item
	accounts    map[string][]item
	dimensions  map[string][]item
	rules       map[string][]item
	targets     []amountRec
	// amounts holds the inline prior-year amounts, under "prior-year
	// actual" and "prior-year plan" as the engine names them.
	amounts map[string][]amountRec
	// accountOrder lists the account entries in order, for "an account has
	// no code".
	accountOrder []item
	accountCodes []string
}

// decoder walks the YAML nodes of a cycle file into an engine.Cycle.
type decoder struct {
	name    string
	c       *collector
	cycle   *engine.Cycle
	idx     index
	keyFile string
	ledgers []*ledgerSpec
	// mappings holds the actuals: mappings (actuals.go), review its
	// review: thresholds (nil for the defaults).
	mappings []*ledgerSpec
	review   *review.Policy
	// spec holds the scenario sections (planning.go).
	spec model.Spec
	// suppress holds engine messages already reported in a clearer way.
	suppress map[string]bool
	// tables holds the tables read from their lines, if any.
	tables lineTables
}

func newDecoder(name string, c *collector) *decoder {
	return &decoder{
		name:  name,
		c:     c,
		cycle: &engine.Cycle{},
		idx: index{
			top:         map[string]int{},
			departments: map[string][]item{},
			accounts:    map[string][]item{},
			dimensions:  map[string][]item{},
			rules:       map[string][]item{},
			amounts:     map[string][]amountRec{},
		},
		suppress: map[string]bool{},
	}
}

// add reports a problem at a line of the cycle file; ctx, when not empty,
// prefixes the message ("department "sales": ...").
func (d *decoder) add(line int, ctx, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if ctx != "" {
		msg = ctx + ": " + msg
	}
	d.c.add(Problem{File: d.name, Line: line, Message: msg})
}

// obj is a YAML mapping with its keys checked for repeats.
type obj struct {
	node    *yaml.Node
	keys    []string
	vals    map[string]*yaml.Node
	keyLine map[string]int
}

// get returns the value node of a key, or nil.
func (o *obj) get(key string) *yaml.Node { return o.vals[key] }

// item returns the entry's place for the index.
func (o *obj) item() item { return item{line: o.node.Line, fields: o.keyLine} }

// object returns n as a mapping, or nil after reporting that it is not one.
// Repeated keys are reported.
func (d *decoder) object(n *yaml.Node, ctx, what string) *obj {
	if !d.plain(n, ctx) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.add(n.Line, ctx, "%s must be a mapping of fields (key: value), not %s", what, describe(n))
		return nil
	}
	o := &obj{node: n, vals: map[string]*yaml.Node{}, keyLine: map[string]int{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.add(k.Line, ctx, "a key must be a plain name, not %s", describe(k))
			continue
		}
		if first, dup := o.keyLine[k.Value]; dup {
			d.add(k.Line, ctx, "field %q is given twice (first on line %d)", clip(k.Value), first)
			continue
		}
		o.keys = append(o.keys, k.Value)
		o.vals[k.Value] = v
		o.keyLine[k.Value] = k.Line
	}
	return o
}

// only reports the keys of o that are not among allowed.
func (d *decoder) only(o *obj, ctx string, allowed ...string) {
	for _, k := range o.keys {
		if slices.Contains(allowed, k) {
			continue
		}
		hint := didYouMean(k, allowed)
		if hint == "" {
			hint = " (fields: " + strings.Join(allowed, ", ") + ")"
		}
		d.add(o.keyLine[k], ctx, "unknown field %q%s", clip(k), hint)
	}
}

// plain reports an alias and returns false for it; true for any other
// node, including nil (an absent field).
func (d *decoder) plain(n *yaml.Node, ctx string) bool {
	if n != nil && n.Kind == yaml.AliasNode {
		d.add(n.Line, ctx, "aliases (*%s) are not supported in a cycle file; write the value out", n.Value)
		return false
	}
	return true
}

// isNull reports whether a field is absent or explicitly empty.
func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names the kind of a node for messages: "a list", "a mapping",
// "a number", "text", "true/false", "empty".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			return "a number (" + n.Value + ")"
		case "!!bool":
			return "true/false"
		case "!!null":
			return "empty"
		}
		return fmt.Sprintf("text (%q)", clip(n.Value))
	}
	return "nothing"
}

// clip shortens long text for a message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 37
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// str returns a scalar field as text; absent or empty is "". Numbers are
// taken as written (code: 4000 is "4000"); true/false is refused.
func (d *decoder) str(n *yaml.Node, ctx, field string) string {
	if isNull(n) || !d.plain(n, ctx) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.add(n.Line, ctx, "%s must be text, not %s", field, describe(n))
		return ""
	}
	if n.ShortTag() == "!!bool" {
		d.add(n.Line, ctx, "%s must be text, not true/false; quote it if you mean the word %q", field, n.Value)
		return ""
	}
	return strings.TrimSpace(n.Value)
}

// list returns the items of a list field; absent or empty is nil.
func (d *decoder) list(n *yaml.Node, ctx, field string) []*yaml.Node {
	if isNull(n) || !d.plain(n, ctx) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.add(n.Line, ctx, "%s must be a list (- item, or [a, b]), not %s", field, describe(n))
		return nil
	}
	return n.Content
}

// strList returns a list of text items.
func (d *decoder) strList(n *yaml.Node, ctx, field string) []string {
	var out []string
	for _, it := range d.list(n, ctx, field) {
		if s := d.str(it, ctx, field+" item"); s != "" {
			out = append(out, s)
		} else if isNull(it) {
			d.add(it.Line, ctx, "%s holds an empty item", field)
		}
	}
	return out
}

// integer returns an integer field within [lo, hi].
func (d *decoder) integer(n *yaml.Node, ctx, field string, lo, hi int) (int, bool) {
	if !d.plain(n, ctx) {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.add(n.Line, ctx, "%s must be a whole number, not %s", field, describe(n))
		return 0, false
	}
	v, ok := smallInt(n.Value)
	if !ok || v < lo || v > hi {
		d.add(n.Line, ctx, "%s must be a whole number from %d to %d, not %s", field, lo, hi, n.Value)
		return 0, false
	}
	return v, true
}

// amount returns an amount field, parsed exactly.
func (d *decoder) amount(n *yaml.Node, ctx, field string) (decimal.Decimal, bool) {
	if !d.plain(n, ctx) {
		return decimal.Decimal{}, false
	}
	if isNull(n) {
		d.add(n.Line, ctx, "%s is empty; give a number such as 1234.56", field)
		return decimal.Decimal{}, false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!bool" {
		d.add(n.Line, ctx, "%s must be a number, not %s", field, describe(n))
		return decimal.Decimal{}, false
	}
	v, why := parseNumber(n.Value)
	if why != "" {
		d.add(n.Line, ctx, "%s %q %s", field, clip(n.Value), why)
		return decimal.Decimal{}, false
	}
	return v, true
}

// peek returns the text of a scalar field of a mapping node without
// reporting anything, to name an entry in messages.
func peek(n *yaml.Node, key string) string {
	if n == nil || n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Value == key && v.Kind == yaml.ScalarNode && v.ShortTag() != "!!null" {
			return strings.TrimSpace(v.Value)
		}
	}
	return ""
}

// entry names the i-th entry of a list in messages: `department "sales"`,
// or `department #3` when it has no id yet.
func entry(kind string, i int, id string) string {
	if id != "" {
		return fmt.Sprintf("%s %q", kind, clip(id))
	}
	return fmt.Sprintf("%s #%d", kind, i+1)
}

// decode walks the root mapping.
func (d *decoder) decode(root *yaml.Node) {
	o := d.object(root, "", "the file")
	if o == nil {
		return
	}
	d.only(o, "", topFields()...)
	for k, l := range o.keyLine {
		d.idx.top[k] = l
	}
	c := d.cycle
	c.ID = d.str(o.get("cycle"), "", "cycle")
	c.Company = d.str(o.get("company"), "", "company")
	c.Currency = d.str(o.get("currency"), "", "currency")
	c.Year.StartMonth = time.January
	yearOK := false
	if n := o.get("fiscal_year"); isNull(n) {
		d.add(d.idx.top["fiscal_year"], "", "fiscal_year is missing; give the calendar year in which the fiscal year ends, such as 2027")
	} else if y, ok := d.integer(n, "", "fiscal_year", 1900, 9999); ok {
		c.Year.Year, yearOK = y, true
	}
	if !yearOK {
		d.suppress[engine.FiscalYear{Year: c.Year.Year, StartMonth: time.January}.Validate().Error()] = true
	}
	if n := o.get("start_month"); !isNull(n) && d.plain(n, "") {
		m, ok := time.Month(0), false
		if n.Kind == yaml.ScalarNode {
			m, ok = parseMonth(n.Value)
		}
		if ok {
			c.Year.StartMonth = m
		} else {
			d.add(n.Line, "", "start_month must be a month number from 1 to 12 or a month name such as February or Feb, not %s", describe(n))
		}
	}
	d.keyFile = d.str(o.get("signing_key_file"), "", "signing_key_file")
	if n := o.get("lines"); !isNull(n) {
		if v, ok := d.integer(n, "", "lines", 1, 5000); ok {
			c.Lines = v
		}
	}
	if t := d.tables.take(o, "departments"); t != nil {
		c.Departments = t.departments
		for i, dep := range t.departments {
			d.idx.departments[dep.ID] = append(d.idx.departments[dep.ID], t.depItems[i])
		}
	}
	for i, n := range d.list(o.get("departments"), "", "departments") {
		d.department(i, n)
	}
	for i, n := range d.list(o.get("accounts"), "", "accounts") {
		d.account(i, n)
	}
	for i, n := range d.list(o.get("dimensions"), "", "dimensions") {
		d.dimension(i, n)
	}
	if t := d.tables.take(o, "targets"); t != nil {
		c.Targets, d.idx.targets = t.targets, t.recs
	}
	for i, n := range d.list(o.get("targets"), "", "targets") {
		for _, t := range d.amountEntry(i, n, "target", true) {
			c.Targets = append(c.Targets, engine.Target{Department: t.department, Account: t.account, Group: t.group, Period: t.period, Amount: t.amount})
		}
	}
	if n := o.get("prior_year"); !isNull(n) {
		d.priorYear(n)
	}
	if n := o.get("actuals"); !isNull(n) {
		d.actualsSection(n)
	}
	ruleIDs := map[string]int{}
	for i, n := range d.list(o.get("rules"), "", "rules") {
		d.rule(i, n, ruleIDs)
	}
	d.planning(o)
}

func (d *decoder) department(i int, n *yaml.Node) {
	ctx := entry("department", i, peek(n, "id"))
	o := d.object(n, ctx, "a department")
	if o == nil {
		return
	}
	d.only(o, ctx, "id", "name", "parent", "owner")
	dep := engine.Department{
		ID:     d.str(o.get("id"), ctx, "id"),
		Name:   d.str(o.get("name"), ctx, "name"),
		Parent: d.str(o.get("parent"), ctx, "parent"),
		Owner:  d.str(o.get("owner"), ctx, "owner"),
	}
	if dep.Owner != "" && !isEmail(dep.Owner) {
		d.add(o.get("owner").Line, ctx, "owner %q is not an e-mail address; write a plain address such as dana@acme.example", clip(dep.Owner))
	}
	d.cycle.Departments = append(d.cycle.Departments, dep)
	d.idx.departments[dep.ID] = append(d.idx.departments[dep.ID], o.item())
}

func (d *decoder) account(i int, n *yaml.Node) {
	ctx := entry("account", i, peek(n, "code"))
	o := d.object(n, ctx, "an account")
	if o == nil {
		return
	}
	d.only(o, ctx, "code", "name", "type", "group", "favourable", "departments")
	a := engine.Account{
		Code:        d.str(o.get("code"), ctx, "code"),
		Name:        d.str(o.get("name"), ctx, "name"),
		Type:        engine.AccountType(d.str(o.get("type"), ctx, "type")),
		Group:       d.str(o.get("group"), ctx, "group"),
		Favourable:  engine.Favourable(d.str(o.get("favourable"), ctx, "favourable")),
		Departments: d.strList(o.get("departments"), ctx, "departments"),
	}
	if a.Favourable == "" {
		switch a.Type {
		case engine.COGS, engine.OpEx, engine.Headcount:
			a.Favourable = engine.Lower
		default:
			a.Favourable = engine.Higher
		}
	}
	d.cycle.Accounts = append(d.cycle.Accounts, a)
	d.idx.accounts[a.Code] = append(d.idx.accounts[a.Code], o.item())
	d.idx.accountOrder = append(d.idx.accountOrder, o.item())
	d.idx.accountCodes = append(d.idx.accountCodes, a.Code)
}

func (d *decoder) dimension(i int, n *yaml.Node) {
	ctx := entry("dimension", i, peek(n, "id"))
	o := d.object(n, ctx, "a dimension")
	if o == nil {
		return
	}
	d.only(o, ctx, "id", "name", "members")
	dim := engine.Dimension{ID: d.str(o.get("id"), ctx, "id"), Name: d.str(o.get("name"), ctx, "name")}
	for j, m := range d.list(o.get("members"), ctx, "members") {
		if !d.plain(m, ctx) {
			continue
		}
		if m.Kind == yaml.ScalarNode {
			s := d.str(m, ctx, "member")
			if s == "" {
				d.add(m.Line, ctx, "member #%d is empty", j+1)
				continue
			}
			dim.Members = append(dim.Members, engine.Member{ID: s, Name: s})
			continue
		}
		mctx := ctx + ": " + entry("member", j, peek(m, "id"))
		mo := d.object(m, mctx, "a member ({id: x, name: X} or plain text)")
		if mo == nil {
			continue
		}
		d.only(mo, mctx, "id", "name")
		mem := engine.Member{ID: d.str(mo.get("id"), mctx, "id"), Name: d.str(mo.get("name"), mctx, "name")}
		if mem.ID == "" {
			d.add(m.Line, mctx, "id is missing")
			continue
		}
		if mem.Name == "" {
			mem.Name = mem.ID
		}
		dim.Members = append(dim.Members, mem)
	}
	d.cycle.Dimensions = append(d.cycle.Dimensions, dim)
	d.idx.dimensions[dim.ID] = append(d.idx.dimensions[dim.ID], o.item())
}

// periodAmount is one decoded target or amount.
type periodAmount struct {
	department, account, group string
	period                     engine.Period
	amount                     decimal.Decimal
}

// amountEntry decodes a target (withGroup) or a prior-year amount: a
// department, an account (or group), and an amount or 12 months. A bad
// amount still yields an entry so that its department and account are
// checked.
func (d *decoder) amountEntry(i int, n *yaml.Node, kind string, withGroup bool) []periodAmount {
	ctx := entry(kind, i, "")
	if dep := peek(n, "department"); dep != "" {
		ctx = fmt.Sprintf("%s #%d (%s", kind, i+1, clip(dep))
		if a := cmp.Or(peek(n, "account"), peek(n, "group")); a != "" {
			ctx += " " + clip(a)
		}
		ctx += ")"
	}
	o := d.object(n, ctx, "a "+kind)
	if o == nil {
		return nil
	}
	fields := []string{"department", "account", "amount", "months"}
	if withGroup {
		fields = []string{"department", "account", "group", "amount", "months"}
	}
	d.only(o, ctx, fields...)
	base := periodAmount{department: d.str(o.get("department"), ctx, "department"), account: d.str(o.get("account"), ctx, "account")}
	if withGroup {
		base.group = d.str(o.get("group"), ctx, "group")
	}
	rec := amountRec{item: o.item(), department: base.department, account: base.account, group: base.group}
	if withGroup {
		d.idx.targets = append(d.idx.targets, rec)
	} else {
		d.idx.amounts[kind] = append(d.idx.amounts[kind], rec)
	}
	if base.department == "" {
		d.add(o.node.Line, ctx, "department is missing")
	}
	if !withGroup && base.account == "" {
		d.add(o.node.Line, ctx, "account is missing")
	}
	amount, months := o.get("amount"), o.get("months")
	switch {
	case amount != nil && months != nil:
		d.add(o.keyLine["months"], ctx, "give amount (the year) or months (12 monthly amounts), not both")
		return []periodAmount{base}
	case amount == nil && months == nil:
		d.add(o.node.Line, ctx, "amount is missing; give amount (the year) or months (12 monthly amounts)")
		return []periodAmount{base}
	case amount != nil:
		base.amount, _ = d.amount(amount, ctx, "amount")
		return []periodAmount{base}
	}
	items := d.list(months, ctx, "months")
	if len(items) != engine.MonthsPerYear {
		if months.Kind == yaml.SequenceNode {
			d.add(months.Line, ctx, "months holds %d amounts; give exactly %d, one per fiscal month", len(items), engine.MonthsPerYear)
		} else if isNull(months) {
			d.add(months.Line, ctx, "months is empty; give exactly %d amounts, one per fiscal month", engine.MonthsPerYear)
		}
		return []periodAmount{base}
	}
	out := make([]periodAmount, 0, engine.MonthsPerYear)
	for p, m := range items {
		pa := base
		pa.period = engine.Period(p + 1)
		pa.amount, _ = d.amount(m, ctx, fmt.Sprintf("month %d", p+1))
		out = append(out, pa)
	}
	return out
}

func (d *decoder) priorYear(n *yaml.Node) {
	const ctx = "prior_year"
	o := d.object(n, ctx, "prior_year")
	if o == nil {
		return
	}
	d.only(o, ctx, "actuals", "plan", "ledgers")
	for _, part := range []struct {
		field, kind string
		to          *[]engine.Amount
	}{
		{"actuals", "prior-year actual", &d.cycle.PriorActuals},
		{"plan", "prior-year plan", &d.cycle.PriorPlan},
	} {
		if t := d.tables.take(o, part.field); t != nil {
			*part.to, d.idx.amounts[part.kind] = t.amounts, t.recs
		}
		for i, it := range d.list(o.get(part.field), ctx, part.field) {
			for _, a := range d.amountEntry(i, it, part.kind, false) {
				*part.to = append(*part.to, engine.Amount{Department: a.department, Account: a.account, Period: a.period, Amount: a.amount})
			}
		}
	}
	for i, it := range d.list(o.get("ledgers"), ctx, "ledgers") {
		if l := d.ledger(i, it); l != nil {
			d.ledgers = append(d.ledgers, l)
		}
	}
}

func (d *decoder) rule(i int, n *yaml.Node, ids map[string]int) {
	ctx := entry("rule", i, peek(n, "id"))
	o := d.object(n, ctx, "a rule")
	if o == nil {
		return
	}
	d.only(o, ctx, "id", "kind", "threshold", "accounts", "level")
	r := engine.Rule{
		ID:       d.str(o.get("id"), ctx, "id"),
		Kind:     engine.RuleKind(d.str(o.get("kind"), ctx, "kind")),
		Accounts: d.strList(o.get("accounts"), ctx, "accounts"),
		Level:    engine.Level(d.str(o.get("level"), ctx, "level")),
	}
	switch first, dup := ids[r.ID]; {
	case r.ID == "":
		d.add(o.node.Line, ctx, "id is missing; name the rule, such as explain-growth")
	case dup:
		d.add(o.keyLine["id"], ctx, "rule id is used twice (first on line %d)", first)
	default:
		ids[r.ID] = o.keyLine["id"]
	}
	if r.Level == "" {
		r.Level = engine.Error
	}
	if t := o.get("threshold"); !isNull(t) && d.plain(t, ctx) {
		switch {
		case r.Kind == engine.RuleNoNegative:
			d.add(t.Line, ctx, "a no_negative rule takes no threshold")
		case t.Kind != yaml.ScalarNode || t.ShortTag() == "!!bool":
			d.add(t.Line, ctx, `threshold must be a percentage such as "15%%" or a fraction such as 0.15, not %s`, describe(t))
		default:
			v, why := parseThreshold(t.Value)
			if why != "" {
				d.add(t.Line, ctx, "threshold %q %s", clip(t.Value), why)
			} else {
				r.Threshold = v
			}
		}
	}
	d.cycle.Rules = append(d.cycle.Rules, r)
	d.idx.rules[r.ID] = append(d.idx.rules[r.ID], o.item())
}

// ledgerSpec is a ledger export named under prior_year.ledgers.
type ledgerSpec struct {
	ctx  string
	line int
	// kind is "actuals" or "plan", or "import" for an actuals mapping.
	kind string
	// name names an actuals mapping.
	name string
	// file is the slash-separated path below the cycle file's folder.
	file  string
	sheet string
	// columns maps a role (department, account, amount, period) to a
	// header name.
	columns     map[string]string
	columnLines map[string]int
	departments map[string]mapping
	accounts    map[string]mapping
	missing     []string
	sign        int64
	sheetLine   int
	// The fields below are an actuals mapping's (actuals.go): periods maps
	// a "periods:<header>" role to its period, signByType the sign
	// convention by account type; fiscalYear is the year of bare fiscal
	// months (0: the cycle's); controlLabel marks the control total row.
	periods      map[string]actuals.Period
	signByType   map[engine.AccountType]int64
	currency     string
	fiscalYear   int
	controlLabel string
}

// mapping is one entry of a ledger's departments: or accounts: map.
type mapping struct {
	to   string
	line int
}

func (d *decoder) ledger(i int, n *yaml.Node) *ledgerSpec {
	ctx := entry("ledger", i, peek(n, "file"))
	o := d.object(n, ctx, "a ledger")
	if o == nil {
		return nil
	}
	d.only(o, ctx, "kind", "file", "sheet", "columns", "departments", "accounts", "missing", "sign")
	l := &ledgerSpec{ctx: ctx, line: o.node.Line, sign: 1, missing: []string{""}, columnLines: map[string]int{},
		sheetLine: o.keyLine["sheet"]}
	ok := true
	switch l.kind = d.str(o.get("kind"), ctx, "kind"); l.kind {
	case "actuals", "plan":
	case "":
		d.add(o.node.Line, ctx, "kind is missing; use actuals or plan")
		ok = false
	default:
		d.add(o.keyLine["kind"], ctx, "kind %q is not actuals or plan%s", clip(l.kind), didYouMean(l.kind, []string{"actuals", "plan"}))
		ok = false
	}
	// Paths in an fs.FS use '/'; a path written on Windows may use '\'.
	file := strings.ReplaceAll(d.str(o.get("file"), ctx, "file"), `\`, "/")
	ext := strings.ToLower(path.Ext(file))
	switch {
	case file == "":
		d.add(o.node.Line, ctx, "file is missing; name the ledger export (.csv or .xlsx) beside the cycle file")
		ok = false
	case filepath.IsAbs(file) || strings.HasPrefix(file, "/") || (len(file) > 1 && file[1] == ':'):
		d.add(o.keyLine["file"], ctx, "file %q is an absolute path; put the ledger beside the cycle file (or in a folder below it) and name it relative to the cycle file", clip(file))
		ok = false
	default:
		p := path.Clean(file)
		if p == ".." || strings.HasPrefix(p, "../") || !validPath(p) {
			d.add(o.keyLine["file"], ctx, "file %q is outside the cycle file's folder; put the ledger beside the cycle file (or in a folder below it)", clip(file))
			ok = false
		} else if ext != ".csv" && ext != ".xlsx" {
			d.add(o.keyLine["file"], ctx, "file %q is not a .csv or .xlsx file", clip(file))
			ok = false
		}
		l.file = p
	}
	l.sheet = d.str(o.get("sheet"), ctx, "sheet")
	if l.sheet != "" && ext == ".csv" {
		d.add(o.keyLine["sheet"], ctx, "sheet applies only to .xlsx ledgers")
		ok = false
	}
	l.columns = map[string]string{}
	if cols := o.get("columns"); isNull(cols) {
		d.add(o.node.Line, ctx, "columns is missing; name the header of the department, account and amount columns")
		ok = false
	} else if co := d.object(cols, ctx+": columns", "columns"); co == nil {
		ok = false
	} else {
		d.only(co, ctx+": columns", "department", "account", "amount", "period")
		for _, role := range []string{"department", "account", "amount", "period"} {
			h := d.str(co.get(role), ctx+": columns", role)
			if h == "" && role != "period" {
				d.add(co.node.Line, ctx+": columns", "%s is missing; give the header of the ledger's %s column", role, role)
				ok = false
			}
			if h != "" {
				l.columns[role] = h
				l.columnLines[role] = co.keyLine[role]
			}
		}
	}
	l.departments = d.valueMap(o.get("departments"), ctx, "departments")
	l.accounts = d.valueMap(o.get("accounts"), ctx, "accounts")
	if m := o.get("missing"); m != nil {
		l.missing = d.missingValues(m, ctx)
	}
	if s := o.get("sign"); !isNull(s) {
		if v, good := d.integer(s, ctx, "sign", -1, 1); good && v != 0 {
			l.sign = int64(v)
		} else {
			if good {
				d.add(s.Line, ctx, "sign must be 1 or -1, not 0")
			}
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return l
}

// validPath reports whether p is a path fs.FS accepts.
func validPath(p string) bool {
	if p == "" || p == "." {
		return false
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == "" || elem == "." || elem == ".." {
			return false
		}
	}
	return true
}

// valueMap decodes a ledger's departments: or accounts: map from ledger
// values to ids.
func (d *decoder) valueMap(n *yaml.Node, ctx, field string) map[string]mapping {
	out := map[string]mapping{}
	if isNull(n) {
		return out
	}
	o := d.object(n, ctx+": "+field, field)
	if o == nil {
		return out
	}
	for _, k := range o.keys {
		v := d.str(o.get(k), ctx+": "+field, fmt.Sprintf("the value for %q", clip(k)))
		if v == "" {
			d.add(o.keyLine[k], ctx+": "+field, "%q maps to nothing; give the %s it stands for", clip(k), strings.TrimSuffix(field, "s"))
			continue
		}
		out[strings.TrimSpace(k)] = mapping{to: v, line: o.keyLine[k]}
	}
	return out
}

// checkLedgerSpecs reports ledger mappings to departments or accounts the
// cycle does not define.
func (d *decoder) checkLedgerSpecs() {
	var deptIDs []string
	for _, dep := range d.cycle.Departments {
		deptIDs = append(deptIDs, dep.ID)
	}
	for _, l := range slices.Concat(d.ledgers, d.mappings) {
		for _, k := range sortedKeys(l.departments) {
			m := l.departments[k]
			if _, ok := d.cycle.Department(m.to); !ok {
				d.add(m.line, l.ctx+": departments", "%q maps to unknown department %q%s", clip(k), clip(m.to), didYouMean(m.to, deptIDs))
			}
		}
		for _, k := range sortedKeys(l.accounts) {
			m := l.accounts[k]
			if _, ok := d.cycle.Account(m.to); !ok {
				d.add(m.line, l.ctx+": accounts", "%q maps to unknown account %q%s", clip(k), clip(m.to), didYouMean(m.to, d.idx.accountCodes))
			}
		}
		for _, role := range sortedKeys(l.columns) {
			if id, ok := strings.CutPrefix(role, "dimension:"); ok {
				if _, ok := d.cycle.Dimension(id); !ok {
					var ids []string
					for _, dim := range d.cycle.Dimensions {
						ids = append(ids, dim.ID)
					}
					d.add(l.columnLines[role], l.ctx+": columns: dimensions", "%q is not a dimension of the cycle%s", clip(id), didYouMean(id, ids))
				}
			}
		}
	}
}

// roundMoney rounds the money amounts of targets and prior years to cents.
func (d *decoder) roundMoney() {
	c := d.cycle
	money := func(account, group string) bool {
		for _, a := range c.Accounts {
			if (account != "" && a.Code == account) || (group != "" && a.Group == group) {
				if a.Type.IsMoney() {
					return true
				}
			}
		}
		return false
	}
	for i, t := range c.Targets {
		if money(t.Account, t.Group) {
			c.Targets[i].Amount = engine.RoundMoney(t.Amount)
		}
	}
	for _, as := range [][]engine.Amount{c.PriorActuals, c.PriorPlan} {
		for i, a := range as {
			if money(a.Account, "") {
				as[i].Amount = engine.RoundMoney(a.Amount)
			}
		}
	}
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
