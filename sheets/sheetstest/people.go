package sheetstest

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/api/sheets/v4"
)

// EditAs types values into a spreadsheet as the user email would in the
// Sheets UI: values are parsed as USER_ENTERED ("12%", "2026-01-31",
// "=SUM(B2:B9)"), protected cells the user may not edit are refused with
// Sheets' message, and strict data validation refuses invalid entries, as
// it does for typing (API writes skip validation, as in Sheets). Values are
// strings, numbers, booleans or nil (leave the cell alone); "" clears a
// cell. The errors are *googleapi.Error-shaped API errors as text.
func (s *Server) EditAs(email, spreadsheetID, a1 string, values [][]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &call{s: s, api: "sheets", method: "emulator.editAs", fileID: spreadsheetID,
		user: identity{Email: email, Project: s.projectOf(email)}}
	if _, err := c.change(func(f *file, ss *spreadsheetState) *apiError {
		_, err := c.writeValues(f, ss, a1, &sheets.ValueRange{Values: values}, writeOptions{userEntered: true, person: true})
		return err
	}); err != nil {
		return err
	}
	if s.opts.File != "" {
		return s.saveLocked()
	}
	return nil
}

// ReadAs returns the values of a range as the user email sees them in the
// UI (formatted, trailing empty rows and cells trimmed).
func (s *Server) ReadAs(email, spreadsheetID, a1 string) ([][]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &call{s: s, api: "sheets", method: "emulator.readAs", fileID: spreadsheetID,
		user: identity{Email: email, Project: s.projectOf(email)}}
	f, err := c.openSpreadsheet(false)
	if err != nil {
		return nil, err
	}
	r, err := resolveA1(f.Sheet, a1, true)
	if err != nil {
		return nil, err
	}
	return s.readRange(f.Sheet, r, readOptions{}.withDefaults()).Values, nil
}

// IsProtectedError reports whether err is Sheets' refusal of an edit to a
// protected cell.
func IsProtectedError(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Message == msgProtected
}

// sharedDriveRoles are the roles a shared drive's members can have.
var sharedDriveRoles = map[string]bool{"organizer": true, "fileOrganizer": true, "writer": true, "commenter": true, "reader": true}

// CreateSharedDrive creates a shared drive with members (email → role:
// organizer, fileOrganizer, writer, commenter or reader) and returns its
// id, which is also the id of its root folder: pass it as a parent to
// files.copy. Files in a shared drive belong to the drive, so nobody
// bypasses their protected ranges, and service accounts may create them.
func (s *Server) CreateSharedDrive(name string, members map[string]string) (string, error) {
	for m, r := range members {
		if !sharedDriveRoles[r] {
			return "", fmt.Errorf("sheetstest: member %s: %q is not a shared drive role", m, r)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.st.newDriveID()
	d := &sharedDrive{ID: id, Name: name, Members: map[string]string{}}
	for m, r := range members {
		d.Members[m] = r
	}
	s.st.Drives[id] = d
	now := s.now()
	s.st.Files[id] = &file{ID: id, Name: name, MimeType: mimeFolder, DriveID: id, Created: now, Modified: now}
	if s.opts.File != "" {
		if err := s.saveLocked(); err != nil {
			return "", err
		}
	}
	return id, nil
}

// AddDriveMember gives email a role in a shared drive (or changes it).
func (s *Server) AddDriveMember(driveID, email, role string) error {
	if !sharedDriveRoles[role] {
		return fmt.Errorf("sheetstest: %q is not a shared drive role", role)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.Drives[driveID]
	if d == nil {
		return fmt.Errorf("sheetstest: no shared drive %s", driveID)
	}
	d.Members[email] = role
	if s.opts.File != "" {
		return s.saveLocked()
	}
	return nil
}

// CreateSpreadsheetIn creates an empty spreadsheet (one sheet, Sheet1)
// directly, without the API and its quotas: in a shared drive or folder
// when parentID is set (owned by the drive, or by owner inside a My Drive
// folder), else in owner's My Drive. It is how tests and Seed make the
// master template a person would have made by hand.
func (s *Server) CreateSpreadsheetIn(owner, parentID, title string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	f := &file{ID: s.st.newFileID(), Name: title, MimeType: mimeSpreadsheet, Created: now, Modified: now}
	if parentID != "" {
		p := s.st.Files[parentID]
		if p == nil || p.MimeType != mimeFolder {
			return "", fmt.Errorf("sheetstest: no folder %s", parentID)
		}
		f.Parents = []string{parentID}
		f.DriveID = p.DriveID
	}
	if f.DriveID == "" {
		if owner == "" {
			return "", errors.New("sheetstest: a spreadsheet outside shared drives needs an owner")
		}
		f.Owner = owner
		f.Perms = []*permission{{ID: permissionID(strings.ToLower(owner)), Type: "user", Role: "owner", Email: owner}}
	}
	f.Sheet = newSpreadsheet(f.ID, title)
	s.st.Files[f.ID] = f
	if s.opts.File != "" {
		if err := s.saveLocked(); err != nil {
			return "", err
		}
	}
	return f.ID, nil
}

// SeedOptions describe the starting point Seed creates.
type SeedOptions struct {
	// ServiceAccount is the service account aop runs as; empty is
	// aop@aop-emulator.iam.gserviceaccount.com.
	ServiceAccount string
	// ServiceAccountRole is its role in the shared drive; empty is
	// organizer (it copies, shares and deletes department files).
	ServiceAccountRole string
	// DriveName names the shared drive; empty is "AOP".
	DriveName string
	// Members are further members of the shared drive (email → role).
	Members map[string]string
	// TemplateTitle is the title of the master template spreadsheet;
	// empty is "AOP master template".
	TemplateTitle string
	// KeyBaseURL is the base URL in the key's token_uri; empty is the
	// server's.
	KeyBaseURL string
}

// Seeded is what Seed created.
type Seeded struct {
	DriveID        string
	TemplateID     string
	ServiceAccount string
	// Key is the service account's JSON key file, trusted by the emulator.
	Key []byte
}

// Seed creates what aop needs to run against the emulator: a shared drive
// with the service account as a member, a master template spreadsheet in
// it, and a key file for the service account. A drive and template of the
// same names that already exist (a state file from an earlier run) are
// reused; the key is new each time.
func (s *Server) Seed(o SeedOptions) (Seeded, error) {
	if o.ServiceAccount == "" {
		o.ServiceAccount = "aop@aop-emulator" + serviceAccountSuffix
	}
	if o.ServiceAccountRole == "" {
		o.ServiceAccountRole = "organizer"
	}
	if o.DriveName == "" {
		o.DriveName = "AOP"
	}
	if o.TemplateTitle == "" {
		o.TemplateTitle = "AOP master template"
	}
	members := map[string]string{o.ServiceAccount: o.ServiceAccountRole}
	for m, r := range o.Members {
		members[m] = r
	}
	driveID, tid := s.findSeeded(o.DriveName, o.TemplateTitle)
	if driveID == "" {
		var err error
		if driveID, err = s.CreateSharedDrive(o.DriveName, members); err != nil {
			return Seeded{}, err
		}
	} else {
		for m, r := range members {
			if err := s.AddDriveMember(driveID, m, r); err != nil {
				return Seeded{}, err
			}
		}
	}
	if tid == "" {
		var err error
		if tid, err = s.CreateSpreadsheetIn("", driveID, o.TemplateTitle); err != nil {
			return Seeded{}, err
		}
	}
	key, err := s.ServiceAccountKey(o.ServiceAccount, o.KeyBaseURL)
	if err != nil {
		return Seeded{}, err
	}
	return Seeded{DriveID: driveID, TemplateID: tid, ServiceAccount: o.ServiceAccount, Key: key}, nil
}

// findSeeded finds a shared drive by name and a spreadsheet in its root by
// title.
func (s *Server) findSeeded(driveName, title string) (driveID, templateID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, d := range s.st.Drives {
		if d.Name == driveName && (driveID == "" || id < driveID) {
			driveID = id
		}
	}
	if driveID == "" {
		return "", ""
	}
	for id, f := range s.st.Files {
		if f.Sheet != nil && !f.Trashed && f.Name == title && slices.Contains(f.Parents, driveID) && (templateID == "" || id < templateID) {
			templateID = id
		}
	}
	return driveID, templateID
}
