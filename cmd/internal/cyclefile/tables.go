package cyclefile

import (
	"bytes"
	"strings"

	"aop/engine"
)

// A cycle file's big tables (departments, targets, and the prior year's
// actuals and plan: thousands of entries in a large company) are mostly
// written one entry a line, as flow mappings:
//
//	targets:
//	  - {department: sales, group: "Revenue", amount: 44874426.29}
//
// Building a YAML node tree for each entry costs most of the time a large
// cycle file takes to load, so such a table is read straight from its
// lines when every line is of a simple, unambiguous form and every entry
// is free of problems. Its lines are then emptied before the YAML
// parser sees the file, and the decoder takes the entries read instead of
// the (now empty) value. Anything else (another layout, a quoted key, an
// anchor, a comment at the end of an entry, an entry with a problem to
// report) leaves the table to the YAML parser and the decoder, which
// report problems as always; and if a table read this way turns out not
// to sit where its key says (a key inside a multi-line string, a repeated
// key), the whole file is parsed again without this shortcut. Entries,
// values and lines are the same either way; FuzzParse checks that both
// ways give the same result.

// lineTable is a table read from its lines.
type lineTable struct {
	// key is the table's key: departments, targets, actuals or plan.
	key string
	// line is the line of the key.
	line int
	used bool
	// fields is the scratch of parseFlowLine.
	fields []flowField

	departments []engine.Department
	depItems    []item
	targets     []engine.Target
	amounts     []engine.Amount // prior-year actuals or plan
	recs        []amountRec
}

// newLineTable returns an empty table for n entries.
func newLineTable(key string, line, n int) *lineTable {
	t := &lineTable{key: key, line: line}
	switch key {
	case "departments":
		t.departments, t.depItems = make([]engine.Department, 0, n), make([]item, 0, n)
	case "targets":
		t.targets, t.recs = make([]engine.Target, 0, n), make([]amountRec, 0, n)
	default:
		t.amounts, t.recs = make([]engine.Amount, 0, n), make([]amountRec, 0, n)
	}
	return t
}

// lineTables are the tables of a file read from their lines, by the line
// of their key.
type lineTables map[int]*lineTable

// take returns the table read for the field key of o, marking it used,
// or nil when the field is not such a table.
func (ts lineTables) take(o *obj, key string) *lineTable {
	if ts == nil {
		return nil
	}
	l, ok := o.keyLine[key]
	if !ok {
		return nil
	}
	t := ts[l]
	if t == nil || t.key != key || !isNull(o.get(key)) {
		return nil
	}
	t.used = true
	return t
}

// allUsed reports whether the decoder took every table read.
func (ts lineTables) allUsed() bool {
	for _, t := range ts {
		if !t.used {
			return false
		}
	}
	return true
}

// readLineTables finds the tables of data written one flow mapping a line
// and returns them with a copy of data in which their entries are empty
// lines. It returns nil, data when there is none, or when the file's line
// ends are not all "\n" or "\r\n" (YAML counts a few more, and lines must
// be counted alike).
func readLineTables(data []byte) (lineTables, []byte) {
	if hasOtherLineBreaks(data) {
		return nil, data
	}
	type span struct{ start, end int } // a line, without its line end
	var lines []span
	for start := 0; start < len(data); {
		end := len(data)
		next := end
		if i := bytes.IndexByte(data[start:], '\n'); i >= 0 {
			end, next = start+i, start+i+1
		}
		if end > start && data[end-1] == '\r' {
			end--
		}
		lines = append(lines, span{start, end})
		start = next
	}
	var tables lineTables
	var out []byte
	copied := 0          // data[:copied] is in out
	text := string(data) // values are cut from one string
	for i := 0; i < len(lines); i++ {
		ind, key, ok := tableKey(text[lines[i].start:lines[i].end])
		if !ok {
			continue
		}
		// The entries run to the next line indented as the key or less
		// (but for a "-" at the key's indentation), skipping blank and
		// comment lines; all at one indentation.
		end, itemInd, entries := i+1, -1, 0
		for ; end < len(lines); end++ {
			l := text[lines[end].start:lines[end].end]
			s := strings.TrimLeft(l, " ")
			if len(s) == 0 || s[0] == '#' {
				continue
			}
			n := len(l) - len(s)
			if n < ind || (n == ind && s[0] != '-') {
				break // the next field
			}
			if itemInd < 0 {
				itemInd = n
			}
			if n != itemInd {
				itemInd = -1
				break
			}
			entries++
		}
		if itemInd < 0 {
			continue
		}
		t := newLineTable(key, i+1, entries)
		good := true
		for j := i + 1; j < end && good; j++ {
			l := text[lines[j].start:lines[j].end]
			s := strings.TrimLeft(l, " ")
			if len(s) > 0 && s[0] != '#' {
				good = t.add(s, j+1)
			}
		}
		if !good {
			continue
		}
		if tables == nil {
			tables = lineTables{}
		}
		tables[t.line] = t
		// Keep the data up to the key's line end, then only the line
		// ends of the entries.
		out = append(out, data[copied:lines[i+1].start]...)
		for range lines[i+1 : end] {
			out = append(out, '\n')
		}
		copied = len(data)
		if end < len(lines) {
			copied = lines[end].start
		}
		i = end - 1
	}
	if tables == nil {
		return nil, data
	}
	return tables, append(out, data[copied:]...)
}

// hasOtherLineBreaks reports whether data holds a line break other than
// "\n" and "\r\n": a lone "\r", or the NEL, LS and PS characters that YAML
// also counts as line ends.
func hasOtherLineBreaks(data []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '\r')
		if j < 0 {
			break
		}
		i += j + 1
		if i == len(data) || data[i] != '\n' {
			return true
		}
	}
	return bytes.Contains(data, []byte("\u0085")) || bytes.Contains(data, []byte("\u2028")) || bytes.Contains(data, []byte("\u2029"))
}

// tableKey reads a line "key:" naming a table that may be read from its
// lines: departments and targets at the top level, the prior year's
// actuals and plan indented below it.
func tableKey(l string) (indent int, key string, ok bool) {
	s := strings.TrimRight(l, " ")
	body := strings.TrimLeft(s, " ")
	indent = len(s) - len(body)
	switch body {
	case "departments:", "targets:":
		return 0, body[:len(body)-1], indent == 0
	case "actuals:", "plan:":
		return indent, body[:len(body)-1], indent > 0
	}
	return 0, "", false
}

// flowField is one "key: value" of a flow mapping; list holds the items
// of a value written [a, b, ...].
type flowField struct {
	key, value string
	list       []string
	isList     bool
}

// add reads an entry "- {key: value, ...}" on the given line into the
// table, and reports false when the entry is not of that form or has
// something to report.
func (t *lineTable) add(l string, line int) bool {
	fields, ok := parseFlowLine(l, t.fields[:0])
	t.fields = fields
	if !ok {
		return false
	}
	if t.key == "departments" {
		return t.addDepartment(fields, line)
	}
	return t.addAmount(fields, line, t.key == "targets")
}

// parseFlowLine reads "- {key: value, ...}" with optional trailing spaces,
// appending its fields to fields.
// Keys are plain words; values are plain numbers, words and addresses
// (letters, digits and "_.-+@/", not starting with "@", "/", or a "." not
// followed by a digit), text in double
// quotes (printable ASCII without '"' or '\') or single quotes (without
// ”'), or a list of such values. The words YAML reads as true/false or
// null are refused, as is any key given twice.
func parseFlowLine(s string, fields []flowField) ([]flowField, bool) {
	s = strings.TrimRight(s, " ")
	if !strings.HasPrefix(s, "- {") || !strings.HasSuffix(s, "}") {
		return fields, false
	}
	s = s[3 : len(s)-1]
	for {
		s = strings.TrimLeft(s, " ")
		k := 0
		for k < len(s) && (s[k] == '_' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z') {
			k++
		}
		if k == 0 || !strings.HasPrefix(s[k:], ": ") {
			return fields, false
		}
		f := flowField{key: s[:k]}
		for _, g := range fields {
			if g.key == f.key {
				return fields, false
			}
		}
		s = strings.TrimLeft(s[k+2:], " ")
		var ok bool
		if strings.HasPrefix(s, "[") {
			f.isList = true
			s = s[1:]
			for {
				s = strings.TrimLeft(s, " ")
				var v string
				if v, s, ok = flowScalar(s); !ok {
					return fields, false
				}
				f.list = append(f.list, v)
				s = strings.TrimLeft(s, " ")
				if strings.HasPrefix(s, ",") {
					s = s[1:]
					continue
				}
				if !strings.HasPrefix(s, "]") {
					return fields, false
				}
				s = s[1:]
				break
			}
		} else if f.value, s, ok = flowScalar(s); !ok {
			return fields, false
		}
		fields = append(fields, f)
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return fields, true
		}
		if s[0] != ',' {
			return fields, false
		}
		s = s[1:]
	}
}

// flowScalar reads a scalar at the start of s and returns its value and
// what follows it.
func flowScalar(s string) (value, rest string, ok bool) {
	if s == "" {
		return "", "", false
	}
	switch q := s[0]; q {
	case '"', '\'':
		for i := 1; i < len(s); i++ {
			switch c := s[i]; {
			case c == q:
				return s[1:i], s[i+1:], true
			case c < 0x20 || c > 0x7e || c == '\\' || c == '"' || c == '\'':
				return "", "", false
			}
		}
		return "", "", false
	}
	i := 0
	if s[0] == '-' || s[0] == '+' {
		i++
	}
	switch {
	case i == len(s):
		return "", "", false
	case s[i] == '.':
		if i+1 >= len(s) || s[i+1] < '0' || s[i+1] > '9' {
			return "", "", false // .inf, .nan
		}
	case !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] == '_'):
		return "", "", false // '@', '`' and the like start no plain scalar
	}
	start := i
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || strings.IndexByte("_.-+@/", s[i]) >= 0) {
		i++
	}
	if i == start || (i < len(s) && s[i] != ' ' && s[i] != ',' && s[i] != ']') {
		return "", "", false
	}
	switch v := s[:i]; v {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return "", "", false
	default:
		return v, s[i:], true
	}
}

// scalar returns the value of a field that must be a scalar.
func scalar(f flowField) (string, bool) { return f.value, !f.isList }

func (t *lineTable) addDepartment(fields []flowField, line int) bool {
	var dep engine.Department
	for _, f := range fields {
		v, ok := scalar(f)
		if !ok {
			return false
		}
		v = strings.TrimSpace(v)
		switch f.key {
		case "id":
			dep.ID = v
		case "name":
			dep.Name = v
		case "parent":
			dep.Parent = v
		case "owner":
			dep.Owner = v
		default:
			return false
		}
	}
	if dep.Owner != "" && !isEmail(dep.Owner) {
		return false
	}
	t.departments = append(t.departments, dep)
	t.depItems = append(t.depItems, item{line: line})
	return true
}

// addAmount reads a target (withGroup) or a prior-year amount as
// decoder.amountEntry does, refusing any entry it would report a problem
// in.
func (t *lineTable) addAmount(fields []flowField, line int, withGroup bool) bool {
	var base periodAmount
	var amount, months *flowField
	for i, f := range fields {
		switch f.key {
		case "department", "account", "group":
			v, ok := scalar(f)
			if !ok || (f.key == "group" && !withGroup) {
				return false
			}
			v = strings.TrimSpace(v)
			switch f.key {
			case "department":
				base.department = v
			case "account":
				base.account = v
			default:
				base.group = v
			}
		case "amount":
			if f.isList {
				return false
			}
			amount = &fields[i]
		case "months":
			if !f.isList {
				return false
			}
			months = &fields[i]
		default:
			return false
		}
	}
	if base.department == "" || (!withGroup && base.account == "") || (amount == nil) == (months == nil) {
		return false
	}
	put := func(pa periodAmount) {
		if withGroup {
			t.targets = append(t.targets, engine.Target{Department: pa.department, Account: pa.account, Group: pa.group, Period: pa.period, Amount: pa.amount})
		} else {
			t.amounts = append(t.amounts, engine.Amount{Department: pa.department, Account: pa.account, Period: pa.period, Amount: pa.amount})
		}
	}
	if amount != nil {
		v, why := parseNumber(amount.value)
		if why != "" {
			return false
		}
		base.amount = v
		put(base)
	} else {
		if len(months.list) != engine.MonthsPerYear {
			return false
		}
		for p, m := range months.list {
			v, why := parseNumber(m)
			if why != "" {
				return false
			}
			pa := base
			pa.period, pa.amount = engine.Period(p+1), v
			put(pa)
		}
	}
	t.recs = append(t.recs, amountRec{item: item{line: line}, department: base.department, account: base.account, group: base.group})
	return true
}
