package sheetstest

import (
	"strconv"

	"google.golang.org/api/sheets/v4"
)

// canSeeMetadata applies visibility: DOCUMENT metadata is visible to every
// project, PROJECT metadata only to the project that created it.
func (c *call) canSeeMetadata(m *metadataEntry) bool {
	return m.M.Visibility != "PROJECT" || m.Project == c.user.Project
}

// locationType derives a metadata location's type from its set field.
func locationType(l *sheets.DeveloperMetadataLocation) string {
	switch {
	case l == nil:
		return ""
	case l.Spreadsheet:
		return "SPREADSHEET"
	case l.DimensionRange != nil:
		if l.DimensionRange.Dimension == "COLUMNS" {
			return "COLUMN"
		}
		return "ROW"
	}
	return "SHEET"
}

// locationsIntersect reports whether two metadata locations overlap: the
// spreadsheet overlaps everything, a sheet its rows and columns, a row
// every column of its sheet.
func locationsIntersect(a, b *sheets.DeveloperMetadataLocation) bool {
	ta, tb := locationType(a), locationType(b)
	if ta == "SPREADSHEET" || tb == "SPREADSHEET" {
		return true
	}
	sa, sb := locSheet(a), locSheet(b)
	if sa != sb {
		return false
	}
	if ta == "SHEET" || tb == "SHEET" {
		return true
	}
	da, db := a.DimensionRange, b.DimensionRange
	if da.Dimension != db.Dimension {
		return true
	}
	return da.StartIndex < db.EndIndex && db.StartIndex < da.EndIndex
}

func locationsEqual(a, b *sheets.DeveloperMetadataLocation) bool {
	ta, tb := locationType(a), locationType(b)
	if ta != tb {
		return false
	}
	switch ta {
	case "SPREADSHEET":
		return true
	case "SHEET":
		return a.SheetId == b.SheetId
	}
	da, db := a.DimensionRange, b.DimensionRange
	return da.SheetId == db.SheetId && da.Dimension == db.Dimension && da.StartIndex == db.StartIndex && da.EndIndex == db.EndIndex
}

func locSheet(l *sheets.DeveloperMetadataLocation) int64 {
	if l.DimensionRange != nil {
		return l.DimensionRange.SheetId
	}
	return l.SheetId
}

// lookupMetadata finds the metadata a lookup selects among those the
// caller can see.
func (c *call) lookupMetadata(ss *spreadsheetState, l *sheets.DeveloperMetadataLookup) ([]*metadataEntry, *apiError) {
	if l.LocationMatchingStrategy != "" && l.LocationMatchingStrategy != "DEVELOPER_METADATA_LOCATION_MATCHING_STRATEGY_UNSPECIFIED" && l.MetadataLocation == nil {
		return nil, invalidf("A metadataLocation must be specified when locationMatchingStrategy is specified.")
	}
	var out []*metadataEntry
	for _, m := range ss.Metadata {
		if !c.canSeeMetadata(m) {
			continue
		}
		md := m.M
		switch {
		case l.MetadataId != 0 && md.MetadataId != l.MetadataId,
			l.MetadataKey != "" && md.MetadataKey != l.MetadataKey,
			l.MetadataValue != "" && md.MetadataValue != l.MetadataValue,
			l.Visibility != "" && l.Visibility != "DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED" && md.Visibility != l.Visibility,
			l.LocationType != "" && l.LocationType != "DEVELOPER_METADATA_LOCATION_TYPE_UNSPECIFIED" && locationType(md.Location) != l.LocationType:
			continue
		}
		if l.MetadataLocation != nil {
			loc := l.MetadataLocation
			if !loc.Spreadsheet && loc.DimensionRange == nil && ss.sheetByID(loc.SheetId) == nil {
				return nil, invalidf("No grid with id: %d", loc.SheetId)
			}
			if l.LocationMatchingStrategy == "EXACT_LOCATION" {
				if !locationsEqual(md.Location, loc) {
					continue
				}
			} else if !locationsIntersect(md.Location, loc) {
				continue
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// metadataRange is the range a metadata entry's location covers; ok is
// false for spreadsheet-level metadata, which covers no cells.
func metadataRange(ss *spreadsheetState, md *sheets.DeveloperMetadata) (resolved, bool) {
	l := md.Location
	switch locationType(l) {
	case "SHEET":
		sh := ss.sheetByID(l.SheetId)
		if sh == nil {
			return resolved{}, false
		}
		return resolved{Sheet: sh, Rect: rect{0, 0, sh.rowCount(), sh.colCount()}}, true
	case "ROW", "COLUMN":
		d := l.DimensionRange
		sh := ss.sheetByID(d.SheetId)
		if sh == nil {
			return resolved{}, false
		}
		if d.Dimension == "COLUMNS" {
			return resolved{Sheet: sh, Rect: rect{0, int(d.StartIndex), sh.rowCount(), min(int(d.EndIndex), sh.colCount())}}, true
		}
		return resolved{Sheet: sh, Rect: rect{int(d.StartIndex), 0, min(int(d.EndIndex), sh.rowCount()), sh.colCount()}}, true
	}
	return resolved{}, false
}

// filterRanges resolves a DataFilter to the ranges it selects.
func (c *call) filterRanges(f *file, df *sheets.DataFilter) ([]resolved, *apiError) {
	ss := f.Sheet
	switch {
	case df == nil:
		return nil, invalidf("No data filter specified.")
	case df.A1Range != "":
		r, err := resolveA1(ss, df.A1Range, true)
		if err != nil {
			return nil, err
		}
		return []resolved{r}, nil
	case df.GridRange != nil:
		sh, r := ss.gridRect(df.GridRange)
		if sh == nil {
			return nil, invalidf("No grid with id: %d", df.GridRange.SheetId)
		}
		if msg := checkGridRange(df.GridRange, sh); msg != "" {
			return nil, invalidf("%s", msg)
		}
		return []resolved{{Sheet: sh, Rect: r}}, nil
	case df.DeveloperMetadataLookup != nil:
		ms, err := c.lookupMetadata(ss, df.DeveloperMetadataLookup)
		if err != nil {
			return nil, err
		}
		var out []resolved
		for _, m := range ms {
			if r, ok := metadataRange(ss, m.M); ok {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return nil, invalidf("No data filter specified.")
}

// metadataForFilter finds the metadata a DataFilter selects: by lookup, or
// the metadata whose locations intersect a range.
func (c *call) metadataForFilter(ss *spreadsheetState, df *sheets.DataFilter) ([]*metadataEntry, *apiError) {
	if df == nil {
		return nil, invalidf("No data filter specified.")
	}
	if df.DeveloperMetadataLookup != nil {
		return c.lookupMetadata(ss, df.DeveloperMetadataLookup)
	}
	var r resolved
	switch {
	case df.A1Range != "":
		var err *apiError
		if r, err = resolveA1(ss, df.A1Range, true); err != nil {
			return nil, err
		}
	case df.GridRange != nil:
		sh, rr := ss.gridRect(df.GridRange)
		if sh == nil {
			return nil, invalidf("No grid with id: %d", df.GridRange.SheetId)
		}
		r = resolved{Sheet: sh, Rect: rr}
	default:
		return nil, invalidf("No data filter specified.")
	}
	var out []*metadataEntry
	for _, m := range ss.Metadata {
		if !c.canSeeMetadata(m) {
			continue
		}
		if mr, ok := metadataRange(ss, m.M); ok && mr.Sheet == r.Sheet && mr.Rect.intersects(r.Rect) {
			out = append(out, m)
		}
	}
	return out, nil
}

func (c *call) metadataSearch() (any, *apiError) {
	var req sheets.SearchDeveloperMetadataRequest
	if err := c.decodeBody(&req); err != nil {
		return nil, err
	}
	f, err := c.openSpreadsheet(false)
	if err != nil {
		return nil, err
	}
	out := &sheets.SearchDeveloperMetadataResponse{}
	index := map[int64]*sheets.MatchedDeveloperMetadata{}
	for i, df := range req.DataFilters {
		ms, err := c.metadataForFilter(f.Sheet, df)
		if err != nil {
			return nil, invalidf("Invalid dataFilters[%d]: %s", i, err.Message)
		}
		for _, m := range ms {
			mm := index[m.M.MetadataId]
			if mm == nil {
				mm = &sheets.MatchedDeveloperMetadata{DeveloperMetadata: cloneJSON(m.M)}
				index[m.M.MetadataId] = mm
				out.MatchedDeveloperMetadata = append(out.MatchedDeveloperMetadata, mm)
			}
			mm.DataFilters = append(mm.DataFilters, df)
		}
	}
	return out, nil
}

func (c *call) metadataGet() (any, *apiError) {
	f, err := c.openSpreadsheet(false)
	if err != nil {
		return nil, err
	}
	id, perr := strconv.ParseInt(c.pathArgs[0], 10, 64)
	if perr != nil {
		return nil, invalidf("Invalid value at 'metadata_id' (TYPE_INT32), %q", c.pathArgs[0])
	}
	m := f.Sheet.metadataByID(id)
	if m == nil || !c.canSeeMetadata(m) {
		return nil, errNotFound()
	}
	return cloneJSON(m.M), nil
}
