package sheetstest

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"
)

// serveHTTP runs the emulator on a loopback port, as the stand-alone
// command does, with keys whose token_uri points at it.
func serveHTTP(t *testing.T, s *Server) *httptest.Server {
	t.Helper()
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	s.SetBaseURL(hs.URL)
	return hs
}

// TestServiceAccountKeyWithGoogleClient checks the path Google's client
// really takes with a key file: option.WithAuthCredentialsJSON (the
// non-deprecated option) makes sheets.NewService exchange a JWT at the
// key's token_uri (the JWT-bearer grant), then send the access token.
func TestServiceAccountKeyWithGoogleClient(t *testing.T) {
	s := newServer(t, Options{AllowServiceAccountCreate: true})
	hs := serveHTTP(t, s)
	key, err := s.ServiceAccountKey(svc, "")
	require.NoError(t, err)
	var kf map[string]string
	require.NoError(t, json.Unmarshal(key, &kf))
	assert.Equal(t, hs.URL+"/token", kf["token_uri"])
	assert.Equal(t, "service_account", kf["type"])

	api, err := sheets.NewService(context.Background(),
		option.WithAuthCredentialsJSON(option.ServiceAccount, key),
		option.WithEndpoint(hs.URL+"/"))
	require.NoError(t, err)
	ss, err := api.Spreadsheets.Create(&sheets.Spreadsheet{Properties: &sheets.SpreadsheetProperties{Title: "by key"}}).Do()
	require.NoError(t, err)
	st := s.Stats()
	assert.Equal(t, 1, st.Requests["oauth2.token"], "the client used the token endpoint")
	assert.Equal(t, 1, st.Requests["sheets.spreadsheets.create"])

	// The service account owns what it created.
	_, err = sheetsFor(t, s, svc).Spreadsheets.Get(ss.SpreadsheetId).Do()
	require.NoError(t, err)
	_, err = sheetsFor(t, s, other).Spreadsheets.Get(ss.SpreadsheetId).Do()
	apiErr(t, err, 403)
}

// TestServiceAccountKeyInProcess is the same exchange with no sockets:
// x/oauth2's JWT config fetches its token through the in-process client.
func TestServiceAccountKeyInProcess(t *testing.T) {
	s := newServer(t, Options{})
	seed, err := s.Seed(SeedOptions{ServiceAccount: svc})
	require.NoError(t, err)
	cfg, err := google.JWTConfigFromJSON(seed.Key, sheets.SpreadsheetsScope)
	require.NoError(t, err)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, s.Client())
	client := cfg.Client(ctx)
	api, err := sheets.NewService(context.Background(), option.WithEndpoint(s.SheetsEndpoint()), option.WithHTTPClient(client))
	require.NoError(t, err)
	_, err = api.Spreadsheets.Get(seed.TemplateID).Do()
	require.NoError(t, err)
}

// TestSelfSignedJWT checks that a JWT signed by an issued key is accepted
// as an access token (the path Google's libraries take for non-default
// universes or with audiences).
func TestSelfSignedJWT(t *testing.T) {
	s := newServer(t, Options{})
	seed, err := s.Seed(SeedOptions{ServiceAccount: svc})
	require.NoError(t, err)
	var kf struct {
		PrivateKey   string `json:"private_key"`
		PrivateKeyID string `json:"private_key_id"`
	}
	require.NoError(t, json.Unmarshal(seed.Key, &kf))
	blk, _ := pem.Decode([]byte(kf.PrivateKey))
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	require.NoError(t, err)
	sign := func(claims map[string]any) string {
		enc := func(v any) string {
			b, _ := json.Marshal(v)
			return base64.RawURLEncoding.EncodeToString(b)
		}
		head := enc(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kf.PrivateKeyID})
		body := enc(claims)
		sum := sha256.Sum256([]byte(head + "." + body))
		sig, err := rsa.SignPKCS1v15(nil, k.(*rsa.PrivateKey), crypto.SHA256, sum[:])
		require.NoError(t, err)
		return head + "." + body + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	now := time.Now().Unix()
	get := func(tok string) int {
		req, _ := http.NewRequest("GET", "http://x/v4/spreadsheets/"+seed.TemplateID+"?fields=spreadsheetId", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := s.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, 200, get(sign(map[string]any{"iss": svc, "sub": svc, "scope": sheets.SpreadsheetsScope, "iat": now, "exp": now + 3600})))
	assert.Equal(t, 401, get(sign(map[string]any{"iss": svc, "sub": svc, "iat": now - 7200, "exp": now - 3600})), "expired")
	assert.Equal(t, 401, get(sign(map[string]any{"iss": "mallory@x.iam.gserviceaccount.com", "iat": now, "exp": now + 3600})), "wrong issuer")
	assert.Equal(t, 401, get("ya29.emu.bm9ib2R5.forged"))
}

func TestUnauthenticated(t *testing.T) {
	s := newServer(t, Options{})
	book := newBook(t, s, "Input")
	for _, tok := range []string{"", "garbage"} {
		req, _ := http.NewRequest("GET", "http://x/v4/spreadsheets/"+book.SpreadsheetId, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := s.Client().Do(req)
		require.NoError(t, err)
		var body struct {
			Error struct {
				Code    int    `json:"code"`
				Status  string `json:"status"`
				Message string `json:"message"`
			} `json:"error"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		resp.Body.Close()
		assert.Equal(t, 401, resp.StatusCode)
		assert.Equal(t, "UNAUTHENTICATED", body.Error.Status)
		assert.True(t, strings.HasPrefix(body.Error.Message, "Request"), body.Error.Message)
		assert.Equal(t, "application/json; charset=UTF-8", resp.Header.Get("Content-Type"))
	}
}
