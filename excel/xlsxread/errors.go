package xlsxread

import (
	"errors"
	"fmt"
)

// Problem classifies why a file could not be read, so that callers can
// react (and tell the person who uploaded it what to do) without parsing
// error text. Its value is a stable snake_case code, fit for JSON.
type Problem string

const (
	// NotXLSX means the file is not an .xlsx package at all: empty, a PDF,
	// a CSV, an OpenDocument file, or a zip without a workbook in it.
	NotXLSX Problem = "not_xlsx"
	// Encrypted means the workbook is protected by a password to open
	// (Excel then stores it in an encrypted OLE container, not a zip).
	Encrypted Problem = "encrypted"
	// LegacyFormat means an OLE/CFB binary file such as an Excel 97-2003
	// .xls that was not encrypted.
	LegacyFormat Problem = "legacy_format"
	// Damaged means the package is truncated or corrupt: a zip that cannot
	// be opened, or a part whose data fails to inflate or to match its
	// checksum.
	Damaged Problem = "damaged"
	// TooLarge means a limit was reached: file, part or total size,
	// compression ratio, number of zip entries, cells or shared strings.
	TooLarge Problem = "too_large"
	// Unsupported means a well-formed file in a variant this reader does
	// not handle, such as an .xlsb binary workbook or an unknown
	// compression method.
	Unsupported Problem = "unsupported"
	// Malformed means an XML part breaks the rules of XML or of the
	// spreadsheet format (including any DOCTYPE or ENTITY declaration,
	// which are refused outright).
	Malformed Problem = "malformed"
)

// advice is what a person who uploaded the file should do about a problem.
func (p Problem) advice() string {
	switch p {
	case NotXLSX:
		return "the file is not an Excel workbook (.xlsx); open it in Excel, choose File > Save As > Excel Workbook (.xlsx) and upload the new file"
	case Encrypted:
		return "the file is password-protected; remove the password in Excel (File > Info > Protect Workbook > Encrypt with Password, then clear the password), save, and upload it again"
	case LegacyFormat:
		return "the file is in the old Excel 97-2003 (.xls) or another binary format; open it in Excel, choose File > Save As > Excel Workbook (.xlsx) and upload the new file"
	case Damaged:
		return "the file is damaged or incomplete (perhaps a download or upload was cut short); open it in Excel, save it again and upload the new copy"
	case TooLarge:
		return "the file is too large to process; remove sheets, rows or pictures that are not needed and upload it again"
	case Unsupported:
		return "the file uses a variant of the Excel format that cannot be read here; open it in Excel, choose File > Save As > Excel Workbook (.xlsx) and upload the new file"
	case Malformed:
		return "the file is not a valid Excel workbook; open it in Excel, save it again and upload the new copy"
	default:
		return "the file cannot be read"
	}
}

// FileError reports why a file could not be read. Error gives a sentence a
// non-specialist can act on, followed in parentheses by the technical
// detail (the part concerned and the underlying error) for support staff.
type FileError struct {
	// Problem classifies the failure.
	Problem Problem
	// Part is the zip entry concerned, e.g. "xl/worksheets/sheet1.xml", or
	// empty when the problem concerns the whole file.
	Part string
	// Err is the underlying detail; it may be nil.
	Err error
}

// Error returns the advice for the problem followed by the detail.
func (e *FileError) Error() string {
	msg := e.Problem.advice()
	switch {
	case e.Part != "" && e.Err != nil:
		return msg + " (" + e.Part + ": " + e.Err.Error() + ")"
	case e.Part != "":
		return msg + " (" + e.Part + ")"
	case e.Err != nil:
		return msg + " (" + e.Err.Error() + ")"
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// fail builds a *FileError with a formatted detail.
func fail(p Problem, part, format string, args ...any) *FileError {
	return &FileError{Problem: p, Part: part, Err: fmt.Errorf(format, args...)}
}

// ErrDTD is the detail of a Malformed error for a part that declares a
// DOCTYPE or entities, which the reader refuses so that no entity is ever
// expanded.
var ErrDTD = errors.New("the part declares a DOCTYPE or entities, which spreadsheet files never do")
