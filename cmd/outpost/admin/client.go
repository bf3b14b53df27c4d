package admin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/outpost-s3/outpost/sigv4"
)

// adminFlags are the flags every admin command accepts.
type adminFlags struct {
	endpoint, region, profile string
	user, group, role         string
	name, email, accountID    string
	path, trust               string
	maxSession                int
	principal, action, res    string
	context                   []string
}

type multiFlag struct{ v *[]string }

func (m multiFlag) String() string     { return "" }
func (m multiFlag) Set(s string) error { *m.v = append(*m.v, s); return nil }

// usageError is a mistake on the command line: Run prints it with the
// usage and exits 2.
type usageError string

func (u usageError) Error() string { return string(u) }

// apiError is an error answer of the server: its code and message, as
// IAM, STS and the networks admin API send them.
type apiError struct{ Code, Message string }

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// explainAPIError turns an error into one line: "Code: Message" for an
// error answer of the server.
func explainAPIError(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Error()
	}
	return err.Error()
}

// The query protocol versions of the APIs admin calls.
const (
	iamVersion = "2010-05-08"
	stsVersion = "2011-06-15"
)

type admin struct {
	f        adminFlags
	cfg      aws.Config
	endpoint string
	out      io.Writer
}

func newAdmin(ctx context.Context, f adminFlags, out io.Writer) (*admin, error) {
	var opts []func(*config.LoadOptions) error
	if f.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(f.profile))
	}
	if f.region != "" {
		opts = append(opts, config.WithRegion(f.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	ep := f.endpoint
	for _, v := range []string{"AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"} {
		if ep == "" {
			ep = os.Getenv(v)
		}
	}
	if ep == "" && cfg.BaseEndpoint != nil {
		ep = *cfg.BaseEndpoint
	}
	if ep == "" {
		return nil, errors.New("no endpoint: pass --endpoint-url http://HOST:9000 (or set AWS_ENDPOINT_URL)")
	}
	return &admin{f: f, cfg: cfg, endpoint: strings.TrimSuffix(ep, "/"), out: out}, nil
}

func need(args []string, n int, what string) error {
	if len(args) < n {
		return usageError("missing " + what)
	}
	return nil
}

// document reads a policy argument: JSON, @FILE or - (standard input).
func document(arg string) (string, error) {
	switch {
	case arg == "-":
		b, err := io.ReadAll(os.Stdin)
		return string(b), err
	case strings.HasPrefix(arg, "@"):
		b, err := os.ReadFile(arg[1:])
		return string(b), err
	}
	return arg, nil
}

func (a *admin) printf(format string, args ...any) { fmt.Fprintf(a.out, format, args...) }

// iam runs an IAM action, or one of Outpost's admin actions on the IAM
// endpoint, and decodes its result element into out (nil: none wanted).
func (a *admin) iam(ctx context.Context, action string, params url.Values, out any) error {
	return a.query(ctx, "iam", iamVersion, action, params, out)
}

// query runs one action of the AWS query protocol: a form POST
// Action=…&Version=… signed for service (iam or sts, which is also how the
// server tells the two apart), answered with
// <ActionResponse><ActionResult>…</ActionResult>…; out receives the
// ActionResult element.
func (a *admin) query(ctx context.Context, service, version, action string, params url.Values, out any) error {
	if params == nil {
		params = url.Values{}
	}
	params.Set("Action", action)
	params.Set("Version", version)
	body := params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.endpoint+"/", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	resp, b, err := a.send(ctx, req, []byte(body), service)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		var e struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		}
		if xml.Unmarshal(b, &e) == nil && e.Code != "" {
			return &apiError{Code: e.Code, Message: e.Message}
		}
		return fmt.Errorf("%s: HTTP %d: %s", action, resp.StatusCode, bytes.TrimSpace(b))
	}
	if out == nil {
		return nil
	}
	if err := decodeResult(b, action+"Result", out); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return nil
}

// members runs an IAM List… action and returns the members of the list
// its result holds (<Users><member>…</member>…</Users>).
func members[T any](ctx context.Context, a *admin, action string, params url.Values) ([]T, error) {
	var res struct {
		Lists []struct {
			Members []T `xml:"member"`
		} `xml:",any"`
	}
	if err := a.iam(ctx, action, params, &res); err != nil {
		return nil, err
	}
	var all []T
	for _, l := range res.Lists {
		all = append(all, l.Members...)
	}
	return all, nil
}

// decodeResult decodes the element named result, a child of the
// response's root element, into out. A response without it leaves out as
// it is.
func decodeResult(b []byte, result string, out any) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read the answer: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 1 && t.Name.Local == result {
				return d.DecodeElement(out, &t)
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// send signs req with SigV4 for service (over body, whose SHA-256 is the
// payload hash; sigv4 adds X-Amz-Content-Sha256 for s3) with the admin's
// credentials, sends it and reads the whole answer.
func (a *admin) send(ctx context.Context, req *http.Request, body []byte, service string) (*http.Response, []byte, error) {
	creds, err := a.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	c := sigv4.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken}
	if err := sigv4.SignRequest(req, c, a.cfg.Region, service, hex.EncodeToString(sum[:]), time.Now()); err != nil {
		return nil, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// isoTime prints an IAM date (ISO 8601) as RFC 3339 in UTC, without
// fractions of a second; a date it cannot read is printed as sent.
func isoTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Format(time.RFC3339)
}

// optional sets params[k] = v when v is not empty.
func optional(params url.Values, k, v string) url.Values {
	if v != "" {
		params.Set(k, v)
	}
	return params
}
