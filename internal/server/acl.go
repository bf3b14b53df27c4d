package server

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/s3err"
)

const (
	allUsersURI    = "http://acs.amazonaws.com/groups/global/AllUsers"
	authUsersURI   = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	logDeliveryURI = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

type accessControlPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Owner   owner    `xml:"Owner"`
	Grants  []grant  `xml:"AccessControlList>Grant"`
}

type grant struct {
	Grantee    grantee `xml:"Grantee"`
	Permission string  `xml:"Permission"`
}

type grantee struct {
	XMLNSXSI string `xml:"xmlns:xsi,attr,omitempty"`
	Type     string `xml:"xsi:type,attr,omitempty"`
	// TypeIn receives the attribute when parsing (namespace-resolved).
	TypeIn      string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr,omitempty"`
	ID          string `xml:"ID,omitempty"`
	DisplayName string `xml:"DisplayName,omitempty"`
	URI         string `xml:"URI,omitempty"`
	Email       string `xml:"EmailAddress,omitempty"`
}

func canonicalUser(id string) grantee {
	return grantee{XMLNSXSI: "http://www.w3.org/2001/XMLSchema-instance", Type: "CanonicalUser", ID: id, DisplayName: id}
}

func group(uri string) grantee {
	return grantee{XMLNSXSI: "http://www.w3.org/2001/XMLSchema-instance", Type: "Group", URI: uri}
}

// aclPolicy expands a canned ACL into the grant list S3 reports.
func aclPolicy(acl, ownerAccount, bucketOwner string) accessControlPolicy {
	p := accessControlPolicy{NS: s3NS, Owner: ownerOf(ownerAccount)}
	p.Grants = append(p.Grants, grant{canonicalUser(ownerAccount), "FULL_CONTROL"})
	switch acl {
	case "public-read":
		p.Grants = append(p.Grants, grant{group(allUsersURI), "READ"})
	case "public-read-write":
		p.Grants = append(p.Grants, grant{group(allUsersURI), "READ"}, grant{group(allUsersURI), "WRITE"})
	case "authenticated-read":
		p.Grants = append(p.Grants, grant{group(authUsersURI), "READ"})
	case "bucket-owner-read":
		if bucketOwner != ownerAccount {
			p.Grants = append(p.Grants, grant{canonicalUser(bucketOwner), "READ"})
		}
	case "bucket-owner-full-control":
		if bucketOwner != ownerAccount {
			p.Grants = append(p.Grants, grant{canonicalUser(bucketOwner), "FULL_CONTROL"})
		}
	}
	return p
}

// cannedFromPolicy maps a grant list back to the canned ACL it expresses.
// Outpost stores canned ACLs only; other grant lists are refused. A
// CanonicalUser grant is part of a canned ACL only when it names the
// owner (the FULL_CONTROL every ACL body carries, or READ); a grant to
// anyone else would be dropped, so it makes the list unsupported.
func cannedFromPolicy(p accessControlPolicy, owner string) (string, bool) {
	var allRead, allWrite, authRead bool
	for _, g := range p.Grants {
		uri := g.Grantee.URI
		switch {
		case uri == allUsersURI && g.Permission == "READ":
			allRead = true
		case uri == allUsersURI && g.Permission == "WRITE":
			allWrite = true
		case uri == authUsersURI && g.Permission == "READ":
			authRead = true
		case g.Grantee.ID == owner && g.Grantee.URI == "" && g.Grantee.Email == "" && (g.Permission == "FULL_CONTROL" || g.Permission == "READ"):
		default:
			return "", false
		}
	}
	switch {
	case allRead && allWrite:
		return "public-read-write", true
	case allRead && !authRead:
		return "public-read", true
	case authRead && !allRead && !allWrite:
		return "authenticated-read", true
	case !allRead && !allWrite && !authRead:
		return "private", true
	}
	return "", false
}

var aclPermissions = map[string]bool{"FULL_CONTROL": true, "READ": true, "WRITE": true, "READ_ACP": true, "WRITE_ACP": true}

// validGrants checks each grant against the S3 ACL schema: a grantee that
// names someone (ID, URI or e-mail address) and one of the five permissions.
// A grant that breaks it is MalformedACLError, as S3 answers.
func validGrants(grants []grant) error {
	for _, g := range grants {
		ge := g.Grantee
		if !aclPermissions[g.Permission] || (ge.ID == "" && ge.URI == "" && ge.Email == "") {
			return s3err.MalformedACLError
		}
		if ge.URI != "" && ge.URI != allUsersURI && ge.URI != authUsersURI && ge.URI != logDeliveryURI {
			return s3err.InvalidArgument.WithMessage("Invalid group uri")
		}
	}
	return nil
}

// refuseACLOnOutposts: S3 on Outposts does not support ACLs.
func (rc *reqCtx) refuseACLOnOutposts() error {
	if rc.bkt != nil && rc.bkt.OutpostID != "" {
		return s3err.NotImplemented.WithMessage("S3 on Outposts does not support access control lists (ACLs); use bucket and access point policies.")
	}
	return nil
}

// refuseGrantHeaders answers 501 for explicit x-amz-grant-* headers on any
// request that sets an ACL (Put*Acl, CreateBucket, PutObject, CopyObject,
// CreateMultipartUpload): Outpost stores canned ACLs only, and a grant it
// cannot keep must never be accepted and dropped.
func refuseGrantHeaders(h http.Header) error {
	for k := range h {
		if len(k) > len("x-amz-grant-") && strings.EqualFold(k[:len("x-amz-grant-")], "x-amz-grant-") {
			return s3err.NotImplemented.WithMessage("Explicit " + strings.ToLower(k) + " grants are not supported; use a canned ACL (x-amz-acl).").With(s3err.Field{Name: "Header", Value: k})
		}
	}
	return nil
}

// aclFromRequest reads the ACL of a Put*Acl request: x-amz-acl, or an
// AccessControlPolicy body.
func (rc *reqCtx) aclFromRequest() (string, error) {
	if err := refuseGrantHeaders(rc.r.Header); err != nil {
		return "", err
	}
	if acl := rc.r.Header.Get("x-amz-acl"); acl != "" {
		if !cannedACLs[acl] {
			return "", s3err.InvalidArgument.WithMessage("Invalid canned ACL: " + acl)
		}
		return acl, nil
	}
	var p accessControlPolicy
	if err := rc.readXML(&p); err != nil {
		if e, ok := err.(*s3err.Error); ok && e.Code == "MalformedXML" {
			return "", s3err.MalformedACLError
		}
		return "", err
	}
	if err := validGrants(p.Grants); err != nil {
		return "", err
	}
	acl, ok := cannedFromPolicy(p, rc.bkt.Account)
	if !ok {
		return "", s3err.NotImplemented.WithMessage("Only grant lists equivalent to a canned ACL are supported.")
	}
	return acl, nil
}

func (rc *reqCtx) getBucketACL() error {
	if err := rc.refuseACLOnOutposts(); err != nil {
		return err
	}
	return rc.writeXML(200, aclPolicy(rc.bkt.ACL, rc.bkt.Account, rc.bkt.Account))
}

func (rc *reqCtx) putBucketACL() error {
	if err := rc.refuseACLOnOutposts(); err != nil {
		return err
	}
	acl, err := rc.aclFromRequest()
	if err != nil {
		return err
	}
	if err := rc.s.cfg.Meta.SetBucketACL(rc.r.Context(), rc.bucket, acl); err != nil {
		return err
	}
	return rc.ok()
}

func (rc *reqCtx) getObjectACL() error {
	if err := rc.refuseACLOnOutposts(); err != nil {
		return err
	}
	o, err := rc.lookupObject()
	if err != nil {
		return err
	}
	return rc.writeXML(200, aclPolicy(o.ACL, rc.bkt.Account, rc.bkt.Account))
}

func (rc *reqCtx) putObjectACL() error {
	if err := rc.refuseACLOnOutposts(); err != nil {
		return err
	}
	acl, err := rc.aclFromRequest()
	if err != nil {
		return err
	}
	err = rc.s.cfg.Meta.UpdateObject(rc.r.Context(), rc.bucket, rc.key, rc.query.Get("versionId"), func(o *meta.Object) error {
		o.ACL = acl
		return nil
	})
	if err != nil {
		return rc.objectError(err)
	}
	return rc.ok()
}
