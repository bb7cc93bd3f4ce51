// Package model projects a cycle's consolidated plan month by month so
// that scenarios, trigger points with playbooks and Monte Carlo ranges
// (engine/scenario) can move it. It is the scenario.Model of a cycle.
//
// # The base is the plan
//
// The projection starts from the plan as consolidated (engine.Consolidate)
// and moves it only where a driver moves: with the base inputs, every
// department's revenue and costs are its consolidated plan, month by month,
// to the cent. Drivers are of three kinds:
//
//   - Plan lines. Each leaf department's plan on an account is one driver
//     series, keyed {department, account code, account group}: the group
//     sits in the key's Dimension so that a selector can pick a whole group
//     ({Dimension: "Programs"}). Revenue accounts add to revenue, cogs and
//     opex accounts to costs, headcount accounts to headcount (people on the
//     roster the department keeps); KPI accounts are carried but project
//     nothing.
//   - Hires. Each line of a department's hiring plan (engine.Hire) is a
//     series keyed {department, "hires", line number}: the people starting
//     in each month. The roster is rolled forward with engine/project (every
//     role filled, no attrition: the plan as asked), and costs move by the
//     difference between the roster's fully loaded cost and the base
//     roster's, so that a hiring freeze saves what the hires would have
//     cost. The plan's own salary lines are assumed to hold the planned
//     hires already.
//   - Initiatives. Each initiative (a product launch, an acquisition or an
//     expansion of the cycle file, engine/curves, or one a department
//     proposed on its workbook, a Proposal) belongs to a department and is
//     assumed to be in its plan. Its switch "initiative:<name>" is on in
//     every month of the base; in a month it is off, the department's
//     revenue and costs lose that month's initiative revenue and cost.
//
// # What departments add
//
// Spec.WithSubmissions adds what department heads typed beside their plan:
// the ranges of their own plan by account, which join the cycle's Monte
// Carlo ranges as PERT multipliers, and the initiatives they propose. Where
// the cycle file already covers the same plan or names the same
// initiative, the cycle's entry is used and the department's left out.
//
// # Outputs
//
// Revenue, costs (cogs and opex), headcount (month-end, a balance) and cash
// (month-end, a balance) for every department of the hierarchy and for the
// company (scenario.Company); a parent's series are the sums of its
// children's. Cash is each leaf department's cumulative operating cash
// flow, derived through working capital by engine/project (DSO on revenue,
// DPO on cogs, last year's actuals as the months before month 1); the
// company adds its opening cash balance.
//
// Like the rest of the engine, the package is pure: no I/O, no clock.
package model
