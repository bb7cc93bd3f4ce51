package sheetstest

import "google.golang.org/api/sheets/v4"

// calcCache holds the computed values of formula cells for one version of
// a spreadsheet; any write drops it.
type calcCache struct{}

// evalFormulaCell computes a formula cell's value.
func (s *Server) evalFormulaCell(ss *spreadsheetState, sh *sheetState, k cellKey) *sheets.ExtendedValue {
	return nil
}
