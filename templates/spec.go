// Package templates renders aop's spreadsheet templates into neutral grids
// and parses harvested grids back into typed submissions. It is the only
// package that knows where a number sits on a sheet, in both directions.
package templates

import (
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"
)

//go:embed department.yaml
var departmentYAML []byte

// Spec is a template's human side: names, labels, help texts and colours.
// The layout is code; the words are data.
type Spec struct {
	ID          string `yaml:"id"`
	Version     int    `yaml:"version"`
	Lines       int    `yaml:"lines"`
	Hires       int    `yaml:"hires"`
	Assumptions int    `yaml:"assumptions"`
	Initiatives int    `yaml:"initiatives"`
	Ranges      int    `yaml:"ranges"`
	Sheets      struct {
		Instructions string `yaml:"instructions"`
		Plan         string `yaml:"plan"`
		Drivers      string `yaml:"drivers"`
		Headcount    string `yaml:"headcount"`
		Assumptions  string `yaml:"assumptions"`
		Initiatives  string `yaml:"initiatives"`
		Ranges       string `yaml:"ranges"`
		Lists        string `yaml:"lists"`
		Identity     string `yaml:"identity"`
	} `yaml:"sheets"`
	Colors struct {
		Input      string `yaml:"input"`
		Header     string `yaml:"header"`
		HeaderFont string `yaml:"header_font"`
		Total      string `yaml:"total"`
		Muted      string `yaml:"muted"`
	} `yaml:"colors"`
	Drivers      []DriverSpec `yaml:"drivers"`
	Instructions string       `yaml:"instructions"`
}

// DriverSpec describes one revenue driver row.
type DriverSpec struct {
	ID    string `yaml:"id"`
	Label string `yaml:"label"`
	// Unit is money, percent or months.
	Unit string `yaml:"unit"`
	Help string `yaml:"help"`
}

// DepartmentSpec returns the embedded department template's spec.
func DepartmentSpec() (*Spec, error) { return parseSpec(departmentYAML) }

func parseSpec(data []byte) (*Spec, error) {
	var s Spec
	if err := yaml.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("templates: department template: %w", err)
	}
	if s.ID == "" || s.Version < 1 || s.Lines < 1 || s.Hires < 1 || s.Assumptions < 1 || s.Initiatives < 1 || s.Ranges < 1 {
		return nil, fmt.Errorf("templates: department template: id, version, lines, hires, assumptions, initiatives and ranges are required")
	}
	return &s, nil
}
