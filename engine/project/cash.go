package project

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"aop/engine"
)

// CashInputs are a plan's monthly P&L lines and the working-capital terms
// that turn them into cash (§3.6). Series run from fiscal month 1.
type CashInputs struct {
	// Revenue is invoiced in the month and collected DSO days later.
	Revenue []decimal.Decimal
	// COGS is held DIO days as inventory before it is sold, and paid DPO
	// days after it is incurred.
	COGS []decimal.Decimal
	// Opex is the other costs, paid in the month (payroll, most overhead).
	Opex []decimal.Decimal
	// NonCash is the depreciation and amortisation included in COGS and
	// Opex, added back because it costs no cash in the month.
	NonCash []decimal.Decimal
	// DSO, DIO and DPO are days sales outstanding, days inventory
	// outstanding and days payables outstanding.
	DSO, DIO, DPO decimal.Decimal
	// PriorRevenue and PriorCOGS are the months before month 1, the most
	// recent last. Balances that reach back past month 1 use them, and so
	// do the opening balances, unless Opening is set. Missing months are
	// zero: then month 1 carries the whole build-up of working capital.
	PriorRevenue, PriorCOGS []decimal.Decimal
	// Opening, when set, is the balance sheet at the start of month 1
	// (from the ledger), instead of the balances PriorRevenue and
	// PriorCOGS imply.
	Opening *WorkingCapital
	// Calendar, when set, gives each month its actual days, those before
	// month 1 included; nil gives every month 365/12 days.
	Calendar *engine.FiscalYear
}

// WorkingCapital is the balance of the working-capital accounts at a
// month end, in cents.
type WorkingCapital struct {
	Receivables, Inventory, Payables decimal.Decimal
}

// Net returns Receivables + Inventory − Payables.
func (w WorkingCapital) Net() decimal.Decimal {
	return w.Receivables.Add(w.Inventory).Sub(w.Payables)
}

// CashFlow is the monthly operating cash flow of a plan (§3.6).
type CashFlow struct {
	// Profit is Revenue − COGS − Opex of each month, in cents.
	Profit []decimal.Decimal
	// Opening is the working capital at the start of month 1; Balances
	// at each month end.
	Opening  WorkingCapital
	Balances []WorkingCapital
	// ChangeInWorkingCapital is Net(t) − Net(t−1): an increase is cash
	// spent.
	ChangeInWorkingCapital []decimal.Decimal
	// OperatingCashFlow is Profit + NonCash − ChangeInWorkingCapital.
	OperatingCashFlow []decimal.Decimal
}

// ProjectCash derives monthly operating cash flow from the P&L through
// working capital, by the days method (§3.6):
//
//	Receivables(t) = DSO days of revenue
//	Inventory(t)   = DIO days of COGS
//	Payables(t)    = DPO days of COGS
//	Net(t)         = Receivables(t) + Inventory(t) − Payables(t)
//	CFO(t)         = Profit(t) + NonCash(t) − (Net(t) − Net(t−1))    (indirect method)
//
// "N days of a flow" at the end of month t is the flow of month t × N /
// days in month t while N fits in the month; past that it takes the whole
// month and reaches back through the months before until N days are
// covered [design, §3.6], into PriorRevenue and PriorCOGS before month 1.
// With flat revenue this is the annual formula DSO / 365 × annual revenue.
//
// Rounding: Profit is rounded to cents and every balance is rounded to
// cents at each month end (half away from zero); the change in working
// capital and the cash flow are then exact, so Σ OperatingCashFlow = Σ
// Profit + Σ NonCash − (Net at the end − Net at the opening) to the cent.
// With DSO = DIO = DPO = 0 the cash flow is the profit (plus NonCash).
func ProjectCash(in CashInputs, months int) (CashFlow, error) {
	var c checker
	c.horizon(months)
	c.amounts("Revenue", in.Revenue, max(months, 1))
	c.amounts("COGS", in.COGS, max(months, 1))
	c.amounts("Opex", in.Opex, max(months, 1))
	c.amounts("NonCash", in.NonCash, max(months, 1))
	c.nonNegative(named("DSO"), in.DSO)
	c.nonNegative(named("DIO"), in.DIO)
	c.nonNegative(named("DPO"), in.DPO)
	for i, d := range in.PriorRevenue {
		c.nonNegative(elem("PriorRevenue", i), d)
	}
	for i, d := range in.PriorCOGS {
		c.nonNegative(elem("PriorCOGS", i), d)
	}
	if o := in.Opening; o != nil {
		c.nonNegative(named("Opening.Receivables"), o.Receivables)
		c.nonNegative(named("Opening.Inventory"), o.Inventory)
		c.nonNegative(named("Opening.Payables"), o.Payables)
	}
	if in.Calendar != nil {
		if err := in.Calendar.Validate(); err != nil {
			c.fail(named("Calendar"), "must be a valid fiscal year", err)
		}
	}
	if err := c.err(); err != nil {
		return CashFlow{}, fmt.Errorf("project cash: %w", err)
	}

	revenue := monthlyFlow{current: in.Revenue, prior: in.PriorRevenue}
	cogs := monthlyFlow{current: in.COGS, prior: in.PriorCOGS}
	days := in.monthDays
	balances := func(t int) WorkingCapital { // t = −1 is the opening
		return WorkingCapital{
			Receivables: revenue.daysOf(t, in.DSO, days),
			Inventory:   cogs.daysOf(t, in.DIO, days),
			Payables:    cogs.daysOf(t, in.DPO, days),
		}
	}

	cf := CashFlow{
		Profit:                 make([]decimal.Decimal, months),
		Balances:               make([]WorkingCapital, months),
		ChangeInWorkingCapital: make([]decimal.Decimal, months),
		OperatingCashFlow:      make([]decimal.Decimal, months),
	}
	if in.Opening != nil {
		cf.Opening = *in.Opening
	} else {
		cf.Opening = balances(-1)
	}
	prev := cf.Opening.Net()
	for t := range months {
		cf.Profit[t] = engine.RoundMoney(at(in.Revenue, t).Sub(at(in.COGS, t)).Sub(at(in.Opex, t)))
		cf.Balances[t] = balances(t)
		net := cf.Balances[t].Net()
		cf.ChangeInWorkingCapital[t] = net.Sub(prev)
		cf.OperatingCashFlow[t] = cf.Profit[t].Add(engine.RoundMoney(at(in.NonCash, t))).Sub(cf.ChangeInWorkingCapital[t])
		prev = net
	}
	return cf, nil
}

// monthDays returns the days of month t (0 is fiscal month 1; negative t
// the months before) in twelfths of a day, so that the average month,
// 365/12 days, is a whole number.
func (in CashInputs) monthDays(t int) decimal.Decimal {
	if in.Calendar == nil {
		return decimal.NewFromInt(365)
	}
	m, y := in.Calendar.Month(1)
	// Day 0 of the following month is the last day of month t.
	last := time.Date(y, m+time.Month(t)+1, 0, 0, 0, 0, 0, time.UTC)
	return decimal.NewFromInt(int64(12 * last.Day()))
}

// monthlyFlow is a P&L line by month, with the months before month 1.
type monthlyFlow struct {
	current, prior []decimal.Decimal
}

// month returns the flow of month t; t < 0 reads the prior months.
func (f monthlyFlow) month(t int) decimal.Decimal {
	if t >= 0 {
		return at(f.current, t)
	}
	i := len(f.prior) + t
	if i < 0 {
		return decimal.Zero
	}
	return f.prior[i]
}

// daysOf returns the balance holding n days of the flow at the end of
// month t, rounded to cents: the months from t backwards, each in full
// until fewer days than the month remain, the last in proportion.
func (f monthlyFlow) daysOf(t int, n decimal.Decimal, days func(int) decimal.Decimal) decimal.Decimal {
	left := n.Mul(twelve) // in twelfths of a day, as days() counts
	balance := decimal.Zero
	for k := t; left.IsPositive(); k-- {
		if k < -len(f.prior) {
			break // before the first month we know: zero flow
		}
		d := days(k)
		if left.GreaterThanOrEqual(d) {
			balance = balance.Add(f.month(k))
		} else {
			balance = balance.Add(f.month(k).Mul(left).DivRound(d, 16))
		}
		left = left.Sub(d)
	}
	return engine.RoundMoney(balance)
}

// BalanceFromDays returns the balance that holds days of a period's flow:
// flow × days / daysInPeriod, rounded to cents (§3.6). With a year's
// revenue and 365 days it is receivables from DSO (oracle W1: 318,402 of
// revenue at 100 days is 87,233.42).
func BalanceFromDays(flow, days, daysInPeriod decimal.Decimal) (decimal.Decimal, error) {
	var c checker
	c.nonNegative(named("flow"), flow)
	c.nonNegative(named("days"), days)
	if !daysInPeriod.IsPositive() {
		c.fail(named("daysInPeriod"), "must be > 0", daysInPeriod)
	}
	if err := c.err(); err != nil {
		return decimal.Zero, fmt.Errorf("balance from days: %w", err)
	}
	return engine.RoundMoney(flow.Mul(days).DivRound(daysInPeriod, 16)), nil
}

// CashConversionCycle returns DSO + DIO − DPO, the days between paying
// for goods and collecting for them (§3.6).
func CashConversionCycle(dso, dio, dpo decimal.Decimal) decimal.Decimal {
	return dso.Add(dio).Sub(dpo)
}
