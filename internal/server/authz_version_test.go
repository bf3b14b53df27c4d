package server

import (
	"net/http/httptest"
	"net/url"
	"testing"
)

// The action a routed object request needs: the …Version form exactly
// when the request names a version, as the Service Authorization Reference
// lists them.
func TestRouteVersionActions(t *testing.T) {
	s := &Server{}
	for _, tc := range []struct {
		name, method, query, copySource, want string
	}{
		{"GetObject", "GET", "", "", "s3:GetObject"},
		{"GetObject of a version", "GET", "versionId=v1", "", "s3:GetObjectVersion"},
		{"GetObject with an empty versionId", "GET", "versionId=", "", "s3:GetObjectVersion"},
		{"HeadObject of a version", "HEAD", "versionId=v1", "", "s3:GetObjectVersion"},
		{"DeleteObject of a version", "DELETE", "versionId=v1", "", "s3:DeleteObjectVersion"},
		{"GetObjectTagging of a version", "GET", "tagging&versionId=v1", "", "s3:GetObjectVersionTagging"},
		{"PutObjectTagging of a version", "PUT", "tagging&versionId=v1", "", "s3:PutObjectVersionTagging"},
		{"DeleteObjectTagging of a version", "DELETE", "tagging&versionId=v1", "", "s3:DeleteObjectVersionTagging"},
		{"GetObjectAcl of a version", "GET", "acl&versionId=v1", "", "s3:GetObjectVersionAcl"},
		{"PutObjectAcl of a version", "PUT", "acl&versionId=v1", "", "s3:PutObjectVersionAcl"},
		{"GetObjectTagging", "GET", "tagging", "", "s3:GetObjectTagging"},
		{"a lower-case versionid names no version", "GET", "versionid=v1", "", "s3:GetObject"},
		{"PutObject ignores versionId", "PUT", "versionId=v1", "", "s3:PutObject"},
		{"CopyObject needs PutObject on the destination", "PUT", "", "b/k?versionId=v1", "s3:PutObject"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/b/k?"+tc.query, nil)
			if tc.copySource != "" {
				r.Header.Set("x-amz-copy-source", tc.copySource)
			}
			q, _ := url.ParseQuery(tc.query)
			rc := &reqCtx{s: s, r: r, query: q, bucket: "b", key: "k"}
			o, err := s.route(rc)
			if err != nil || o.action != tc.want {
				t.Fatalf("route = %q, %v; want %q", o.action, err, tc.want)
			}
		})
	}
}
