// Package engine is aop's planning model and its calculations: the cycle
// (fiscal calendar, departments, chart of accounts, dimensions, targets,
// prior years, rules) and the typed submissions harvested from department
// workbooks.
//
// The engine is pure: it does no I/O, reads no clock and logs nothing. It
// imports only the standard library and the decimal library.
//
// # Money and rounding
//
// Money is exact decimal (shopspring/decimal). Amounts read from a workbook
// keep every digit the file stored until they enter the model; there each
// money amount is rounded once, to the currency's minor unit (cents), half
// away from zero — the rule people expect from a spreadsheet's ROUND and
// from an invoice. Sums of rounded amounts are exact, so totals reconcile to
// the cent. When one amount must be split into parts (an annual figure
// spread over twelve months), Spread uses the largest-remainder method so
// the parts add back to the whole exactly. Ratios (growth, win rate) are not
// rounded in the model, only when shown.
package engine
