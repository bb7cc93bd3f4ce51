// Package idtest issues Google identity tokens for tests, offline: an RSA
// key, its certificates served the way Google serves them (JWKS at
// /oauth2/v3/certs, PEM certificates at /oauth2/v1/certs) by an httptest
// server, and an http.Client that sends requests for Google's certificate
// URLs there. A google.golang.org/api/idtoken Validator made with
// option.WithHTTPClient(issuer.Client()) then verifies the issuer's tokens
// as it would Google's.
package idtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The paths Google serves its signing keys at, under
// https://www.googleapis.com.
const (
	JWKSPath = "/oauth2/v3/certs"
	PEMPath  = "/oauth2/v1/certs"
)

// googleHosts are the hosts Client sends to the issuer's server.
var googleHosts = map[string]bool{"www.googleapis.com": true, "oauth2.googleapis.com": true}

// Issuer signs identity tokens with its own key and serves the key.
type Issuer struct {
	// KeyID is the kid of the issuer's key, in its tokens' headers and in
	// the JWKS.
	KeyID   string
	key     *rsa.PrivateKey
	cert    []byte // DER, self-signed
	srv     *httptest.Server
	fetches atomic.Int64
	fail    atomic.Int64 // a status to answer instead of the keys
}

// NewIssuer makes a key and serves it until the test ends.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("idtest: %v", err)
	}
	var kid [8]byte
	_, _ = rand.Read(kid[:])
	i := &Issuer{KeyID: fmt.Sprintf("%x", kid), key: key}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	if i.cert, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key); err != nil {
		t.Fatalf("idtest: %v", err)
	}
	i.srv = httptest.NewServer(http.HandlerFunc(i.serveCerts))
	t.Cleanup(i.srv.Close)
	return i
}

// serveCerts answers the two forms of the certificates, cacheable for an
// hour as Google's are.
func (i *Issuer) serveCerts(w http.ResponseWriter, r *http.Request) {
	i.fetches.Add(1)
	if status := int(i.fail.Load()); status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	var body any
	switch r.URL.Path {
	case JWKSPath:
		pub := i.key.PublicKey
		body = map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": i.KeyID,
			"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
		}}}
	case PEMPath:
		body = map[string]string{i.KeyID: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: i.cert}))}
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Cache-Control", "public, max-age=3600, must-revalidate, no-transform")
	_ = json.NewEncoder(w).Encode(body)
}

// URL is the base URL of the issuer's server.
func (i *Issuer) URL() string { return i.srv.URL }

// Client returns an http.Client that sends requests for
// https://www.googleapis.com (and oauth2.googleapis.com) to the issuer's
// server and refuses every other host, so nothing leaves the machine.
func (i *Issuer) Client() *http.Client {
	target, _ := url.Parse(i.srv.URL)
	return &http.Client{Timeout: 10 * time.Second, Transport: redirect{to: target, next: i.srv.Client().Transport}}
}

// Fetches counts the requests the server has had for the certificates.
func (i *Issuer) Fetches() int64 { return i.fetches.Load() }

// Fail makes the server answer status instead of the certificates (0
// serves them again). A validator that has cached them does not ask.
func (i *Issuer) Fail(status int) { i.fail.Store(int64(status)) }

// redirect sends requests for Google's hosts to the issuer's server.
type redirect struct {
	to   *url.URL
	next http.RoundTripper
}

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	if !googleHosts[req.URL.Hostname()] {
		return nil, fmt.Errorf("idtest: %s is not a Google certificate host; tests stay offline", req.URL.Host)
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = r.to.Scheme, r.to.Host, ""
	return r.next.RoundTrip(out)
}

// Claims are the claims of an identity token: a JSON object.
type Claims map[string]any

// ValidClaims are the claims of a token Google would issue now to a
// Workspace user for audience (the add-on's OAuth client id): issuer
// https://accounts.google.com, a verified e-mail address, the hosted
// domain of the address, issued now and expiring in an hour. Tests change
// or delete claims to make bad tokens.
func ValidClaims(audience, email string) Claims {
	now := time.Now()
	_, domain, _ := strings.Cut(email, "@")
	return Claims{
		"iss": "https://accounts.google.com", "aud": audience, "azp": audience,
		"sub": fmt.Sprintf("%x", sha256.Sum256([]byte(email)))[:21], "email": email, "email_verified": true,
		"hd": domain, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

// Token signs claims with the issuer's key under its key id, RS256: a
// token the validator accepts as Google's (if its claims pass).
func (i *Issuer) Token(claims Claims) string { return sign(i.key, i.KeyID, claims) }

// TokenWithKeyID signs claims with the issuer's key under a key id the
// server does not serve.
func (i *Issuer) TokenWithKeyID(kid string, claims Claims) string { return sign(i.key, kid, claims) }

// Forged signs claims with a fresh key under the issuer's key id: the
// signature does not verify.
func (i *Issuer) Forged(claims Claims) string {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return sign(key, i.KeyID, claims)
}

// sign writes a compact JWS of claims.
func sign(key *rsa.PrivateKey, kid string, claims Claims) string {
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid})
	if err != nil {
		panic(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(fmt.Sprintf("idtest: claims are not JSON: %v", err))
	}
	signed := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return signed + "." + b64(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
