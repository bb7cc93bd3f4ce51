// Package actuals holds what a company actually booked, as imported from its
// ledger at each monthly close: amounts by department, account and
// dimensions for one period (a fiscal month, or a whole fiscal year where a
// ledger only has yearly columns), and leading-indicator values (pipeline,
// win rate, hires) by name, department and period. A Set is one period's
// import; a Book gathers the current sets of a cycle for the variance and
// the write-back. Amounts are exact decimals, never rounded here.
package actuals

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"aop/engine"
)

// Period is a fiscal month of a fiscal year, or the whole fiscal year when
// Month is engine.FullYear. Year names the fiscal year by the calendar year
// in which it ends, as engine.FiscalYear does.
type Period struct {
	Year  int
	Month engine.Period
}

// Yearly reports whether the period is a whole fiscal year.
func (p Period) Yearly() bool { return p.Month == engine.FullYear }

// String names the period: "FY2027" for a year, "FY2027-P03" for its third
// fiscal month. The names sort in time order within a year and are safe
// as file names.
func (p Period) String() string {
	if p.Yearly() {
		return fmt.Sprintf("FY%d", p.Year)
	}
	return fmt.Sprintf("FY%d-P%02d", p.Year, int(p.Month))
}

// Label names the period for people, with the calendar month: "Mar 2026
// (FY2027-P02)", or "FY2022" for a year.
func (p Period) Label(start time.Month) string {
	if p.Yearly() || start < time.January || start > time.December {
		return p.String()
	}
	fy := engine.FiscalYear{Year: p.Year, StartMonth: start}
	return fmt.Sprintf("%s (%s)", fy.Label(p.Month), p)
}

// ParsePeriod reads a period's String form.
func ParsePeriod(s string) (Period, error) {
	rest, ok := strings.CutPrefix(s, "FY")
	if !ok {
		return Period{}, fmt.Errorf("period %q does not start with FY", s)
	}
	year, month, monthly := strings.Cut(rest, "-P")
	y, err := strconv.Atoi(year)
	if err != nil || y < 1900 || y > 9999 || len(year) != 4 {
		return Period{}, fmt.Errorf("period %q: %q is not a year", s, year)
	}
	p := Period{Year: y}
	if monthly {
		m, err := strconv.Atoi(month)
		if err != nil || m < 1 || m > engine.MonthsPerYear || len(month) != 2 {
			return Period{}, fmt.Errorf("period %q: %q is not a fiscal month 01-12", s, month)
		}
		p.Month = engine.Period(m)
	}
	return p, nil
}

// MarshalText writes the period's String form.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads the period's String form.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Compare orders periods by year, the year itself before its months.
func Compare(a, b Period) int {
	return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Month, b.Month))
}

// Amount is one actual amount of a period.
type Amount struct {
	Department string `json:"department"`
	Account    string `json:"account"`
	// Dimensions maps a dimension id to a member id; absent dimensions are
	// not set.
	Dimensions map[string]string `json:"dimensions,omitempty"`
	Amount     decimal.Decimal   `json:"amount"`
}

// Indicator is one value of a leading indicator of a period, such as the
// pipeline, the win rate or the hires of a department.
type Indicator struct {
	Name       string          `json:"name"`
	Department string          `json:"department"`
	Value      decimal.Decimal `json:"value"`
}

// Set is the actuals of one period, as one import brought them.
type Set struct {
	Period Period `json:"period"`
	// Currency is the currency of the amounts (the cycle's).
	Currency   string      `json:"currency,omitempty"`
	Amounts    []Amount    `json:"amounts"`
	Indicators []Indicator `json:"indicators,omitempty"`

	index map[string]int
	inds  map[string]int
}

// NewSet returns an empty set for a period.
func NewSet(p Period, currency string) *Set { return &Set{Period: p, Currency: currency} }

// Add adds an amount, to the amount with the same department, account and
// dimensions if there is one.
func (s *Set) Add(a Amount) {
	if s.index == nil {
		s.index = map[string]int{}
		for i, x := range s.Amounts {
			s.index[amountKey(x)] = i
		}
	}
	k := amountKey(a)
	if i, ok := s.index[k]; ok {
		s.Amounts[i].Amount = s.Amounts[i].Amount.Add(a.Amount)
		return
	}
	if len(a.Dimensions) == 0 {
		a.Dimensions = nil
	}
	s.index[k] = len(s.Amounts)
	s.Amounts = append(s.Amounts, a)
}

// AddIndicator adds a value to the indicator of the same name and
// department (a file may split a month's hires over several rows).
func (s *Set) AddIndicator(in Indicator) {
	if s.inds == nil {
		s.inds = map[string]int{}
		for i, x := range s.Indicators {
			s.inds[x.Name+"\x00"+x.Department] = i
		}
	}
	k := in.Name + "\x00" + in.Department
	if i, ok := s.inds[k]; ok {
		s.Indicators[i].Value = s.Indicators[i].Value.Add(in.Value)
		return
	}
	s.inds[k] = len(s.Indicators)
	s.Indicators = append(s.Indicators, in)
}

// Keep adds to s what an earlier import of its period holds and the
// import that made s does not read: old's amounts unless it read amounts,
// old's indicators unless it read indicators (a file of indicators alone
// keeps the period's amounts).
func (s *Set) Keep(old *Set, readsAmounts, readsIndicators bool) {
	if !readsAmounts {
		for _, a := range old.Amounts {
			s.Add(a)
		}
	}
	if !readsIndicators {
		for _, in := range old.Indicators {
			s.AddIndicator(in)
		}
	}
}

// Total sums the set's amounts.
func (s *Set) Total() decimal.Decimal {
	t := decimal.Zero
	for _, a := range s.Amounts {
		t = t.Add(a.Amount)
	}
	return t
}

// Sort orders the amounts by department, account and dimensions, and the
// indicators by name and department, so that a set is written the same way
// whatever order its file had.
func (s *Set) Sort() {
	slices.SortFunc(s.Amounts, func(a, b Amount) int {
		return cmp.Or(cmp.Compare(a.Department, b.Department), cmp.Compare(a.Account, b.Account), cmp.Compare(amountKey(a), amountKey(b)))
	})
	slices.SortFunc(s.Indicators, func(a, b Indicator) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Department, b.Department))
	})
	s.index, s.inds = nil, nil
}

// amountKey identifies an amount's department, account and dimensions.
func amountKey(a Amount) string {
	var b strings.Builder
	b.WriteString(a.Department)
	b.WriteByte(0)
	b.WriteString(a.Account)
	dims := make([]string, 0, len(a.Dimensions))
	for d := range a.Dimensions {
		dims = append(dims, d)
	}
	slices.Sort(dims)
	for _, d := range dims {
		b.WriteByte(0)
		b.WriteString(d)
		b.WriteByte('=')
		b.WriteString(a.Dimensions[d])
	}
	return b.String()
}

// Book is the current actuals of a cycle: at most one set per period.
type Book struct {
	sets map[Period]*Set
}

// NewBook gathers sets; a later set of the same period replaces an earlier
// one.
func NewBook(sets ...*Set) *Book {
	b := &Book{sets: map[Period]*Set{}}
	for _, s := range sets {
		b.sets[s.Period] = s
	}
	return b
}

// Set returns the set of a period, or nil.
func (b *Book) Set(p Period) *Set { return b.sets[p] }

// Periods lists the periods the book holds, in time order.
func (b *Book) Periods() []Period {
	ps := make([]Period, 0, len(b.sets))
	for p := range b.sets {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, Compare)
	return ps
}

// Closed returns how many fiscal months of a year are closed: the months
// from the first that all have actuals, as engine/variance's Line.Closed
// counts them.
func (b *Book) Closed(year int) int {
	n := 0
	for m := 1; m <= engine.MonthsPerYear; m++ {
		if b.sets[Period{Year: year, Month: engine.Period(m)}] == nil {
			break
		}
		n = m
	}
	return n
}

// Months returns a department's and account's actuals in each fiscal month
// of a year, over every dimension; months without actuals are zero.
func (b *Book) Months(year int, department, account string) [engine.MonthsPerYear]decimal.Decimal {
	var out [engine.MonthsPerYear]decimal.Decimal
	for m := range engine.MonthsPerYear {
		if s := b.sets[Period{Year: year, Month: engine.Period(m + 1)}]; s != nil {
			out[m] = s.sum(department, account)
		}
	}
	return out
}

// Year returns a department's and account's actuals for a whole fiscal
// year: the yearly set's if there is one, else the sum of the twelve
// months when all are closed; false when the year is not known.
func (b *Book) Year(year int, department, account string) (decimal.Decimal, bool) {
	if s := b.sets[Period{Year: year}]; s != nil {
		return s.sum(department, account), true
	}
	if b.Closed(year) < engine.MonthsPerYear {
		return decimal.Zero, false
	}
	ms := b.Months(year, department, account)
	return engine.Sum(ms[:]...), true
}

// Indicator returns the value of a department's indicator in a period.
func (b *Book) Indicator(p Period, name, department string) (decimal.Decimal, bool) {
	s := b.sets[p]
	if s == nil {
		return decimal.Zero, false
	}
	for _, in := range s.Indicators {
		if in.Name == name && in.Department == department {
			return in.Value, true
		}
	}
	return decimal.Zero, false
}

func (s *Set) sum(department, account string) decimal.Decimal {
	t := decimal.Zero
	for _, a := range s.Amounts {
		if a.Department == department && a.Account == account {
			t = t.Add(a.Amount)
		}
	}
	return t
}

// Accounts lists the accounts a department booked in the months of a
// fiscal year, sorted.
func (b *Book) Accounts(year int, department string) []string {
	seen := map[string]bool{}
	for p, s := range b.sets {
		if p.Year != year || p.Yearly() {
			continue
		}
		for _, a := range s.Amounts {
			if a.Department == department {
				seen[a.Account] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}
