package excel

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"aop/engine/grid"
)

// style returns the excelize style id of st, creating one excelize style
// per distinct grid.Style value. The default style is id 0.
func (b *builder) style(st *grid.Style) (int, error) {
	if st == nil || *st == (grid.Style{}) {
		return 0, nil
	}
	if id, ok := b.styles[*st]; ok {
		return id, nil
	}
	// Colours differing only in case are one style.
	key := *st
	key.FontColor, key.Fill = normColor(key.FontColor), normColor(key.Fill)
	if id, ok := b.styles[key]; ok {
		b.styles[*st] = id
		return id, nil
	}
	xs, err := excelStyle(key)
	if err != nil {
		return 0, err
	}
	id, err := b.f.NewStyle(xs)
	if err != nil {
		return 0, fmt.Errorf("style %+v: %w", key, err)
	}
	b.styles[*st], b.styles[key] = id, id
	return id, nil
}

// normColor upper-cases a valid "RRGGBB" colour and leaves anything else
// for excelStyle to refuse as written.
func normColor(c string) string {
	if n, err := rgb(c); err == nil {
		return n
	}
	return c
}

// excelStyle maps a grid style to an excelize style.
func excelStyle(st grid.Style) (*excelize.Style, error) {
	xs := &excelize.Style{}
	if st.NumFmt != "" {
		code := st.NumFmt
		xs.CustomNumFmt = &code
	}
	if st.Bold || st.Italic || st.FontColor != "" {
		xs.Font = &excelize.Font{Bold: st.Bold, Italic: st.Italic}
		if st.FontColor != "" {
			c, err := rgb(st.FontColor)
			if err != nil {
				return nil, fmt.Errorf("font colour: %w", err)
			}
			xs.Font.Color = c
		}
	}
	if st.Fill != "" {
		c, err := rgb(st.Fill)
		if err != nil {
			return nil, fmt.Errorf("fill: %w", err)
		}
		xs.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}}
	}
	if st.HAlign != grid.AlignDefault || st.Wrap {
		xs.Alignment = &excelize.Alignment{WrapText: st.Wrap}
		switch st.HAlign {
		case grid.AlignDefault:
		case grid.AlignLeft:
			xs.Alignment.Horizontal = "left"
		case grid.AlignCenter:
			xs.Alignment.Horizontal = "center"
		case grid.AlignRight:
			xs.Alignment.Horizontal = "right"
		default:
			return nil, fmt.Errorf("unknown alignment %d", st.HAlign)
		}
	}
	if st.Border {
		for _, side := range []string{"left", "top", "right", "bottom"} {
			xs.Border = append(xs.Border, excelize.Border{Type: side, Color: "000000", Style: 1})
		}
	}
	if st.Unlocked {
		xs.Protection = &excelize.Protection{Locked: false}
	}
	return xs, nil
}

// gridStyle maps an excelize style read from one of our files back to a
// grid style.
func gridStyle(xs *excelize.Style) grid.Style {
	var st grid.Style
	switch {
	case xs.CustomNumFmt != nil:
		st.NumFmt = *xs.CustomNumFmt
	case xs.NumFmt != 0:
		st.NumFmt = builtinNumFmt(xs.NumFmt)
	}
	if xs.Font != nil {
		st.Bold, st.Italic = xs.Font.Bold, xs.Font.Italic
		st.FontColor = argbToRGB(xs.Font.Color)
	}
	if xs.Fill.Type == "pattern" && xs.Fill.Pattern == 1 && len(xs.Fill.Color) > 0 {
		st.Fill = argbToRGB(xs.Fill.Color[0])
	}
	if xs.Alignment != nil {
		st.Wrap = xs.Alignment.WrapText
		switch xs.Alignment.Horizontal {
		case "left":
			st.HAlign = grid.AlignLeft
		case "center":
			st.HAlign = grid.AlignCenter
		case "right":
			st.HAlign = grid.AlignRight
		}
	}
	st.Border = len(xs.Border) > 0
	st.Unlocked = xs.Protection != nil && !xs.Protection.Locked
	return st
}

// argbToRGB turns "FFRRGGBB" or "#RRGGBB" into upper-case "RRGGBB".
func argbToRGB(c string) string {
	if len(c) > 0 && c[0] == '#' {
		c = c[1:]
	}
	if len(c) == 8 {
		c = c[2:]
	}
	if c, err := rgb(c); err == nil {
		return c
	}
	return ""
}

// builtinNumFmt returns the format code of a built-in number format id
// (ECMA-376 18.8.30); our files use custom codes, but a file saved by an app
// may have mapped them to built-in ids.
func builtinNumFmt(id int) string {
	switch id {
	case 1:
		return "0"
	case 2:
		return "0.00"
	case 3:
		return "#,##0"
	case 4:
		return "#,##0.00"
	case 9:
		return "0%"
	case 10:
		return "0.00%"
	case 11:
		return "0.00E+00"
	case 12:
		return "# ?/?"
	case 13:
		return "# ??/??"
	case 14:
		return "mm-dd-yy"
	case 15:
		return "d-mmm-yy"
	case 16:
		return "d-mmm"
	case 17:
		return "mmm-yy"
	case 18:
		return "h:mm AM/PM"
	case 19:
		return "h:mm:ss AM/PM"
	case 20:
		return "h:mm"
	case 21:
		return "h:mm:ss"
	case 22:
		return "m/d/yy h:mm"
	case 37:
		return "#,##0 ;(#,##0)"
	case 38:
		return "#,##0 ;[Red](#,##0)"
	case 39:
		return "#,##0.00;(#,##0.00)"
	case 40:
		return "#,##0.00;[Red](#,##0.00)"
	case 45:
		return "mm:ss"
	case 46:
		return "[h]:mm:ss"
	case 47:
		return "mmss.0"
	case 48:
		return "##0.0E+0"
	case 49:
		return "@"
	}
	return ""
}
