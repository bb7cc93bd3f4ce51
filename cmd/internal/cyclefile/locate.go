package cyclefile

import (
	"cmp"
	"strconv"
	"strings"
)

// validate runs engine.Cycle.Validate and reports each of its findings at
// the line of what it names.
func (d *decoder) validate() {
	for _, e := range flatten(d.cycle.Validate()) {
		msg := e.Error()
		if d.suppress[msg] {
			continue
		}
		d.c.add(Problem{File: d.name, Line: d.locate(msg), Message: msg})
	}
}

// flatten returns the errors joined in err.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// quotedStrings returns the Go-quoted strings in msg, unquoted, in order.
func quotedStrings(msg string) []string {
	var out []string
	for i := 0; i < len(msg); i++ {
		if msg[i] != '"' {
			continue
		}
		q, err := strconv.QuotedPrefix(msg[i:])
		if err != nil {
			continue
		}
		if s, err := strconv.Unquote(q); err == nil {
			out = append(out, s)
		}
		i += len(q) - 1
	}
	return out
}

// fieldOf names the field an engine message is about, from its wording.
func fieldOf(msg string) string {
	for _, f := range [][2]string{
		{"unknown parent", "parent"},
		{"own ancestor", "parent"},
		{"has type", "type"},
		{"favourable", "favourable"},
		{"limited to unknown department", "departments"},
		{"member", "members"},
		{"threshold", "threshold"},
		{"unknown kind", "kind"},
		{"level must", "level"},
		{"unknown account or group", "accounts"},
		{"unknown account group", "group"},
		{"names unknown account", "account"},
		{"for unknown department", "department"},
		{"listed twice", "id"},
	} {
		if strings.Contains(msg, f[0]) {
			return f[1]
		}
	}
	return ""
}

// locate returns the line of the cycle file an engine.Cycle.Validate
// message is about, or 0 when it cannot tell. It reads the message's
// wording: "department %q ...", "target for %q names unknown account %q",
// and so on.
func (d *decoder) locate(msg string) int {
	q := quotedStrings(msg)
	arg := func(i int) string {
		if i < len(q) {
			return q[i]
		}
		return ""
	}
	field := fieldOf(msg)
	pick := func(items []item) int {
		if len(items) == 0 {
			return 0
		}
		if field == "id" && len(items) > 1 {
			return items[1].line // the repeat
		}
		return items[0].at(field)
	}
	top := d.idx.top
	switch {
	case strings.HasPrefix(msg, "cycle id"):
		return top["cycle"]
	case strings.HasPrefix(msg, "company"):
		return top["company"]
	case strings.HasPrefix(msg, "currency"):
		return top["currency"]
	case strings.HasPrefix(msg, "fiscal year start month"):
		return cmp.Or(top["start_month"], top["fiscal_year"])
	case strings.HasPrefix(msg, "fiscal year"):
		return top["fiscal_year"]
	case msg == "no departments":
		return top["departments"]
	case msg == "no accounts":
		return top["accounts"]
	case strings.HasPrefix(msg, "lines "):
		return top["lines"]
	case strings.HasPrefix(msg, "an account has no code"):
		for i, code := range d.idx.accountCodes {
			if code == "" {
				return d.idx.accountOrder[i].line
			}
		}
	case strings.HasPrefix(msg, "department "):
		return pick(d.idx.departments[arg(0)])
	case strings.HasPrefix(msg, "account "):
		return pick(d.idx.accounts[arg(0)])
	case strings.HasPrefix(msg, "dimension "):
		return pick(d.idx.dimensions[arg(0)])
	case strings.HasPrefix(msg, "rule "):
		return pick(d.idx.rules[arg(0)])
	case strings.HasPrefix(msg, "target for "):
		return findAmount(d.idx.targets, msg, field, arg(0), arg(1))
	case strings.HasPrefix(msg, "prior-year actual "):
		return findAmount(d.idx.amounts["prior-year actual"], msg, field, arg(0), arg(1))
	case strings.HasPrefix(msg, "prior-year plan "):
		return findAmount(d.idx.amounts["prior-year plan"], msg, field, arg(0), arg(1))
	}
	return 0
}

// findAmount finds the target or amount an engine message names: its
// department is the first quoted value, and an account or group the second.
func findAmount(recs []amountRec, msg, field, dept, other string) int {
	for _, r := range recs {
		if r.department != dept {
			continue
		}
		switch {
		case strings.Contains(msg, "exactly one of account and group"):
			if (r.account == "") != (r.group == "") {
				continue
			}
		case field == "account" && r.account != other,
			field == "group" && r.group != other:
			continue
		}
		return r.at(field)
	}
	return 0
}
