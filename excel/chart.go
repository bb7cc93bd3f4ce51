package excel

import (
	"html"
	"path"
	"regexp"
	"strings"
)

// chartNameEdit returns the rewrite of a chart part: excelize writes every
// series name as a reference (<tx><strRef><f>name</f>), which for a literal
// name such as "Plan" is a broken reference; a literal becomes <tx><v>name</v>
// and an empty name is dropped.
func chartNameEdit(name string) partEdit {
	if path.Dir(name) != "xl/charts" || !strings.HasPrefix(path.Base(name), "chart") || path.Ext(name) != ".xml" {
		return nil
	}
	return func(part []byte) ([]byte, error) {
		re := regexp.MustCompile(`<((?:\w+:)?)tx><(?:\w+:)?strRef><(?:\w+:)?f>([^<]*)</(?:\w+:)?f></(?:\w+:)?strRef></(?:\w+:)?tx>`)
		return re.ReplaceAllFunc(part, func(m []byte) []byte {
			sub := re.FindSubmatch(m)
			prefix, text := string(sub[1]), string(sub[2])
			switch {
			case text == "":
				return nil
			case isReference(html.UnescapeString(text)):
				return m
			}
			return []byte("<" + prefix + "tx><" + prefix + "v>" + text + "</" + prefix + "v></" + prefix + "tx>")
		}), nil
	}
}
