package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// network runs the network (VPC) commands through the networks admin API
// (docs/networking.md): JSON over /outpost/admin/networks, signed SigV4
// for service s3 by the root user of the server's owning account.
func (a *admin) network(ctx context.Context, cmd string, args []string) error {
	switch cmd {
	case "list":
		var out struct {
			Networks []networkDoc `json:"networks"`
		}
		if err := a.networksCall(ctx, http.MethodGet, "", nil, &out); err != nil {
			return err
		}
		for _, n := range out.Networks {
			a.printf("%s\t%s\t%s\t%d subnets\n", n.VpcID, n.Name, strings.Join(n.CIDRs, ","), len(n.Subnets))
		}
		return nil
	case "get":
		if err := need(args, 1, "VPC ID"); err != nil {
			return err
		}
		var out json.RawMessage
		if err := a.networksCall(ctx, http.MethodGet, args[0], nil, &out); err != nil {
			return err
		}
		return a.printJSON(out)
	case "put":
		if err := need(args, 2, "VPC ID and network document"); err != nil {
			return err
		}
		doc, err := document(args[1])
		if err != nil {
			return err
		}
		var out json.RawMessage
		if err := a.networksCall(ctx, http.MethodPut, args[0], []byte(doc), &out); err != nil {
			return err
		}
		return a.printJSON(out)
	case "delete":
		if err := need(args, 1, "VPC ID"); err != nil {
			return err
		}
		return a.networksCall(ctx, http.MethodDelete, args[0], nil, nil)
	case "origin":
		var out json.RawMessage
		if err := a.networksCall(ctx, http.MethodGet, "origin", nil, &out); err != nil {
			return err
		}
		return a.printJSON(out)
	}
	return usageError("network needs list, get, put, delete or origin")
}

type networkDoc struct {
	VpcID   string            `json:"vpcId"`
	Name    string            `json:"name"`
	CIDRs   []string          `json:"cidrs"`
	Subnets []json.RawMessage `json:"subnets"`
}

func (a *admin) printJSON(raw json.RawMessage) error {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return err
	}
	a.printf("%s\n", b.Bytes())
	return nil
}

// networksCall sends one request to the networks admin API and decodes
// its JSON answer into out (nil: none expected).
func (a *admin) networksCall(ctx context.Context, method, name string, body []byte, out any) error {
	u := a.endpoint + "/outpost/admin/networks"
	if name != "" {
		u += "/" + url.PathEscape(name)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, b, err := a.send(ctx, req, body, "s3")
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct{ Code, Message string }
		if json.Unmarshal(b, &e) == nil && e.Code != "" {
			return &apiError{Code: e.Code, Message: e.Message}
		}
		return fmt.Errorf("%s %s: HTTP %d: %s", method, u, resp.StatusCode, bytes.TrimSpace(b))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}
