package gridtest

import (
	"fmt"
	"sort"
	"strings"

	"aop/engine/grid"
)

// Dump returns a normalised text dump of a workbook, one line per cell and
// per sheet feature, for golden files: sheet order, visibility, protection,
// tab colour, freeze panes, column widths, cells (kind, value, formula,
// number format, lock state and look), merges, validations and charts, then
// the defined names. Passwords are not dumped, only whether one is set.
func Dump(wb *grid.Workbook) string {
	var b strings.Builder
	for _, s := range wb.Sheets {
		dumpSheet(&b, s)
	}
	for _, n := range wb.Names {
		fmt.Fprintf(&b, "name %s = %s\n", n.Name, n.RefersTo)
	}
	return b.String()
}

func dumpSheet(b *strings.Builder, s *grid.Sheet) {
	fmt.Fprintf(b, "sheet %q %s", s.Name, s.Visibility)
	if s.Protection != nil {
		b.WriteString(" protected")
		if s.Protection.Password != "" {
			b.WriteString(" with-password")
		}
	}
	if s.Page.Landscape {
		fmt.Fprint(b, " landscape")
	}
	if s.Page.FitToWidth {
		fmt.Fprint(b, " fit-to-width")
	}
	if s.TabColor != "" {
		fmt.Fprintf(b, " tab=%s", strings.ToUpper(s.TabColor))
	}
	if !s.Freeze.IsZero() {
		fmt.Fprintf(b, " freeze=%s", s.Freeze)
	}
	b.WriteString("\n")
	cols := make([]int, 0, len(s.ColWidths))
	for c := range s.ColWidths {
		cols = append(cols, c)
	}
	sort.Ints(cols)
	for _, c := range cols {
		fmt.Fprintf(b, "  col %s width=%g\n", grid.ColName(c), s.ColWidths[c])
	}
	for _, r := range s.Refs() {
		c := s.Cell(r)
		fmt.Fprintf(b, "  %s %s", r, c.Value.Kind)
		if c.Value.Kind != grid.Empty {
			fmt.Fprintf(b, " %q", c.Value.Text)
		}
		if c.Formula != "" {
			fmt.Fprintf(b, " formula=%q", c.Formula)
		}
		b.WriteString(dumpStyle(c.Style))
		b.WriteString("\n")
	}
	for _, m := range s.Merges {
		fmt.Fprintf(b, "  merge %s\n", m)
	}
	for _, v := range s.Validations {
		b.WriteString("  " + dumpValidation(v) + "\n")
	}
	for i, c := range s.Charts {
		fmt.Fprintf(b, "  chart %d %s title=%q at %s", i+1, c.Type.String(), c.Title, refOrNone(c.Anchor))
		if c.YAxisNumFmt != "" {
			fmt.Fprintf(b, " yaxis=%q", c.YAxisNumFmt)
		}
		b.WriteString("\n")
		for j, sr := range c.Series {
			fmt.Fprintf(b, "    series %d name=%q cat=%s val=%s", j+1, sr.Name, sr.Categories, sr.Values)
			if sr.Transparent {
				b.WriteString(" transparent")
			} else if sr.Color != "" {
				fmt.Fprintf(b, " color=%s", strings.ToUpper(sr.Color))
			}
			b.WriteString("\n")
		}
	}
}

func dumpStyle(st *grid.Style) string {
	var s grid.Style
	if st != nil {
		s = *st
	}
	var b strings.Builder
	if s.Unlocked {
		b.WriteString(" unlocked")
	} else {
		b.WriteString(" locked")
	}
	if s.NumFmt != "" {
		fmt.Fprintf(&b, " numfmt=%q", s.NumFmt)
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{s.Bold, "bold"}, {s.Italic, "italic"}, {s.Wrap, "wrap"}, {s.Border, "border"}} {
		if f.on {
			b.WriteString(" " + f.name)
		}
	}
	if s.FontColor != "" {
		fmt.Fprintf(&b, " color=%s", strings.ToUpper(s.FontColor))
	}
	if s.Fill != "" {
		fmt.Fprintf(&b, " fill=%s", strings.ToUpper(s.Fill))
	}
	switch s.HAlign {
	case grid.AlignLeft:
		b.WriteString(" left")
	case grid.AlignCenter:
		b.WriteString(" center")
	case grid.AlignRight:
		b.WriteString(" right")
	}
	return b.String()
}

func dumpValidation(v grid.Validation) string {
	var b strings.Builder
	rs := make([]string, len(v.Ranges))
	for i, r := range v.Ranges {
		rs[i] = r.String()
	}
	fmt.Fprintf(&b, "validation %s %s", strings.Join(rs, " "), v.Type.String())
	if v.Type != grid.ValidateList && v.Type != grid.ValidateAny {
		fmt.Fprintf(&b, " %s", v.Operator.String())
	}
	if len(v.List) > 0 {
		fmt.Fprintf(&b, " list=%q", v.List)
	}
	if v.Formula1 != "" {
		fmt.Fprintf(&b, " f1=%q", v.Formula1)
	}
	if v.Formula2 != "" {
		fmt.Fprintf(&b, " f2=%q", v.Formula2)
	}
	if v.AllowBlank {
		b.WriteString(" allow-blank")
	}
	if v.InputTitle != "" || v.InputMessage != "" {
		fmt.Fprintf(&b, " input=%q/%q", v.InputTitle, v.InputMessage)
	}
	if v.ErrorTitle != "" || v.ErrorMessage != "" {
		fmt.Fprintf(&b, " error=%q/%q", v.ErrorTitle, v.ErrorMessage)
	}
	if v.Type != grid.ValidateAny {
		switch v.ErrorStyle {
		case grid.ErrorStop:
			b.WriteString(" stop")
		case grid.ErrorWarning:
			b.WriteString(" warning")
		case grid.ErrorInformation:
			b.WriteString(" information")
		}
	}
	return b.String()
}
