package scenario_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"aop/engine"
	"aop/engine/scenario"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// The drivers of the toy model.
const (
	pipeline     = "pipeline"           // money per month
	winRate      = "win_rate"           // ratio
	opening      = "opening_headcount"  // people; month 1 counts
	hires        = "hires"              // people per month
	costPerHead  = "cost_per_head"      // money per person per month
	opex         = "discretionary_opex" // money per month
	capPerHead   = "capacity_per_head"  // revenue a person can deliver per month
	initiativeCo = "initiative_cost"    // money per month; Dimension names the initiative
	capacity     = "capacity"           // the capacity metric the toy emits
)

// toy is a small projection model. For each department:
//
//	revenue   = pipeline × win rate
//	headcount = opening headcount + hires to date
//	costs     = headcount × cost per head + discretionary opex
//	            + the cost of each initiative while its switch "initiative:<name>" is on
//	cash      = revenue − costs, to date
//	capacity  = headcount × capacity per head
//
// and the company's series are the departments' sums.
func toy(in scenario.Inputs) (scenario.Outputs, error) {
	type dept struct {
		drivers     map[string]scenario.Series
		initiatives map[string]scenario.Series
	}
	depts := map[string]*dept{}
	for k, s := range in.Drivers {
		dp := depts[k.Department]
		if dp == nil {
			dp = &dept{drivers: map[string]scenario.Series{}, initiatives: map[string]scenario.Series{}}
			depts[k.Department] = dp
		}
		if k.Driver == initiativeCo {
			dp.initiatives[k.Dimension] = s
		} else {
			dp.drivers[k.Driver] = s
		}
	}
	n := in.Months
	out := scenario.Outputs{
		Months:   n,
		Metrics:  map[scenario.MetricKey]scenario.Series{},
		Balances: map[string]bool{scenario.Cash: true, scenario.Headcount: true},
	}
	metrics := []string{scenario.Revenue, scenario.Costs, scenario.Headcount, scenario.Cash, capacity}
	company := map[string]scenario.Series{}
	for _, m := range metrics {
		company[m] = zeros(n)
	}
	for name, dp := range depts {
		get := func(driver string) scenario.Series {
			if s, ok := dp.drivers[driver]; ok {
				return s
			}
			return zeros(n)
		}
		pl, wr, op, hi, cph, ox, cap := get(pipeline), get(winRate), get(opening), get(hires), get(costPerHead), get(opex), get(capPerHead)
		rev, cost, hc, cash, capa := make(scenario.Series, n), make(scenario.Series, n), make(scenario.Series, n), make(scenario.Series, n), make(scenario.Series, n)
		heads, bank := op[0], decimal.Zero
		for i := range n {
			heads = heads.Add(hi[i])
			rev[i] = pl[i].Mul(wr[i])
			c := heads.Mul(cph[i]).Add(ox[i])
			for init, s := range dp.initiatives {
				if in.Active("initiative:"+init, engine.Period(i+1)) {
					c = c.Add(s[i])
				}
			}
			cost[i] = c
			hc[i] = heads
			bank = bank.Add(rev[i]).Sub(c)
			cash[i] = bank
			capa[i] = heads.Mul(cap[i])
		}
		for m, s := range map[string]scenario.Series{scenario.Revenue: rev, scenario.Costs: cost, scenario.Headcount: hc, scenario.Cash: cash, capacity: capa} {
			out.Metrics[scenario.MetricKey{Department: name, Metric: m}] = s
			for i := range s {
				company[m][i] = company[m][i].Add(s[i])
			}
		}
	}
	for m, s := range company {
		out.Metrics[scenario.MetricKey{Department: scenario.Company, Metric: m}] = s
	}
	return out, nil
}

func zeros(n int) scenario.Series {
	s := make(scenario.Series, n)
	for i := range s {
		s[i] = decimal.Zero
	}
	return s
}

func flat(n int, v string) scenario.Series {
	s := make(scenario.Series, n)
	for i := range s {
		s[i] = d(v)
	}
	return s
}

func on(n int) scenario.Switch {
	s := make(scenario.Switch, n)
	for i := range s {
		s[i] = true
	}
	return s
}

// flatInputs is a two-department company with flat drivers over twelve
// months: sales wins 25,000 a month and eng 20,000; sales hires one person a
// month from 10, eng two from 20; sales runs initiative x (5,000 a month)
// and eng initiative y (4,000 a month).
func flatInputs() scenario.Inputs {
	const n = 12
	k := func(dept, driver string) scenario.Key { return scenario.Key{Department: dept, Driver: driver} }
	return scenario.Inputs{
		Months: n,
		Drivers: map[scenario.Key]scenario.Series{
			k("sales", pipeline):    flat(n, "100000"),
			k("sales", winRate):     flat(n, "0.25"),
			k("sales", opening):     flat(n, "10"),
			k("sales", hires):       flat(n, "1"),
			k("sales", costPerHead): flat(n, "1000"),
			k("sales", opex):        flat(n, "2000"),
			k("sales", capPerHead):  flat(n, "3000"),
			{Department: "sales", Driver: initiativeCo, Dimension: "x"}: flat(n, "5000"),
			k("eng", pipeline):    flat(n, "40000"),
			k("eng", winRate):     flat(n, "0.5"),
			k("eng", opening):     flat(n, "20"),
			k("eng", hires):       flat(n, "2"),
			k("eng", costPerHead): flat(n, "1500"),
			k("eng", opex):        flat(n, "3000"),
			k("eng", capPerHead):  flat(n, "1000"),
			{Department: "eng", Driver: initiativeCo, Dimension: "y"}: flat(n, "4000"),
		},
		Switches: map[string]scenario.Switch{"initiative:x": on(n), "initiative:y": on(n)},
	}
}

// randomInputs is a company of depts departments with random drivers: money
// in cents, win rates to three places, whole hires, and an initiative in
// every other department.
func randomInputs(r *rand.Rand, depts, months int) scenario.Inputs {
	in := scenario.Inputs{Months: months, Drivers: map[scenario.Key]scenario.Series{}, Switches: map[string]scenario.Switch{}}
	series := func(f func() decimal.Decimal) scenario.Series {
		s := make(scenario.Series, months)
		for i := range s {
			s[i] = f()
		}
		return s
	}
	money := func(max int64) func() decimal.Decimal {
		return func() decimal.Decimal { return decimal.New(r.Int64N(max*100), -2) }
	}
	for i := range depts {
		dept := fmt.Sprintf("d%04d", i)
		k := func(driver string) scenario.Key { return scenario.Key{Department: dept, Driver: driver} }
		in.Drivers[k(pipeline)] = series(money(500_000))
		in.Drivers[k(winRate)] = series(func() decimal.Decimal { return decimal.New(100+r.Int64N(300), -3) })
		in.Drivers[k(opening)] = flat(months, fmt.Sprint(5+r.IntN(50)))
		in.Drivers[k(hires)] = series(func() decimal.Decimal { return decimal.NewFromInt(r.Int64N(3)) })
		in.Drivers[k(costPerHead)] = flat(months, money(15_000)().String())
		in.Drivers[k(opex)] = series(money(20_000))
		in.Drivers[k(capPerHead)] = flat(months, money(6_000)().String())
		if i%2 == 0 {
			name := "i" + strings.TrimPrefix(dept, "d")
			in.Drivers[scenario.Key{Department: dept, Driver: initiativeCo, Dimension: name}] = series(money(10_000))
			in.Switches["initiative:"+name] = on(months)
		}
	}
	return in
}
