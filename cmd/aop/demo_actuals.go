package main

import (
	"bytes"
	"encoding/csv"
	"fmt"

	"github.com/shopspring/decimal"

	"aop/engine"
)

// The demo's year of actuals: what Kestrel's ledger and CRM export at each
// monthly close. The story, month by month, of the demo plan:
//
//   - Revenue comes in 1% above plan for four months, then 15% below it
//     from month 5: the trailing three months fall under 92% of plan in
//     months 6 and 7, and the revenue-slump trigger fires in month 7.
//   - Sales' stage-2-to-close conversion, assumed to reach 28%, runs at
//     27%, 25%, 21%, 20% … : the register's assumption is breaking from
//     month 3, while revenue is still on plan (the early warning).
//     Pipeline comes in at 80% of the planned pipeline from month 2, the
//     win rate as planned.
//   - Costs run 2% under plan, except marketing, which spends 15% more in
//     month 3 and 15% less in month 4 (a timing difference).
var (
	demoRevenueAhead  = decimal.RequireFromString("1.01")
	demoRevenueBehind = decimal.RequireFromString("0.85")
	demoCostFactor    = decimal.RequireFromString("0.98")
	demoTimingUp      = decimal.RequireFromString("1.15")
	demoTimingDown    = decimal.RequireFromString("0.85")
	demoPipeline      = decimal.RequireFromString("0.8")
	demoConversion    = []string{"0.27", "0.25", "0.21", "0.2", "0.19", "0.19", "0.18", "0.18", "0.18", "0.17", "0.17", "0.17"}
)

// demoFactor is what the demo's actuals are of plan, by department,
// account type and fiscal month.
func demoFactor(dept string, t engine.AccountType, m engine.Period) decimal.Decimal {
	switch {
	case t == engine.Revenue && m <= 4:
		return demoRevenueAhead
	case t == engine.Revenue:
		return demoRevenueBehind
	case dept == "marketing" && m == 3:
		return demoTimingUp
	case dept == "marketing" && m == 4:
		return demoTimingDown
	}
	return demoCostFactor
}

// demoLedger returns the general-ledger export (mapping gl) and the KPI
// export (mapping kpis) of fiscal month m of the demo year.
func demoLedger(c *engine.Cycle, m engine.Period) (gl, kpis []byte, err error) {
	var glBuf, kpiBuf bytes.Buffer
	g, k := csv.NewWriter(&glBuf), csv.NewWriter(&kpiBuf)
	_ = g.Write([]string{"Cost centre", "Account", "Period", "Amount"})
	_ = k.Write([]string{"Cost centre", "Period", "Pipeline", "Win rate", "Stage-2 to close conversion"})
	total := decimal.Zero
	for _, d := range c.Leaves() {
		sub := demoSubmission(c, d.ID)
		byAccount := map[string]decimal.Decimal{}
		var order []string
		for _, l := range sub.Lines {
			if _, seen := byAccount[l.Account]; !seen {
				order = append(order, l.Account)
			}
			byAccount[l.Account] = byAccount[l.Account].Add(l.Months[m-1])
		}
		for _, code := range order {
			a, _ := c.Account(code)
			amount := engine.RoundMoney(byAccount[code].Mul(demoFactor(d.ID, a.Type, m)))
			if !a.Type.IsMoney() {
				amount = byAccount[code]
			}
			total = total.Add(amount)
			_ = g.Write([]string{d.ID, code, fmt.Sprint(int(m)), amount.StringFixed(2)})
		}
		var pipeline, win *decimal.Decimal
		for _, dr := range sub.Drivers {
			switch dr.Name {
			case "pipeline":
				pipeline = dr.Months[m-1]
			case "win_rate":
				win = dr.Months[m-1]
			}
		}
		if pipeline == nil {
			continue
		}
		p := *pipeline
		if m >= 2 {
			p = engine.RoundMoney(p.Mul(demoPipeline))
		}
		row := []string{d.ID, fmt.Sprint(int(m)), p.StringFixed(2), "", demoConversion[m-1]}
		if win != nil {
			row[3] = win.String()
		}
		_ = k.Write(row)
	}
	_ = g.Write([]string{"Total", "", "", total.StringFixed(2)})
	g.Flush()
	k.Flush()
	if err := g.Error(); err != nil {
		return nil, nil, err
	}
	return glBuf.Bytes(), kpiBuf.Bytes(), k.Error()
}
