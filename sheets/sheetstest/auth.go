package sheetstest

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// identity is who sends a request.
type identity struct {
	Email string
	// Project is the Cloud project the request counts against.
	Project string
}

// serviceAccountSuffix ends the email of every Google service account.
const serviceAccountSuffix = ".iam.gserviceaccount.com"

func isServiceAccount(email string) bool {
	return strings.HasSuffix(strings.ToLower(email), serviceAccountSuffix)
}

// projectOf is the Cloud project of an identity: a service account's is in
// its email (name@PROJECT.iam.gserviceaccount.com).
func (s *Server) projectOf(email string) string {
	if isServiceAccount(email) {
		_, dom, _ := strings.Cut(email, "@")
		return strings.TrimSuffix(strings.ToLower(dom), serviceAccountSuffix)
	}
	return s.opts.DefaultProject
}

// issuedKey is the public half of a service-account key the emulator made.
type issuedKey struct {
	Email     string `json:"email"`
	PublicPEM string `json:"publicKey"`
	pub       *rsa.PublicKey
}

func (k *issuedKey) publicKey() (*rsa.PublicKey, error) {
	if k.pub != nil {
		return k.pub, nil
	}
	blk, _ := pem.Decode([]byte(k.PublicPEM))
	if blk == nil {
		return nil, fmt.Errorf("sheetstest: bad public key for %s", k.Email)
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("sheetstest: key for %s is not RSA", k.Email)
	}
	k.pub = rk
	return rk, nil
}

// TokenFor returns an opaque access token that authenticates requests as
// email: a department head, finance, or a service account. Tokens do not
// expire.
func (s *Server) TokenFor(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenForLocked(email)
}

func (s *Server) tokenForLocked(email string) string {
	e := base64.RawURLEncoding.EncodeToString([]byte(email))
	return "ya29.emu." + e + "." + s.tokenMAC(e)
}

func (s *Server) tokenMAC(payload string) string {
	m := hmac.New(sha256.New, s.st.Secret)
	_, _ = m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:22]
}

// ServiceAccountKey generates a service-account JSON key file for email
// (which must end in .iam.gserviceaccount.com) that the emulator trusts:
// type service_account, client_email, private_key, private_key_id and
// token_uri = baseURL + "/token" (the emulator's base URL when baseURL is
// empty). Both ways Google's libraries authenticate with such a key work:
// the JWT-bearer grant at token_uri and self-signed JWT access tokens.
func (s *Server) ServiceAccountKey(email, baseURL string) ([]byte, error) {
	if !isServiceAccount(email) {
		return nil, fmt.Errorf("sheetstest: %q is not a service account email (want name@project%s)", email, serviceAccountSuffix)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	kidBytes := make([]byte, 20)
	if _, err := rand.Read(kidBytes); err != nil {
		return nil, err
	}
	kid := fmt.Sprintf("%x", kidBytes)
	s.mu.Lock()
	if baseURL == "" {
		baseURL = s.opts.BaseURL
	}
	s.st.Keys[kid] = &issuedKey{
		Email:     email,
		PublicPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})),
		pub:       &key.PublicKey,
	}
	var saveErr error
	if s.opts.File != "" {
		saveErr = s.saveLocked()
	}
	s.mu.Unlock()
	if saveErr != nil {
		return nil, saveErr
	}
	baseURL = strings.TrimRight(baseURL, "/")
	name, _, _ := strings.Cut(email, "@")
	return json.MarshalIndent(map[string]string{
		"type":                        "service_account",
		"project_id":                  s.projectOf(email),
		"private_key_id":              kid,
		"private_key":                 string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":                email,
		"client_id":                   projectNumber(email),
		"auth_uri":                    baseURL + "/o/oauth2/auth",
		"token_uri":                   baseURL + "/token",
		"auth_provider_x509_cert_url": baseURL + "/oauth2/v1/certs",
		"client_x509_cert_url":        baseURL + "/robot/v1/metadata/x509/" + url.PathEscape(name),
		"universe_domain":             "googleapis.com",
	}, "", "  ")
}

// jwtClaims are the claims of the JWTs Google's libraries send.
type jwtClaims struct {
	Iss   string `json:"iss"`
	Sub   string `json:"sub"`
	Aud   string `json:"aud"`
	Scope string `json:"scope"`
	Iat   int64  `json:"iat"`
	Exp   int64  `json:"exp"`
}

// verifyJWT checks an RS256 JWT signed by a key the emulator issued and
// returns its claims and the key's service account.
func (s *Server) verifyJWT(tok string) (jwtClaims, string, error) {
	var c jwtClaims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, "", fmt.Errorf("not a JWT")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return c, "", fmt.Errorf("bad JWT header")
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(hb, &hdr); err != nil || hdr.Alg != "RS256" {
		return c, "", fmt.Errorf("JWT is not RS256")
	}
	key := s.st.Keys[hdr.Kid]
	if key == nil {
		return c, "", fmt.Errorf("unknown key id %q", hdr.Kid)
	}
	pub, err := key.publicKey()
	if err != nil {
		return c, "", err
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return c, "", fmt.Errorf("bad JWT signature")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return c, "", fmt.Errorf("JWT signature does not verify")
	}
	cb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, "", fmt.Errorf("bad JWT claims")
	}
	if err := json.Unmarshal(cb, &c); err != nil {
		return c, "", fmt.Errorf("bad JWT claims")
	}
	if !strings.EqualFold(c.Iss, key.Email) {
		return c, "", fmt.Errorf("JWT issuer %q is not the key's account", c.Iss)
	}
	now := s.now().Unix()
	if c.Exp != 0 && now > c.Exp+60 {
		return c, "", errExpired
	}
	return c, key.Email, nil
}

var errExpired = fmt.Errorf("token expired")

// serveToken is the OAuth 2.0 token endpoint for the JWT-bearer grant
// (RFC 7523) that service-account credentials use. A "sub" claim other
// than the account itself is domain-wide delegation: the token then acts
// as that user.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	oauthErr := func(code int, kind, desc string) {
		b, _ := json.Marshal(map[string]string{"error": kind, "error_description": desc})
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(code)
		_, _ = w.Write(b)
	}
	if r.Method != http.MethodPost {
		oauthErr(400, "invalid_request", "Only POST is supported.")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		oauthErr(400, "invalid_request", "Unreadable body.")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		oauthErr(400, "invalid_request", "Malformed form body.")
		return
	}
	if form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		oauthErr(400, "unsupported_grant_type", "Invalid grant_type: "+form.Get("grant_type"))
		return
	}
	s.mu.Lock()
	claims, email, err := s.verifyJWT(form.Get("assertion"))
	if err == nil && claims.Sub != "" && !strings.EqualFold(claims.Sub, email) {
		email = claims.Sub
	}
	var tok string
	if err == nil {
		tok = s.tokenForLocked(email)
		s.stats.Requests["oauth2.token"]++
	}
	s.mu.Unlock()
	if err != nil {
		oauthErr(400, "invalid_grant", "Invalid JWT Signature.")
		return
	}
	b, _ := json.Marshal(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = w.Write(b)
}

// authenticate finds who sends a request: an opaque token from TokenFor or
// the token endpoint, or a self-signed JWT of an issued key.
func (s *Server) authenticate(r *http.Request, c *call) (identity, *apiError) {
	unauth := func(missing bool) *apiError {
		if c.api == "drive" {
			return driveError(401, "authError", msgInvalidCredsDr, "Authorization")
		}
		return errUnauthenticated(missing, msgSheetsService, googleMethodName(c.method))
	}
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		tok = r.URL.Query().Get("access_token")
		if tok == "" {
			return identity{}, unauth(true)
		}
	}
	tok = strings.TrimSpace(tok)
	if rest, ok := strings.CutPrefix(tok, "ya29.emu."); ok {
		e, mac, ok := strings.Cut(rest, ".")
		if !ok {
			return identity{}, unauth(false)
		}
		s.mu.Lock()
		good := hmac.Equal([]byte(mac), []byte(s.tokenMAC(e)))
		s.mu.Unlock()
		if !good {
			return identity{}, unauth(false)
		}
		email, err := base64.RawURLEncoding.DecodeString(e)
		if err != nil {
			return identity{}, unauth(false)
		}
		return identity{Email: string(email), Project: s.projectOf(string(email))}, nil
	}
	s.mu.Lock()
	_, email, err := s.verifyJWT(tok)
	s.mu.Unlock()
	if err != nil {
		return identity{}, unauth(false)
	}
	return identity{Email: email, Project: s.projectOf(email)}, nil
}

// googleMethodName turns a method id into the RPC name Google's ErrorInfo
// carries (sheets.spreadsheets.get → google.apps.sheets.v4.SpreadsheetsService.GetSpreadsheet
// is Google's; the emulator keeps the method id, which is what tests read).
func googleMethodName(method string) string { return method }
