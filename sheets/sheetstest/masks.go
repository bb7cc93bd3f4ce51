package sheetstest

import (
	"encoding/json"
	"fmt"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// updateMask is a parsed write field mask (the fields of updateCells,
// repeatCell, updateSheetProperties, ...). Sheets accepts both
// "a.b,c" and "a(b),c" forms, and "*" for every field.
type updateMask struct {
	root *maskNode
	star bool
}

// parseUpdateMask parses a write mask and checks its paths against the
// schema the mask is rooted at.
func (s *Server) parseUpdateMask(fields, schemaName string) (*updateMask, string) {
	fields = strings.TrimSpace(fields)
	if fields == "" {
		return nil, "At least one field must be specified."
	}
	n, err := parseFieldsMask(fields)
	if err != nil {
		return nil, fmt.Sprintf("Invalid field mask: %s", fields)
	}
	if star := n.children["*"]; star != nil && star.all && len(n.children) == 1 {
		return &updateMask{root: n, star: true}, ""
	}
	doc := s.disc.docs["sheets"]
	if bad := checkMask(doc, n, &schema{Ref: schemaName}); bad != "" {
		return nil, fmt.Sprintf("Invalid field: %s", strings.ReplaceAll(bad, "/", "."))
	}
	return &updateMask{root: n}, ""
}

// topLevel lists the mask's top-level fields when none has a sub-path.
func (m *updateMask) topLevel() ([]string, bool) {
	var out []string
	for name, child := range m.root.children {
		if !child.all {
			return nil, false
		}
		out = append(out, name)
	}
	return out, true
}

func toMap(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}

func fromMap(m map[string]any, v any) {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		panic(err)
	}
}

// applyMaskMaps copies the masked fields from src to dst; a masked field
// absent from src is reset (deleted), as field masks do.
func applyMaskMaps(dst, src map[string]any, n *maskNode) {
	for name, child := range n.children {
		if name == "*" {
			for k := range dst {
				delete(dst, k)
			}
			for k, v := range src {
				dst[k] = v
			}
			continue
		}
		sv, ok := src[name]
		if child.all {
			if ok {
				dst[name] = sv
			} else {
				delete(dst, name)
			}
			continue
		}
		dm, _ := dst[name].(map[string]any)
		if dm == nil {
			dm = map[string]any{}
		}
		sm, _ := sv.(map[string]any)
		if sm == nil {
			sm = map[string]any{}
		}
		applyMaskMaps(dm, sm, child)
		if len(dm) == 0 {
			delete(dst, name)
		} else {
			dst[name] = dm
		}
	}
}

// applyMask updates *dst with the masked fields of src (both values of the
// same generated API type).
func applyMask[T any](dst *T, src *T, m *updateMask) {
	dm, sm := toMap(dst), map[string]any{}
	if src != nil {
		sm = toMap(src)
	}
	applyMaskMaps(dm, sm, m.root)
	var out T
	fromMap(dm, &out)
	*dst = out
}

// applyCellMask returns old updated with the masked fields of src, or nil
// when the cell ends up empty. Cells are never changed in place.
func applyCellMask(old, src *sheets.CellData, m *updateMask) *sheets.CellData {
	if src == nil {
		src = &sheets.CellData{}
	}
	if m.star {
		return storedCell(src)
	}
	var nc sheets.CellData
	if old != nil {
		nc = *old
	}
	if names, ok := m.topLevel(); ok {
		for _, n := range names {
			switch n {
			case "userEnteredValue":
				nc.UserEnteredValue = src.UserEnteredValue
			case "userEnteredFormat":
				nc.UserEnteredFormat = src.UserEnteredFormat
			case "dataValidation":
				nc.DataValidation = src.DataValidation
			case "note":
				nc.Note = src.Note
			case "hyperlink":
				nc.Hyperlink = src.Hyperlink
			case "textFormatRuns":
				nc.TextFormatRuns = src.TextFormatRuns
			}
		}
		return storedCell(&nc)
	}
	applyMask(&nc, src, m)
	return storedCell(&nc)
}
