package sheetstest

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/drive/v3"
)

// routeDrive maps a request under /drive/v3/ to its method.
func (s *Server) routeDrive(c *call, verb, rest string) *apiError {
	notFound := func() *apiError {
		return driveError(404, "notFound", "Method not found.", "")
	}
	set := func(method string, h func(*call) (any, *apiError)) *apiError {
		c.method, c.handler = method, h
		return nil
	}
	parts := strings.Split(rest, "/")
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return notFound()
		}
		parts[i] = u
	}
	switch {
	case len(parts) == 1 && parts[0] == "files":
		switch verb {
		case "GET":
			return set("drive.files.list", (*call).filesList)
		case "POST":
			return set("drive.files.create", (*call).filesCreate)
		}
	case len(parts) == 2 && parts[0] == "files":
		c.fileID = parts[1]
		switch verb {
		case "GET":
			return set("drive.files.get", (*call).filesGet)
		case "DELETE":
			return set("drive.files.delete", (*call).filesDelete)
		case "PATCH":
			return set("drive.files.update", (*call).filesUpdate)
		}
	case len(parts) == 3 && parts[0] == "files" && parts[2] == "copy" && verb == "POST":
		c.fileID = parts[1]
		return set("drive.files.copy", (*call).filesCopy)
	case len(parts) == 3 && parts[0] == "files" && parts[2] == "permissions":
		c.fileID = parts[1]
		switch verb {
		case "GET":
			return set("drive.permissions.list", (*call).permissionsList)
		case "POST":
			return set("drive.permissions.create", (*call).permissionsCreate)
		}
	case len(parts) == 4 && parts[0] == "files" && parts[2] == "permissions":
		c.fileID, c.pathArgs = parts[1], []string{parts[3]}
		switch verb {
		case "GET":
			return set("drive.permissions.get", (*call).permissionsGet)
		case "DELETE":
			return set("drive.permissions.delete", (*call).permissionsDelete)
		}
	case len(parts) == 1 && parts[0] == "drives" && verb == "GET":
		return set("drive.drives.list", (*call).drivesList)
	case len(parts) == 2 && parts[0] == "drives" && verb == "GET":
		c.pathArgs = []string{parts[1]}
		return set("drive.drives.get", (*call).drivesGet)
	}
	return notFound()
}

// driveDefaultFields are the fields Drive v3 returns when the request
// names none.
func driveDefaultFields(method string) string {
	switch method {
	case "drive.files.get", "drive.files.copy", "drive.files.create", "drive.files.update":
		return "kind,id,name,mimeType"
	case "drive.files.list":
		return "kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)"
	case "drive.permissions.create", "drive.permissions.get":
		return "kind,id,type,role"
	case "drive.permissions.list":
		return "kind,nextPageToken,permissions(kind,id,type,role)"
	case "drive.drives.get":
		return "kind,id,name"
	case "drive.drives.list":
		return "kind,nextPageToken,drives(kind,id,name)"
	}
	return ""
}

func (c *call) boolParam(name string) bool { return c.query.Get(name) == "true" }

func (c *call) supportsAllDrives() bool {
	return c.boolParam("supportsAllDrives") || c.boolParam("supportsTeamDrives")
}

// driveFile finds a file the caller can see: it exists, the caller has a
// role on it, and shared-drive items are asked for with supportsAllDrives.
func (c *call) driveFile(id string) (*file, string, *apiError) {
	f := c.s.st.Files[id]
	if f == nil {
		return nil, "", driveNotFound(id)
	}
	if f.DriveID != "" && !c.supportsAllDrives() {
		return nil, "", driveNotFound(id)
	}
	role := c.s.roleOf(c.user.Email, f)
	if role == "" {
		return nil, "", driveNotFound(id)
	}
	return f, role, nil
}

// fileJSON is a file's full Drive resource; the fields mask prunes it.
func (s *Server) fileJSON(c *call, f *file) map[string]any {
	role := s.roleOf(c.user.Email, f)
	m := map[string]any{
		"kind":         "drive#file",
		"id":           f.ID,
		"name":         f.Name,
		"mimeType":     f.MimeType,
		"trashed":      f.Trashed,
		"createdTime":  f.Created.UTC().Format(time.RFC3339Nano),
		"modifiedTime": f.Modified.UTC().Format(time.RFC3339Nano),
		"webViewLink":  webViewLink(f),
		"capabilities": map[string]any{
			"canEdit":          canWrite(role),
			"canShare":         canWrite(role),
			"canCopy":          role != "",
			"canDelete":        s.canDelete(c.user.Email, f),
			"canAddChildren":   f.MimeType == mimeFolder && canWrite(role),
			"canModifyContent": canWrite(role),
		},
		"shared": len(f.Perms) > 1,
	}
	if f.MimeType == mimeFolder && f.DriveID != "" && f.ID == f.DriveID {
		m["driveId"] = f.DriveID
	}
	parents := f.Parents
	if len(parents) == 0 && f.Owner != "" && f.DriveID == "" {
		parents = []string{rootFolderID(f.Owner)}
	}
	if len(parents) > 0 {
		m["parents"] = parents
	}
	if f.DriveID != "" {
		m["driveId"] = f.DriveID
		m["teamDriveId"] = f.DriveID
	} else if f.Owner != "" {
		m["owners"] = []any{map[string]any{"kind": "drive#user", "emailAddress": f.Owner, "displayName": f.Owner, "me": strings.EqualFold(f.Owner, c.user.Email), "permissionId": permissionID(f.Owner)}}
		m["ownedByMe"] = strings.EqualFold(f.Owner, c.user.Email)
	}
	if canWrite(role) {
		var perms []any
		for _, p := range s.filePermissions(f) {
			perms = append(perms, permissionJSON(p))
		}
		m["permissions"] = perms
		var ids []any
		for _, p := range s.filePermissions(f) {
			ids = append(ids, p.ID)
		}
		m["permissionIds"] = ids
	}
	return m
}

func webViewLink(f *file) string {
	switch f.MimeType {
	case mimeSpreadsheet:
		return "https://docs.google.com/spreadsheets/d/" + f.ID + "/edit?usp=drivesdk"
	case mimeFolder:
		return "https://drive.google.com/drive/folders/" + f.ID
	}
	return "https://drive.google.com/file/d/" + f.ID + "/view?usp=drivesdk"
}

// rootFolderID is the id of a user's My Drive root folder.
func rootFolderID(email string) string {
	return "0AMyDrive" + permissionID(strings.ToLower(email))
}

func permissionJSON(p *permission) map[string]any {
	m := map[string]any{"kind": "drive#permission", "id": p.ID, "type": p.Type, "role": p.Role}
	if p.Email != "" {
		m["emailAddress"] = p.Email
		m["displayName"] = p.Email
	}
	if p.Domain != "" {
		m["domain"] = p.Domain
	}
	return m
}

// filePermissions lists a file's own permissions plus, in a shared drive,
// the drive's members (inherited).
func (s *Server) filePermissions(f *file) []*permission {
	out := slices.Clone(f.Perms)
	if f.DriveID != "" {
		if d := s.st.Drives[f.DriveID]; d != nil {
			members := make([]string, 0, len(d.Members))
			for m := range d.Members {
				members = append(members, m)
			}
			sort.Strings(members)
			for _, m := range members {
				if f.permFor(m) == nil {
					out = append(out, &permission{ID: permissionID(strings.ToLower(m)), Type: "user", Role: d.Members[m], Email: m})
				}
			}
		}
	}
	return out
}

func (s *Server) canDelete(email string, f *file) bool {
	if f.DriveID != "" {
		return roleRank[s.roleOf(email, f)] >= roleRank["organizer"]
	}
	return strings.EqualFold(f.Owner, email)
}

func (c *call) filesGet() (any, *apiError) {
	f, _, err := c.driveFile(c.fileID)
	if err != nil {
		return nil, err
	}
	return c.s.fileJSON(c, f), nil
}

// placeNewFile decides where a new file (a copy or a create) goes and who
// owns it: in a shared-drive folder the drive owns it; elsewhere the
// caller does, which service accounts cannot (they have no storage).
func (c *call) placeNewFile(parents []string) (owner, driveID string, outParents []string, aerr *apiError) {
	if len(parents) > 1 {
		return "", "", nil, driveError(403, "cannotAddParent", "Increasing the number of parents is not allowed.", "")
	}
	if len(parents) == 1 && parents[0] != "root" && parents[0] != rootFolderID(c.user.Email) {
		pf, role, err := c.driveFile(parents[0])
		if err != nil {
			return "", "", nil, err
		}
		if pf.MimeType != mimeFolder {
			return "", "", nil, driveError(400, "invalidParent", fmt.Sprintf("The specified parent is not a folder: %s.", parents[0]), "")
		}
		if !canWrite(role) {
			return "", "", nil, driveError(403, "insufficientParentPermissions", "Insufficient permissions for the specified parent.", "")
		}
		if pf.DriveID != "" {
			return "", pf.DriveID, []string{pf.ID}, nil
		}
		outParents = []string{pf.ID}
	}
	if isServiceAccount(c.user.Email) && !c.s.opts.AllowServiceAccountCreate {
		return "", "", nil, driveError(403, "storageQuotaExceeded", msgSANoQuota, "")
	}
	return c.user.Email, "", outParents, nil
}

func (c *call) filesCopy() (any, *apiError) {
	var req drive.File
	if err := c.decodeBody(&req); err != nil {
		return nil, asDriveError(err)
	}
	src, _, err := c.driveFile(c.fileID)
	if err != nil {
		return nil, err
	}
	if src.MimeType == mimeFolder {
		return nil, driveError(403, "fileNotCopyable", "This file cannot be copied by the user.", "")
	}
	owner, driveID, parents, err := c.placeNewFile(req.Parents)
	if err != nil {
		return nil, err
	}
	st := c.s.st
	now := c.s.now()
	nf := &file{
		ID: st.newFileID(), Name: req.Name, MimeType: src.MimeType, Parents: parents,
		Owner: owner, DriveID: driveID, Created: now, Modified: now,
	}
	if nf.Name == "" {
		nf.Name = "Copy of " + src.Name
	}
	if owner != "" {
		nf.Perms = []*permission{{ID: permissionID(strings.ToLower(owner)), Type: "user", Role: "owner", Email: owner}}
	}
	if src.Sheet != nil {
		ss := src.Sheet.clone()
		ss.ID = nf.ID
		ss.Props.Title = nf.Name
		ss.touch()
		nf.Sheet = ss
	}
	st.Files[nf.ID] = nf
	c.changed = true
	c.fileID = nf.ID
	return c.s.fileJSON(c, nf), nil
}

func (c *call) filesCreate() (any, *apiError) {
	var req drive.File
	if err := c.decodeBody(&req); err != nil {
		return nil, asDriveError(err)
	}
	switch req.MimeType {
	case mimeFolder, mimeSpreadsheet:
	default:
		return nil, driveInvalid("mimeType", "The emulator creates only folders and spreadsheets.")
	}
	owner, driveID, parents, err := c.placeNewFile(req.Parents)
	if err != nil {
		return nil, err
	}
	st := c.s.st
	now := c.s.now()
	nf := &file{ID: st.newFileID(), Name: req.Name, MimeType: req.MimeType, Parents: parents,
		Owner: owner, DriveID: driveID, Created: now, Modified: now}
	if nf.Name == "" {
		nf.Name = "Untitled"
	}
	if owner != "" {
		nf.Perms = []*permission{{ID: permissionID(strings.ToLower(owner)), Type: "user", Role: "owner", Email: owner}}
	}
	if req.MimeType == mimeSpreadsheet {
		nf.Sheet = newSpreadsheet(nf.ID, nf.Name)
	}
	st.Files[nf.ID] = nf
	c.changed = true
	c.fileID = nf.ID
	return c.s.fileJSON(c, nf), nil
}

func (c *call) filesUpdate() (any, *apiError) {
	var req drive.File
	if err := c.decodeBody(&req); err != nil {
		return nil, asDriveError(err)
	}
	f, role, err := c.driveFile(c.fileID)
	if err != nil {
		return nil, err
	}
	if !canWrite(role) {
		return nil, driveNoPermission(f.ID)
	}
	if req.Name != "" {
		f.Name = req.Name
		if f.Sheet != nil {
			ss := f.Sheet.clone()
			ss.Props.Title = req.Name
			f.Sheet = ss
		}
	}
	if req.Trashed {
		f.Trashed = true
	}
	if add := c.query.Get("addParents"); add != "" {
		_, _, parents, perr := c.placeNewFile([]string{add})
		if perr != nil && !isServiceAccount(c.user.Email) {
			return nil, perr
		}
		if parents != nil {
			f.Parents = parents
		}
	}
	if rm := c.query.Get("removeParents"); rm != "" {
		f.Parents = slices.DeleteFunc(f.Parents, func(p string) bool { return p == rm })
	}
	f.Modified = c.s.now()
	c.changed = true
	return c.s.fileJSON(c, f), nil
}

func (c *call) filesDelete() (any, *apiError) {
	f, _, err := c.driveFile(c.fileID)
	if err != nil {
		return nil, err
	}
	if !c.s.canDelete(c.user.Email, f) {
		return nil, driveNoPermission(f.ID)
	}
	if f.DriveID != "" && f.ID == f.DriveID {
		return nil, driveError(403, "cannotDeleteRootFolder", "A shared drive's root folder cannot be deleted with files.delete.", "")
	}
	var remove func(id string)
	remove = func(id string) {
		delete(c.s.st.Files, id)
		for cid, cf := range c.s.st.Files {
			if slices.Contains(cf.Parents, id) {
				remove(cid)
			}
		}
	}
	remove(f.ID)
	c.changed = true
	return nil, nil
}

func (c *call) filesList() (any, *apiError) {
	q, err := parseDriveQuery(c.query.Get("q"))
	if err != nil {
		return nil, driveInvalid("q", "Invalid Value")
	}
	allDrives := c.boolParam("includeItemsFromAllDrives") || c.boolParam("includeTeamDriveItems")
	if allDrives && !c.supportsAllDrives() {
		return nil, driveError(403, "teamDrivesSupportRequired", "The includeItemsFromAllDrives parameter can only be set to true when supportsAllDrives is also set to true.", "")
	}
	corpora, driveID := c.query.Get("corpora"), c.query.Get("driveId")
	if corpora == "drive" && driveID == "" {
		return nil, driveInvalid("driveId", "The driveId parameter must be specified if and only if corpora is set to drive.")
	}
	var matched []*file
	for _, f := range c.s.st.Files {
		if f.DriveID != "" && !allDrives {
			continue
		}
		if driveID != "" && f.DriveID != driveID {
			continue
		}
		if f.DriveID != "" && f.ID == f.DriveID {
			continue // a shared drive's root is not a file
		}
		if c.s.roleOf(c.user.Email, f) == "" {
			continue
		}
		if q != nil && !q.match(c, f) {
			continue
		}
		matched = append(matched, f)
	}
	sort.Slice(matched, func(i, j int) bool {
		if matched[i].Name != matched[j].Name {
			return matched[i].Name < matched[j].Name
		}
		return matched[i].ID < matched[j].ID
	})
	size := 100
	if ps := c.query.Get("pageSize"); ps != "" {
		n, perr := strconv.Atoi(ps)
		if perr != nil || n < 1 || n > 1000 {
			return nil, driveInvalid("pageSize", "Invalid Value")
		}
		size = n
	}
	start := 0
	if tok := c.query.Get("pageToken"); tok != "" {
		n, perr := strconv.Atoi(strings.TrimPrefix(tok, "p"))
		if perr != nil || n < 0 || n > len(matched) {
			return nil, driveInvalid("pageToken", "Invalid Value")
		}
		start = n
	}
	end := min(start+size, len(matched))
	files := []any{}
	for _, f := range matched[start:end] {
		files = append(files, c.s.fileJSON(c, f))
	}
	out := map[string]any{"kind": "drive#fileList", "incompleteSearch": false, "files": files}
	if end < len(matched) {
		out["nextPageToken"] = "p" + strconv.Itoa(end)
	}
	return out, nil
}

func (c *call) permissionsList() (any, *apiError) {
	f, _, err := c.driveFile(c.fileID)
	if err != nil {
		return nil, err
	}
	perms := []any{}
	for _, p := range c.s.filePermissions(f) {
		perms = append(perms, permissionJSON(p))
	}
	return map[string]any{"kind": "drive#permissionList", "permissions": perms}, nil
}

func (c *call) permissionsGet() (any, *apiError) {
	f, _, err := c.driveFile(c.fileID)
	if err != nil {
		return nil, err
	}
	for _, p := range c.s.filePermissions(f) {
		if p.ID == c.pathArgs[0] {
			return permissionJSON(p), nil
		}
	}
	return nil, driveError(404, "notFound", fmt.Sprintf("Permission not found: %s.", c.pathArgs[0]), "permissionId")
}

// permissionsCreate shares a file. Writers may share (Drive's default);
// readers and commenters may not. Sharing again with the same user
// changes the role.
func (c *call) permissionsCreate() (any, *apiError) {
	var req drive.Permission
	if err := c.decodeBody(&req); err != nil {
		return nil, asDriveError(err)
	}
	f, role, err := c.driveFile(c.fileID)
	if err != nil {
		return nil, err
	}
	if !canWrite(role) {
		return nil, driveError(403, "insufficientFilePermissions",
			fmt.Sprintf("The user does not have sufficient permissions for file %s.", f.ID), "")
	}
	if _, ok := roleRank[req.Role]; !ok {
		return nil, driveInvalid("permission.role", "The permission role field is required.")
	}
	switch req.Role {
	case "owner":
		if !c.boolParam("transferOwnership") || f.DriveID != "" {
			return nil, driveError(403, "consentRequiredForOwnershipTransfer", "Consent is required to transfer ownership of a file to another user.", "")
		}
	case "organizer", "fileOrganizer":
		if f.DriveID == "" {
			return nil, driveError(400, "invalidSharingRequest", "Bad Request. User message: \"This role is only valid for items in a shared drive.\"", "")
		}
	}
	p := &permission{Type: req.Type, Role: req.Role}
	switch req.Type {
	case "user", "group":
		if req.EmailAddress == "" || !strings.Contains(req.EmailAddress, "@") {
			return nil, driveError(400, "invalidSharingRequest", "Bad Request. User message: \"You must specify an email address.\"", "")
		}
		p.Email = req.EmailAddress
		p.ID = permissionID(strings.ToLower(req.EmailAddress))
	case "domain":
		if req.Domain == "" {
			return nil, driveInvalid("permission.domain", "The domain field is required.")
		}
		p.Domain = req.Domain
		p.ID = permissionID("domain:" + strings.ToLower(req.Domain))
	case "anyone":
		p.ID = "anyoneWithLink"
	default:
		return nil, driveInvalid("permission.type", "The permission type field is required.")
	}
	if req.Role == "owner" {
		for _, o := range f.Perms {
			if o.Role == "owner" {
				o.Role = "writer"
			}
		}
		f.Owner = p.Email
	}
	for _, o := range f.Perms {
		if o.ID == p.ID {
			o.Role = p.Role
			c.changed = true
			return permissionJSON(o), nil
		}
	}
	f.Perms = append(f.Perms, p)
	c.changed = true
	return permissionJSON(p), nil
}

func (c *call) permissionsDelete() (any, *apiError) {
	f, role, err := c.driveFile(c.fileID)
	if err != nil {
		return nil, err
	}
	if !canWrite(role) {
		return nil, driveNoPermission(f.ID)
	}
	for i, p := range f.Perms {
		if p.ID == c.pathArgs[0] {
			if p.Role == "owner" {
				return nil, driveError(403, "cannotRemoveOwner", "The owner of a file cannot be removed.", "")
			}
			f.Perms = slices.Delete(f.Perms, i, i+1)
			c.changed = true
			return nil, nil
		}
	}
	return nil, driveError(404, "notFound", fmt.Sprintf("Permission not found: %s.", c.pathArgs[0]), "permissionId")
}

func (c *call) drivesList() (any, *apiError) {
	out := []any{}
	ids := make([]string, 0, len(c.s.st.Drives))
	for id := range c.s.st.Drives {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		d := c.s.st.Drives[id]
		for m := range d.Members {
			if strings.EqualFold(m, c.user.Email) {
				out = append(out, map[string]any{"kind": "drive#drive", "id": d.ID, "name": d.Name})
				break
			}
		}
	}
	return map[string]any{"kind": "drive#driveList", "drives": out}, nil
}

func (c *call) drivesGet() (any, *apiError) {
	d := c.s.st.Drives[c.pathArgs[0]]
	if d != nil {
		for m := range d.Members {
			if strings.EqualFold(m, c.user.Email) {
				return map[string]any{"kind": "drive#drive", "id": d.ID, "name": d.Name}, nil
			}
		}
	}
	return nil, driveError(404, "notFound", fmt.Sprintf("Shared drive not found: %s", c.pathArgs[0]), "driveId")
}

// asDriveError turns a body validation error into Drive's legacy shape.
func asDriveError(e *apiError) *apiError {
	return driveError(e.Code, "badRequest", e.Message, "")
}

// driveQuery is a parsed files.list q expression.
type driveQuery struct {
	op       string // "and", "or", "not", "parents", "cmp"
	kids     []*driveQuery
	field    string
	cmp      string
	value    string
	boolean  bool
	isBool   bool
	parentID string
}

// parseDriveQuery parses the subset of Drive's query language aop uses:
// '<id>' in parents, name = '...', name contains '...', mimeType = '...',
// trashed = true|false, joined by and/or, with not and parentheses.
func parseDriveQuery(q string) (*driveQuery, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	p := &queryParser{s: q}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q", p.s[p.i:])
	}
	return e, nil
}

type queryParser struct {
	s     string
	i     int
	depth int
}

func (p *queryParser) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *queryParser) word() string {
	p.skip()
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z' {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

func (p *queryParser) keyword(k string) bool {
	save := p.i
	if w := p.word(); strings.EqualFold(w, k) {
		return true
	}
	p.i = save
	return false
}

func (p *queryParser) or() (*driveQuery, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 50 {
		return nil, fmt.Errorf("too deep")
	}
	return p.chain("or", p.and)
}

func (p *queryParser) and() (*driveQuery, error) { return p.chain("and", p.term) }

// chain parses operands from next joined by a keyword ("and", "or"), left
// to right.
func (p *queryParser) chain(keyword string, next func() (*driveQuery, error)) (*driveQuery, error) {
	left, err := next()
	if err != nil {
		return nil, err
	}
	for p.keyword(keyword) {
		right, err := next()
		if err != nil {
			return nil, err
		}
		left = &driveQuery{op: keyword, kids: []*driveQuery{left, right}}
	}
	return left, nil
}

func (p *queryParser) str() (string, bool) {
	p.skip()
	if p.i >= len(p.s) || p.s[p.i] != '\'' {
		return "", false
	}
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		c := p.s[p.i]
		switch c {
		case '\\':
			if p.i+1 < len(p.s) {
				p.i++
				b.WriteByte(p.s[p.i])
			}
		case '\'':
			p.i++
			return b.String(), true
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

func (p *queryParser) term() (*driveQuery, error) {
	p.skip()
	if p.keyword("not") {
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		return &driveQuery{op: "not", kids: []*driveQuery{t}}, nil
	}
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		p.skip()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, fmt.Errorf("missing )")
		}
		p.i++
		return e, nil
	}
	if s, ok := p.str(); ok {
		if !p.keyword("in") || !p.keyword("parents") {
			return nil, fmt.Errorf("only 'id' in parents is supported")
		}
		return &driveQuery{op: "parents", parentID: s}, nil
	}
	field := p.word()
	switch field {
	case "name", "mimeType", "trashed", "fullText":
	default:
		return nil, fmt.Errorf("unsupported field %q", field)
	}
	p.skip()
	var cmp string
	switch {
	case strings.HasPrefix(p.s[p.i:], "!="):
		cmp, p.i = "!=", p.i+2
	case strings.HasPrefix(p.s[p.i:], "="):
		cmp, p.i = "=", p.i+1
	case p.keyword("contains"):
		cmp = "contains"
	default:
		return nil, fmt.Errorf("bad operator")
	}
	q := &driveQuery{op: "cmp", field: field, cmp: cmp}
	if field == "trashed" {
		switch {
		case p.keyword("true"):
			q.boolean = true
		case p.keyword("false"):
		default:
			return nil, fmt.Errorf("trashed takes true or false")
		}
		q.isBool = true
		if cmp == "contains" {
			return nil, fmt.Errorf("bad operator")
		}
		return q, nil
	}
	s, ok := p.str()
	if !ok {
		return nil, fmt.Errorf("want a string")
	}
	q.value = s
	return q, nil
}

func (q *driveQuery) match(c *call, f *file) bool {
	switch q.op {
	case "and":
		return q.kids[0].match(c, f) && q.kids[1].match(c, f)
	case "or":
		return q.kids[0].match(c, f) || q.kids[1].match(c, f)
	case "not":
		return !q.kids[0].match(c, f)
	case "parents":
		id := q.parentID
		if id == "root" {
			id = rootFolderID(c.user.Email)
		}
		if len(f.Parents) == 0 && f.Owner != "" && f.DriveID == "" {
			return id == rootFolderID(f.Owner)
		}
		return slices.Contains(f.Parents, id)
	}
	var got string
	switch q.field {
	case "name", "fullText":
		got = f.Name
	case "mimeType":
		got = f.MimeType
	case "trashed":
		eq := f.Trashed == q.boolean
		if q.cmp == "!=" {
			return !eq
		}
		return eq
	}
	switch q.cmp {
	case "=":
		return got == q.value
	case "!=":
		return got != q.value
	}
	return strings.Contains(strings.ToLower(got), strings.ToLower(q.value))
}
