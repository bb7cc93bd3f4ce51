package project_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"aop/engine"
	"aop/engine/project"
)

// A sales team of ten ramped reps hires four more in April; pipeline turns
// into bookings, bookings into ratable revenue, and revenue and payroll
// into cash.
func Example() {
	const months = engine.MonthsPerYear
	team := project.Department{
		Name: "Sales",
		Roles: []project.Role{
			{Title: "Account executive", Heads: 10, AnnualSalary: decimal.NewFromInt(120_000)},
			{Title: "Account executive", Heads: 4, Start: 4, AnnualSalary: decimal.NewFromInt(120_000)},
		},
		AnnualAttrition: 0.15,
		FillRate:        0.75,
		Backfill:        true,
		Ramp:            project.Ramp{.3, .3, .3, .7, .7, .7},
		LoadFactor:      decimal.RequireFromString("1.3"),
	}
	hc, err := project.ProjectHeadcount(team, months)
	if err != nil {
		panic(err)
	}
	capacity, err := project.SalesCapacity(hc.ProductiveFTE, project.Quota{
		Annual: decimal.NewFromInt(900_000), Attainment: decimal.RequireFromString("0.8"),
	})
	if err != nil {
		panic(err)
	}

	opps := make([]decimal.Decimal, months)
	for i := range opps {
		opps[i] = decimal.NewFromInt(40)
	}
	bookings, err := project.ProjectBookings(project.Pipeline{
		NewOpportunities: opps,
		WinRate:          decimal.RequireFromString("0.25"),
		AverageDealSize:  decimal.NewFromInt(60_000),
		CycleMonths:      3,
	}, months)
	if err != nil {
		panic(err)
	}
	revenue, err := project.RecognizeBookings(bookings.Amount, project.Contracts{TermMonths: 12}, months)
	if err != nil {
		panic(err)
	}
	cash, err := project.ProjectCash(project.CashInputs{
		Revenue: revenue.Revenue,
		Opex:    hc.Cost,
		DSO:     decimal.NewFromInt(45),
	}, months)
	if err != nil {
		panic(err)
	}

	fmt.Printf("FTE at year end: %.2f (productive %.2f)\n", hc.FTE[11], hc.ProductiveFTE[11])
	fmt.Println("payroll:", hc.TotalCost.StringFixed(2))
	fmt.Println("capacity:", engine.Sum(capacity...).StringFixed(2))
	fmt.Println("bookings:", engine.Sum(bookings.Amount...).StringFixed(2), "+", bookings.AfterHorizon.StringFixed(2), "after the year")
	fmt.Println("revenue:", engine.Sum(revenue.Revenue...).StringFixed(2), "deferred:", revenue.Deferred[11].StringFixed(2))
	fmt.Println("operating cash flow:", engine.Sum(cash.OperatingCashFlow...).StringFixed(2), "profit:", engine.Sum(cash.Profit...).StringFixed(2))
	// Output:
	// FTE at year end: 12.52 (productive 12.15)
	// payroll: 1872631.53
	// capacity: 7907627.80
	// bookings: 5400000.00 + 1800000.00 after the year
	// revenue: 2250000.00 deferred: 3150000.00
	// operating cash flow: -264412.35 profit: 377368.47
}
