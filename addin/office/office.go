// Package office holds the Excel add-in (its manifest, task pane, ribbon
// commands, scripts and icons) embedded, so that aop serves it from its
// own origin and the add-in's calls to the API need no CORS.
package office

import (
	"crypto/sha256"
	"embed"
	"encoding/xml"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed manifest.xml taskpane.html commands.html *.js *.css icons/*.png
var files embed.FS

// Files are the add-in's files as aop serves them under /addin/excel/
// (the manifest is served by Manifest, with the public URL filled in).
func Files() fs.FS { return files }

// placeholder is the public URL the manifest in the repository names.
const placeholder = "https://aop.example.com"

// templateID is the add-in id the manifest in the repository carries.
const templateID = "5a0c3f3e-6d1b-4c1e-9a57-0a0b0c0d0e0f"

// Manifest returns the add-in's manifest for a service reached at
// publicURL: every URL in it under publicURL, and an add-in id derived
// from publicURL, so that two aop services (staging and production, say)
// are two add-ins to Office.
func Manifest(publicURL string) ([]byte, error) {
	data, err := files.ReadFile("manifest.xml")
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(publicURL, "/")
	var esc strings.Builder
	if err := xml.EscapeText(&esc, []byte(base)); err != nil {
		return nil, err
	}
	s := strings.ReplaceAll(string(data), placeholder, esc.String())
	s = strings.Replace(s, "<Id>"+templateID+"</Id>", "<Id>"+addinID(base)+"</Id>", 1)
	return []byte(s), nil
}

// addinID is a version 4 style GUID made from a hash of the public URL.
func addinID(base string) string {
	h := sha256.Sum256([]byte("aop excel add-in\n" + base))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
