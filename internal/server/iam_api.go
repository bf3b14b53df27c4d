package server

import (
	"errors"
	"strings"

	"github.com/outpost-s3/outpost/internal/auth"
	"github.com/outpost-s3/outpost/internal/iam"
	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/policy"
)

// The IAM API subset Outpost serves
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html).
// Every action works in the caller's own account and needs iam:ACTION on
// the entity's ARN by the caller's identity policies (the root user has
// all of them).
var iamActions map[string]queryHandler

func init() {
	iamActions = map[string]queryHandler{
		"CreateUser": iamCreateUser, "GetUser": iamGetUser, "ListUsers": iamListUsers, "DeleteUser": iamDeleteUser,
		"CreateAccessKey": iamCreateAccessKey, "ListAccessKeys": iamListAccessKeys,
		"UpdateAccessKey": iamUpdateAccessKey, "DeleteAccessKey": iamDeleteAccessKey, "GetAccessKeyLastUsed": iamGetAccessKeyLastUsed,
		"PutUserPolicy": inlinePut(meta.KindUser), "GetUserPolicy": inlineGet(meta.KindUser),
		"ListUserPolicies": inlineList(meta.KindUser), "DeleteUserPolicy": inlineDelete(meta.KindUser),
		"PutGroupPolicy": inlinePut(meta.KindGroup), "GetGroupPolicy": inlineGet(meta.KindGroup),
		"ListGroupPolicies": inlineList(meta.KindGroup), "DeleteGroupPolicy": inlineDelete(meta.KindGroup),
		"PutRolePolicy": inlinePut(meta.KindRole), "GetRolePolicy": inlineGet(meta.KindRole),
		"ListRolePolicies": inlineList(meta.KindRole), "DeleteRolePolicy": inlineDelete(meta.KindRole),
		"CreateGroup": iamCreateGroup, "GetGroup": iamGetGroup, "ListGroups": iamListGroups, "DeleteGroup": iamDeleteGroup,
		"AddUserToGroup": iamAddUserToGroup, "RemoveUserFromGroup": iamRemoveUserFromGroup, "ListGroupsForUser": iamListGroupsForUser,
		"CreateRole": iamCreateRole, "GetRole": iamGetRole, "ListRoles": iamListRoles, "DeleteRole": iamDeleteRole,
		"UpdateAssumeRolePolicy": iamUpdateAssumeRolePolicy, "UpdateRole": iamUpdateRole,
		"CreatePolicy": iamCreatePolicy, "GetPolicy": iamGetPolicy, "GetPolicyVersion": iamGetPolicyVersion,
		"ListPolicies": iamListPolicies, "DeletePolicy": iamDeletePolicy,
		"AttachUserPolicy": attach(meta.KindUser), "AttachGroupPolicy": attach(meta.KindGroup), "AttachRolePolicy": attach(meta.KindRole),
		"DetachUserPolicy": detach(meta.KindUser), "DetachGroupPolicy": detach(meta.KindGroup), "DetachRolePolicy": detach(meta.KindRole),
		"ListAttachedUserPolicies": listAttached(meta.KindUser), "ListAttachedGroupPolicies": listAttached(meta.KindGroup),
		"ListAttachedRolePolicies":   listAttached(meta.KindRole),
		"ListOpenIDConnectProviders": iamListOpenIDConnectProviders,
	}
}

// iamListOpenIDConnectProviders answers the empty list: Outpost federates
// no OIDC identity providers, and SDK tooling (Terraform, eksctl, the
// console wizards) probes this action before anything else.
func iamListOpenIDConnectProviders(q *queryCtx) (any, error) {
	if err := q.allowed("iam:ListOpenIDConnectProviders", "arn:aws:iam::"+q.p.Account+":oidc-provider/*"); err != nil {
		return nil, err
	}
	return struct {
		OpenIDConnectProviderList string `xml:"OpenIDConnectProviderList"`
	}{}, nil
}

// ---- XML shapes ----

type xUser struct {
	Path       string `xml:"Path,omitempty"`
	UserName   string `xml:"UserName,omitempty"`
	UserID     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

type xGroup struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupID    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

type xRole struct {
	Path                     string `xml:"Path"`
	RoleName                 string `xml:"RoleName"`
	RoleID                   string `xml:"RoleId"`
	Arn                      string `xml:"Arn"`
	CreateDate               string `xml:"CreateDate"`
	AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string `xml:"Description,omitempty"`
	MaxSessionDuration       int    `xml:"MaxSessionDuration"`
}

type xPolicy struct {
	PolicyName       string `xml:"PolicyName"`
	DefaultVersionID string `xml:"DefaultVersionId"`
	PolicyID         string `xml:"PolicyId"`
	Path             string `xml:"Path"`
	Arn              string `xml:"Arn"`
	AttachmentCount  int    `xml:"AttachmentCount"`
	IsAttachable     bool   `xml:"IsAttachable"`
	Description      string `xml:"Description,omitempty"`
	CreateDate       string `xml:"CreateDate"`
	UpdateDate       string `xml:"UpdateDate"`
}

type xAccessKey struct {
	UserName        string `xml:"UserName,omitempty"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey,omitempty"`
	CreateDate      string `xml:"CreateDate"`
}

type xAttached struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

func userXML(e meta.IAMEntity) xUser {
	return xUser{Path: e.Path, UserName: e.Name, UserID: e.ID, Arn: iam.EntityARN(e.Account, meta.KindUser, e.Path, e.Name), CreateDate: isoTime(e.CreatedAt)}
}

func groupXML(e meta.IAMEntity) xGroup {
	return xGroup{Path: e.Path, GroupName: e.Name, GroupID: e.ID, Arn: iam.EntityARN(e.Account, meta.KindGroup, e.Path, e.Name), CreateDate: isoTime(e.CreatedAt)}
}

func roleXML(e meta.IAMEntity) xRole {
	return xRole{Path: e.Path, RoleName: e.Name, RoleID: e.ID, Arn: iam.EntityARN(e.Account, meta.KindRole, e.Path, e.Name),
		CreateDate: isoTime(e.CreatedAt), AssumeRolePolicyDocument: encodePolicy(e.TrustPolicy),
		Description: e.Description, MaxSessionDuration: e.MaxSessionDuration}
}

func policyXML(p meta.ManagedPolicy) xPolicy {
	return xPolicy{PolicyName: p.Name, DefaultVersionID: "v1", PolicyID: p.ID, Path: p.Path, Arn: p.ARN,
		AttachmentCount: p.AttachmentCount, IsAttachable: true, Description: p.Description,
		CreateDate: isoTime(p.CreatedAt), UpdateDate: isoTime(p.UpdatedAt)}
}

// ---- helpers ----

// maxNameLen of IAM user, group and role names; policy names allow 128.
var maxNameLen = map[meta.EntityKind]int{meta.KindUser: 64, meta.KindGroup: 128, meta.KindRole: 64}

// nameParam reads and validates an entity name parameter.
func (q *queryCtx) nameParam(param string, max int) (string, error) {
	v, err := q.required(param)
	if err != nil {
		return "", err
	}
	if !iam.ValidName(v, max) {
		return "", errValidation("The specified value for %s is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_- and be at most %d characters long.", lowerFirst(param), max)
	}
	return v, nil
}

func (q *queryCtx) pathParam() (string, error) {
	p := q.get("Path")
	if p == "" {
		return "/", nil
	}
	if !iam.ValidPath(p) {
		return "", errValidation("The specified value for path is invalid. It must begin and end with / and contain only printable ASCII characters.")
	}
	return p, nil
}

// kindName is the capitalised kind as IAM action names and messages use it.
func kindName(k meta.EntityKind) string {
	t := kindTitle(k)
	return strings.ToUpper(t[:1]) + t[1:]
}

func kindTitle(k meta.EntityKind) string {
	switch k {
	case meta.KindGroup:
		return "group"
	case meta.KindRole:
		return "role"
	}
	return "user"
}

func paramFor(k meta.EntityKind) string {
	switch k {
	case meta.KindGroup:
		return "GroupName"
	case meta.KindRole:
		return "RoleName"
	}
	return "UserName"
}

// entity loads an existing entity of the caller's account, checking that
// the caller may run action on it.
func (q *queryCtx) entity(k meta.EntityKind, name, action string) (meta.IAMEntity, error) {
	st := q.rc.s.ident.store
	acct := q.p.Account
	e, err := st.GetIAMEntity(q.rc.r.Context(), acct, k, name)
	if errors.Is(err, meta.ErrNotFound) {
		if aerr := q.allowed(action, iam.EntityARN(acct, k, "/", name)); aerr != nil {
			return e, aerr
		}
		return e, errNoSuchEntity("The %s with name %s cannot be found.", kindTitle(k), name)
	}
	if err != nil {
		return e, err
	}
	if err := q.allowed(action, iam.EntityARN(acct, k, e.Path, e.Name)); err != nil {
		return e, err
	}
	return e, nil
}

// namedEntity loads the entity named by the request's UserName, GroupName
// or RoleName parameter, checking that the caller may run action on it.
func (q *queryCtx) namedEntity(k meta.EntityKind, action string) (meta.IAMEntity, error) {
	name, err := q.required(paramFor(k))
	if err != nil {
		return meta.IAMEntity{}, err
	}
	return q.entity(k, name, action)
}

// parseIdentityDoc validates a policy document for an entity kind, with
// IAM's size quotas.
func parseIdentityDoc(doc string, max int, what string) error {
	_, err := policy.ParseIdentityPolicy([]byte(doc), max)
	var pe *policy.Error
	if errors.As(err, &pe) && pe.TooLarge {
		return errLimitExceeded("Maximum policy size of %d bytes exceeded for %s", max, what)
	}
	if err != nil {
		return errMalformedPolicy("%s", err.Error())
	}
	return nil
}

// ---- users ----

func iamCreateUser(q *queryCtx) (any, error) {
	e, err := q.createEntity(meta.KindUser, 64, iam.NewUserID, nil)
	if err != nil {
		return nil, err
	}
	return struct {
		User xUser `xml:"User"`
	}{userXML(e)}, nil
}

// createEntity runs the steps every Create{User,Group,Role} shares: read
// and check the name and path, authorize iam:Create<Kind> on the new ARN,
// let prepare fill kind-specific fields (and refuse bad input), and store
// the entity, answering EntityAlreadyExists on a duplicate name.
func (q *queryCtx) createEntity(k meta.EntityKind, maxName int, newID func() string, prepare func(*meta.IAMEntity) error) (meta.IAMEntity, error) {
	st := q.rc.s.ident.store
	name, err := q.nameParam(paramFor(k), maxName)
	if err != nil {
		return meta.IAMEntity{}, err
	}
	path, err := q.pathParam()
	if err != nil {
		return meta.IAMEntity{}, err
	}
	acct := q.p.Account
	if err := q.allowed("iam:Create"+kindName(k), iam.EntityARN(acct, k, path, name)); err != nil {
		return meta.IAMEntity{}, err
	}
	e := meta.IAMEntity{Account: acct, Kind: k, Name: name, ID: newID(), Path: path, CreatedAt: q.rc.s.now().UTC()}
	if prepare != nil {
		if err := prepare(&e); err != nil {
			return meta.IAMEntity{}, err
		}
	}
	if err := st.CreateIAMEntity(q.rc.r.Context(), e); errors.Is(err, meta.ErrConflict) {
		return meta.IAMEntity{}, errEntityExists("%s with name %s already exists.", kindName(k), name)
	} else if err != nil {
		return meta.IAMEntity{}, err
	}
	return e, nil
}

func iamGetUser(q *queryCtx) (any, error) {
	name := q.get("UserName")
	if name == "" {
		name = q.p.UserName
		if name == "" {
			// The root user (or a role session) asking about itself.
			if q.p.IsRoot() {
				a, _ := q.rc.s.ident.store.GetAccount(q.rc.r.Context(), q.p.Account)
				return struct {
					User xUser `xml:"User"`
				}{xUser{UserID: q.p.Account, Arn: iam.RootARN(q.p.Account), CreateDate: isoTime(a.CreatedAt)}}, nil
			}
			return nil, errValidation("Must specify userName when calling with non-User credentials")
		}
	}
	e, err := q.entity(meta.KindUser, name, "iam:GetUser")
	if err != nil {
		return nil, err
	}
	return struct {
		User xUser `xml:"User"`
	}{userXML(e)}, nil
}

func entityName(e meta.IAMEntity) string { return e.Name }

func iamListUsers(q *queryCtx) (any, error) {
	es, err := q.listEntities(meta.KindUser)
	if err != nil {
		return nil, err
	}
	es, page, err := pageOf(q, es, entityName)
	if err != nil {
		return nil, err
	}
	res := struct {
		Users []xUser `xml:"Users>member"`
		iamPage
	}{iamPage: page}
	for _, e := range es {
		res.Users = append(res.Users, userXML(e))
	}
	return res, nil
}

// listEntities authorizes iam:List<Kind>s and lists the caller's account's
// entities of a kind under PathPrefix.
func (q *queryCtx) listEntities(k meta.EntityKind) ([]meta.IAMEntity, error) {
	st := q.rc.s.ident.store
	if err := q.allowed("iam:List"+kindName(k)+"s", iam.EntityARN(q.p.Account, k, "/", "*")); err != nil {
		return nil, err
	}
	return st.ListIAMEntities(q.rc.r.Context(), q.p.Account, k, q.get("PathPrefix"))
}

func iamDeleteUser(q *queryCtx) (any, error) {
	name, err := q.required("UserName")
	if err != nil {
		return nil, err
	}
	e, err := q.entity(meta.KindUser, name, "iam:DeleteUser")
	if err != nil {
		return nil, err
	}
	return nil, q.rc.s.ident.store.DeleteIAMEntity(q.rc.r.Context(), e.Account, meta.KindUser, e.Name)
}

// ---- access keys ----

// keyOwner resolves the UserName parameter of the access key actions: a
// named user of the caller's account and its unique ID, or, when absent,
// the caller itself (the root user's own keys for root, with no ID).
func (q *queryCtx) keyOwner(action string) (user, userID string, err error) {
	name := q.get("UserName")
	if name == "" {
		if q.p.Temporary() && q.p.Type != "User" && !q.p.IsRoot() {
			return "", "", errValidation("Must specify userName when calling with non-User credentials")
		}
		if q.p.UserName == "" {
			return "", "", nil
		}
		name = q.p.UserName
	}
	e, err := q.entity(meta.KindUser, name, action)
	if err != nil {
		return "", "", err
	}
	return e.Name, e.ID, nil
}

func iamCreateAccessKey(q *queryCtx) (any, error) {
	user, userID, err := q.keyOwner("iam:CreateAccessKey")
	if err != nil {
		return nil, err
	}
	ctx := q.rc.r.Context()
	ms := q.rc.s.cfg.Meta
	keys, err := ms.ListAccessKeys(ctx, q.p.Account, user)
	if err != nil {
		return nil, err
	}
	if len(keys) >= iam.MaxAccessKeysPerUser {
		return nil, errLimitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", iam.MaxAccessKeysPerUser)
	}
	id, secret := iam.NewAccessKeyID(), iam.NewSecret()
	now := q.rc.s.now().UTC()
	// The key is bound to the user authorized here: if that user was
	// deleted (and maybe re-created) meanwhile, the store refuses it.
	k := meta.AccessKey{AccessKeyID: id, Secret: q.rc.s.ident.keyring.EncryptSecret(id, secret), Account: q.p.Account, UserName: user, UserID: userID, Status: "Active", CreatedAt: now}
	if err := ms.PutAccessKey(ctx, k); errors.Is(err, meta.ErrNotFound) {
		return nil, errNoSuchEntity("The user with name %s cannot be found.", user)
	} else if err != nil {
		return nil, err
	}
	return struct {
		AccessKey xAccessKey `xml:"AccessKey"`
	}{xAccessKey{UserName: user, AccessKeyID: id, Status: "Active", SecretAccessKey: secret, CreateDate: isoTime(now)}}, nil
}

func iamListAccessKeys(q *queryCtx) (any, error) {
	user, _, err := q.keyOwner("iam:ListAccessKeys")
	if err != nil {
		return nil, err
	}
	keys, err := q.rc.s.cfg.Meta.ListAccessKeys(q.rc.r.Context(), q.p.Account, user)
	if err != nil {
		return nil, err
	}
	keys, page, err := pageOf(q, keys, func(k meta.AccessKey) string { return k.AccessKeyID })
	if err != nil {
		return nil, err
	}
	res := struct {
		UserName          string       `xml:"UserName,omitempty"`
		AccessKeyMetadata []xAccessKey `xml:"AccessKeyMetadata>member"`
		iamPage
	}{UserName: user, iamPage: page}
	for _, k := range keys {
		res.AccessKeyMetadata = append(res.AccessKeyMetadata, xAccessKey{UserName: k.UserName, AccessKeyID: k.AccessKeyID, Status: k.Status, CreateDate: isoTime(k.CreatedAt)})
	}
	return res, nil
}

// ownedKey finds an access key of user in the caller's account.
func (q *queryCtx) ownedKey(user string) (meta.AccessKey, error) {
	id, err := q.required("AccessKeyId")
	if err != nil {
		return meta.AccessKey{}, err
	}
	k, err := q.rc.s.cfg.Meta.GetAccessKey(q.rc.r.Context(), id)
	if errors.Is(err, meta.ErrNotFound) || (err == nil && (k.Account != q.p.Account || k.UserName != user)) {
		return k, errNoSuchEntity("The Access Key with id %s cannot be found.", id)
	}
	return k, err
}

func iamUpdateAccessKey(q *queryCtx) (any, error) {
	user, _, err := q.keyOwner("iam:UpdateAccessKey")
	if err != nil {
		return nil, err
	}
	status, err := q.required("Status")
	if err != nil {
		return nil, err
	}
	if status != "Active" && status != "Inactive" {
		return nil, errValidation("1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	k, err := q.ownedKey(user)
	if err != nil {
		return nil, err
	}
	return nil, q.rc.s.cfg.Meta.UpdateAccessKeyStatus(q.rc.r.Context(), k.AccessKeyID, status)
}

func iamDeleteAccessKey(q *queryCtx) (any, error) {
	user, _, err := q.keyOwner("iam:DeleteAccessKey")
	if err != nil {
		return nil, err
	}
	k, err := q.ownedKey(user)
	if err != nil {
		return nil, err
	}
	return nil, q.rc.s.cfg.Meta.DeleteAccessKey(q.rc.r.Context(), k.AccessKeyID)
}

// xKeyLastUsed is IAM's AccessKeyLastUsed, its elements in IAM's order.
type xKeyLastUsed struct {
	Region       string `xml:"Region"`
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	ServiceName  string `xml:"ServiceName"`
}

// iamGetAccessKeyLastUsed answers when a key of the caller's account last
// signed a request, for which service (the signing name: s3, s3-outposts,
// iam, sts) and region
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccessKeyLastUsed.html).
// It needs iam:GetAccessKeyLastUsed on the key's user (the account root
// for a root key). A key never used answers ServiceName and Region "N/A"
// and no LastUsedDate, as IAM does.
func iamGetAccessKeyLastUsed(q *queryCtx) (any, error) {
	const action = "iam:GetAccessKeyLastUsed"
	id, err := q.required("AccessKeyId")
	if err != nil {
		return nil, err
	}
	if len(id) < 16 || len(id) > 128 || strings.IndexFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
	}) >= 0 {
		return nil, errValidation("1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+ and have length between 16 and 128", id)
	}
	ctx := q.rc.r.Context()
	k, err := q.rc.s.cfg.Meta.GetAccessKey(ctx, id)
	if err != nil && !errors.Is(err, meta.ErrNotFound) {
		return nil, err
	}
	notFound := errNoSuchEntity("The Access Key with id %s cannot be found.", id)
	if err != nil || k.Account != q.p.Account {
		// Another account's key is as unknown as a missing one.
		if aerr := q.allowed(action, iam.EntityARN(q.p.Account, meta.KindUser, "/", "*")); aerr != nil {
			return nil, aerr
		}
		return nil, notFound
	}
	if k.UserName == "" {
		err = q.allowed(action, auth.ARNFor(k.Account, ""))
	} else {
		_, err = q.entity(meta.KindUser, k.UserName, action)
	}
	if err != nil {
		return nil, err
	}
	u, err := q.rc.s.accessKeyLastUsed(ctx, k.AccessKeyID)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, notFound // deleted meanwhile
	} else if err != nil {
		return nil, err
	}
	last := xKeyLastUsed{Region: "N/A", ServiceName: "N/A"}
	if !u.At.IsZero() {
		last = xKeyLastUsed{Region: u.Region, LastUsedDate: isoTime(u.At), ServiceName: u.Service}
	}
	return struct {
		AccessKeyLastUsed xKeyLastUsed `xml:"AccessKeyLastUsed"`
		UserName          string       `xml:"UserName,omitempty"`
	}{last, k.UserName}, nil
}

// ---- inline policies ----

func inlineLimit(k meta.EntityKind) int {
	switch k {
	case meta.KindRole:
		return policy.MaxRoleInlinePolicySize
	case meta.KindGroup:
		return 5120
	}
	return policy.MaxUserInlinePolicySize
}

func actionKind(k meta.EntityKind) string {
	switch k {
	case meta.KindGroup:
		return "Group"
	case meta.KindRole:
		return "Role"
	}
	return "User"
}

func inlinePut(k meta.EntityKind) queryHandler {
	return func(q *queryCtx) (any, error) {
		name, err := q.required(paramFor(k))
		if err != nil {
			return nil, err
		}
		pname, err := q.nameParam("PolicyName", 128)
		if err != nil {
			return nil, err
		}
		doc, err := q.required("PolicyDocument")
		if err != nil {
			return nil, err
		}
		e, err := q.entity(k, name, "iam:Put"+actionKind(k)+"Policy")
		if err != nil {
			return nil, err
		}
		if err := parseIdentityDoc(doc, inlineLimit(k), kindTitle(k)+" "+e.Name); err != nil {
			return nil, err
		}
		return nil, q.rc.s.ident.store.PutInlinePolicy(q.rc.r.Context(), e.Account, k, e.Name, meta.InlinePolicy{Name: pname, Document: doc})
	}
}

func inlineGet(k meta.EntityKind) queryHandler {
	return func(q *queryCtx) (any, error) {
		name, err := q.required(paramFor(k))
		if err != nil {
			return nil, err
		}
		pname, err := q.required("PolicyName")
		if err != nil {
			return nil, err
		}
		e, err := q.entity(k, name, "iam:Get"+actionKind(k)+"Policy")
		if err != nil {
			return nil, err
		}
		p, err := q.rc.s.ident.store.GetInlinePolicy(q.rc.r.Context(), e.Account, k, e.Name, pname)
		if errors.Is(err, meta.ErrNotFound) {
			return nil, errNoSuchEntity("The %s policy with name %s cannot be found.", kindTitle(k), pname)
		}
		if err != nil {
			return nil, err
		}
		res := struct {
			UserName       string `xml:"UserName,omitempty"`
			GroupName      string `xml:"GroupName,omitempty"`
			RoleName       string `xml:"RoleName,omitempty"`
			PolicyName     string `xml:"PolicyName"`
			PolicyDocument string `xml:"PolicyDocument"`
		}{PolicyName: p.Name, PolicyDocument: encodePolicy(p.Document)}
		switch k {
		case meta.KindUser:
			res.UserName = e.Name
		case meta.KindGroup:
			res.GroupName = e.Name
		default:
			res.RoleName = e.Name
		}
		return res, nil
	}
}

func inlineList(k meta.EntityKind) queryHandler {
	return func(q *queryCtx) (any, error) {
		e, err := q.namedEntity(k, "iam:List"+actionKind(k)+"Policies")
		if err != nil {
			return nil, err
		}
		ps, err := q.rc.s.ident.store.ListInlinePolicies(q.rc.r.Context(), e.Account, k, e.Name)
		if err != nil {
			return nil, err
		}
		ps, page, err := pageOf(q, ps, func(p meta.InlinePolicy) string { return p.Name })
		if err != nil {
			return nil, err
		}
		res := struct {
			PolicyNames []string `xml:"PolicyNames>member"`
			iamPage
		}{iamPage: page}
		for _, p := range ps {
			res.PolicyNames = append(res.PolicyNames, p.Name)
		}
		return res, nil
	}
}

func inlineDelete(k meta.EntityKind) queryHandler {
	return func(q *queryCtx) (any, error) {
		name, err := q.required(paramFor(k))
		if err != nil {
			return nil, err
		}
		pname, err := q.required("PolicyName")
		if err != nil {
			return nil, err
		}
		e, err := q.entity(k, name, "iam:Delete"+actionKind(k)+"Policy")
		if err != nil {
			return nil, err
		}
		err = q.rc.s.ident.store.DeleteInlinePolicy(q.rc.r.Context(), e.Account, k, e.Name, pname)
		if errors.Is(err, meta.ErrNotFound) {
			return nil, errNoSuchEntity("The %s policy with name %s cannot be found.", kindTitle(k), pname)
		}
		return nil, err
	}
}

// ---- groups ----

func iamCreateGroup(q *queryCtx) (any, error) {
	e, err := q.createEntity(meta.KindGroup, 128, iam.NewGroupID, nil)
	if err != nil {
		return nil, err
	}
	return struct {
		Group xGroup `xml:"Group"`
	}{groupXML(e)}, nil
}

func iamGetGroup(q *queryCtx) (any, error) {
	name, err := q.required("GroupName")
	if err != nil {
		return nil, err
	}
	e, err := q.entity(meta.KindGroup, name, "iam:GetGroup")
	if err != nil {
		return nil, err
	}
	users, err := q.rc.s.ident.store.ListGroupMembers(q.rc.r.Context(), e.Account, e.Name)
	if err != nil {
		return nil, err
	}
	users, page, err := pageOf(q, users, entityName)
	if err != nil {
		return nil, err
	}
	res := struct {
		Group xGroup  `xml:"Group"`
		Users []xUser `xml:"Users>member"`
		iamPage
	}{Group: groupXML(e), iamPage: page}
	for _, u := range users {
		res.Users = append(res.Users, userXML(u))
	}
	return res, nil
}

type groupList struct {
	Groups []xGroup `xml:"Groups>member"`
	iamPage
}

// groupPage is the page of groups (ordered by name) the request asks for.
func groupPage(q *queryCtx, all []meta.IAMEntity) (any, error) {
	gs, page, err := pageOf(q, all, entityName)
	if err != nil {
		return nil, err
	}
	res := groupList{iamPage: page}
	for _, g := range gs {
		res.Groups = append(res.Groups, groupXML(g))
	}
	return res, nil
}

func iamListGroups(q *queryCtx) (any, error) {
	es, err := q.listEntities(meta.KindGroup)
	if err != nil {
		return nil, err
	}
	return groupPage(q, es)
}

func iamListGroupsForUser(q *queryCtx) (any, error) {
	name, err := q.required("UserName")
	if err != nil {
		return nil, err
	}
	e, err := q.entity(meta.KindUser, name, "iam:ListGroupsForUser")
	if err != nil {
		return nil, err
	}
	gs, err := q.rc.s.ident.store.ListGroupsForUser(q.rc.r.Context(), e.Account, e.Name)
	if err != nil {
		return nil, err
	}
	return groupPage(q, gs)
}

func iamDeleteGroup(q *queryCtx) (any, error) {
	name, err := q.required("GroupName")
	if err != nil {
		return nil, err
	}
	e, err := q.entity(meta.KindGroup, name, "iam:DeleteGroup")
	if err != nil {
		return nil, err
	}
	return nil, q.rc.s.ident.store.DeleteIAMEntity(q.rc.r.Context(), e.Account, meta.KindGroup, e.Name)
}

func (q *queryCtx) groupAndUser(action string) (meta.IAMEntity, meta.IAMEntity, error) {
	gname, err := q.required("GroupName")
	if err != nil {
		return meta.IAMEntity{}, meta.IAMEntity{}, err
	}
	uname, err := q.required("UserName")
	if err != nil {
		return meta.IAMEntity{}, meta.IAMEntity{}, err
	}
	g, err := q.entity(meta.KindGroup, gname, action)
	if err != nil {
		return g, meta.IAMEntity{}, err
	}
	u, err := q.rc.s.ident.store.GetIAMEntity(q.rc.r.Context(), q.p.Account, meta.KindUser, uname)
	if errors.Is(err, meta.ErrNotFound) {
		return g, u, errNoSuchEntity("The user with name %s cannot be found.", uname)
	}
	return g, u, err
}

func iamAddUserToGroup(q *queryCtx) (any, error) {
	g, u, err := q.groupAndUser("iam:AddUserToGroup")
	if err != nil {
		return nil, err
	}
	return nil, q.rc.s.ident.store.AddUserToGroup(q.rc.r.Context(), q.p.Account, g.Name, u.Name)
}

func iamRemoveUserFromGroup(q *queryCtx) (any, error) {
	g, u, err := q.groupAndUser("iam:RemoveUserFromGroup")
	if err != nil {
		return nil, err
	}
	err = q.rc.s.ident.store.RemoveUserFromGroup(q.rc.r.Context(), q.p.Account, g.Name, u.Name)
	if errors.Is(err, meta.ErrNotFound) {
		return nil, errNoSuchEntity("The user with name %s is not a member of group %s.", u.Name, g.Name)
	}
	return nil, err
}

// ---- roles ----

// parseTrustPolicy validates an AssumeRolePolicyDocument: a resource
// policy (it names principals) of at most 2048 characters.
func parseTrustPolicy(doc string) error {
	if n := len(strings.Join(strings.Fields(doc), "")); n > 2048 {
		return errLimitExceeded("Cannot exceed quota for ACLSizePerRole: 2048")
	}
	if _, err := policy.ParseTrustPolicy([]byte(doc), 0); err != nil {
		return errMalformedPolicy("%s", err.Error())
	}
	return nil
}

func (q *queryCtx) maxSession(def int) (int, error) {
	n, err := q.intParam("MaxSessionDuration", def)
	if err != nil {
		return 0, err
	}
	if n < iam.MinRoleSession || n > iam.MaxRoleSession {
		return 0, errValidation("The requested MaxSessionDuration %d must be between %d and %d seconds.", n, iam.MinRoleSession, iam.MaxRoleSession)
	}
	return n, nil
}

func iamCreateRole(q *queryCtx) (any, error) {
	e, err := q.createEntity(meta.KindRole, 64, iam.NewRoleID, func(e *meta.IAMEntity) error {
		doc, err := q.required("AssumeRolePolicyDocument")
		if err != nil {
			return err
		}
		maxDur, err := q.maxSession(iam.MinRoleSession)
		if err != nil {
			return err
		}
		if err := parseTrustPolicy(doc); err != nil {
			return err
		}
		e.TrustPolicy, e.MaxSessionDuration, e.Description = doc, maxDur, q.get("Description")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Role xRole `xml:"Role"`
	}{roleXML(e)}, nil
}

func iamGetRole(q *queryCtx) (any, error) {
	name, err := q.required("RoleName")
	if err != nil {
		return nil, err
	}
	e, err := q.entity(meta.KindRole, name, "iam:GetRole")
	if err != nil {
		return nil, err
	}
	return struct {
		Role xRole `xml:"Role"`
	}{roleXML(e)}, nil
}

func iamListRoles(q *queryCtx) (any, error) {
	es, err := q.listEntities(meta.KindRole)
	if err != nil {
		return nil, err
	}
	es, page, err := pageOf(q, es, entityName)
	if err != nil {
		return nil, err
	}
	res := struct {
		Roles []xRole `xml:"Roles>member"`
		iamPage
	}{iamPage: page}
	for _, e := range es {
		res.Roles = append(res.Roles, roleXML(e))
	}
	return res, nil
}

func iamDeleteRole(q *queryCtx) (any, error) {
	name, err := q.required("RoleName")
	if err != nil {
		return nil, err
	}
	e, err := q.entity(meta.KindRole, name, "iam:DeleteRole")
	if err != nil {
		return nil, err
	}
	return nil, q.rc.s.ident.store.DeleteIAMEntity(q.rc.r.Context(), e.Account, meta.KindRole, e.Name)
}

func iamUpdateAssumeRolePolicy(q *queryCtx) (any, error) {
	name, err := q.required("RoleName")
	if err != nil {
		return nil, err
	}
	doc, err := q.required("PolicyDocument")
	if err != nil {
		return nil, err
	}
	e, err := q.entity(meta.KindRole, name, "iam:UpdateAssumeRolePolicy")
	if err != nil {
		return nil, err
	}
	if err := parseTrustPolicy(doc); err != nil {
		return nil, err
	}
	return nil, q.rc.s.ident.store.UpdateIAMEntity(q.rc.r.Context(), e.Account, meta.KindRole, e.Name, func(r *meta.IAMEntity) error {
		r.TrustPolicy = doc
		return nil
	})
}

func iamUpdateRole(q *queryCtx) (any, error) {
	name, err := q.required("RoleName")
	if err != nil {
		return nil, err
	}
	e, err := q.entity(meta.KindRole, name, "iam:UpdateRole")
	if err != nil {
		return nil, err
	}
	maxDur, err := q.maxSession(e.MaxSessionDuration)
	if err != nil {
		return nil, err
	}
	_, setDesc := q.form["Description"]
	return struct{}{}, q.rc.s.ident.store.UpdateIAMEntity(q.rc.r.Context(), e.Account, meta.KindRole, e.Name, func(r *meta.IAMEntity) error {
		r.MaxSessionDuration = maxDur
		if setDesc {
			r.Description = q.get("Description")
		}
		return nil
	})
}

// ---- managed policies ----

func iamCreatePolicy(q *queryCtx) (any, error) {
	st := q.rc.s.ident.store
	name, err := q.nameParam("PolicyName", 128)
	if err != nil {
		return nil, err
	}
	path, err := q.pathParam()
	if err != nil {
		return nil, err
	}
	doc, err := q.required("PolicyDocument")
	if err != nil {
		return nil, err
	}
	acct := q.p.Account
	a := iam.PolicyARN(acct, path, name)
	if err := q.allowed("iam:CreatePolicy", a); err != nil {
		return nil, err
	}
	if err := parseIdentityDoc(doc, policy.MaxManagedPolicySize, "policy "+name); err != nil {
		return nil, err
	}
	now := q.rc.s.now().UTC()
	p := meta.ManagedPolicy{Account: acct, Name: name, ARN: a, ID: iam.NewPolicyID(), Path: path, Document: doc,
		Description: q.get("Description"), CreatedAt: now, UpdatedAt: now}
	if err := st.CreateManagedPolicy(q.rc.r.Context(), p); errors.Is(err, meta.ErrConflict) {
		return nil, errEntityExists("A policy called %s already exists. Duplicate names are not allowed.", name)
	} else if err != nil {
		return nil, err
	}
	return struct {
		Policy xPolicy `xml:"Policy"`
	}{policyXML(p)}, nil
}

// managedPolicy resolves a PolicyArn: a customer policy of the caller's
// account or an AWS managed policy Outpost provides.
func (q *queryCtx) managedPolicy(action string) (meta.ManagedPolicy, error) {
	a, err := q.required("PolicyArn")
	if err != nil {
		return meta.ManagedPolicy{}, err
	}
	acct, path, name, ok := iam.ParsePolicyARN(a)
	if !ok {
		return meta.ManagedPolicy{}, errValidation("Invalid ARN %s: not a policy ARN.", a)
	}
	if err := q.allowed(action, a); err != nil {
		return meta.ManagedPolicy{}, err
	}
	if acct == "aws" {
		doc, ok := iam.AWSManagedPolicies[a]
		if !ok {
			return meta.ManagedPolicy{}, errNoSuchEntity("Policy %s does not exist or is not attachable.", a)
		}
		return meta.ManagedPolicy{Account: "aws", Name: name, ARN: a, ID: "ANPAOUTPOSTAWSMANAGED", Path: path, Document: doc}, nil
	}
	if acct != q.p.Account {
		return meta.ManagedPolicy{}, errNoSuchEntity("Policy %s does not exist or is not attachable.", a)
	}
	st := q.rc.s.ident.store
	p, err := st.GetManagedPolicy(q.rc.r.Context(), a)
	if errors.Is(err, meta.ErrNotFound) {
		return p, errNoSuchEntity("Policy %s does not exist or is not attachable.", a)
	}
	return p, err
}

func iamGetPolicy(q *queryCtx) (any, error) {
	p, err := q.managedPolicy("iam:GetPolicy")
	if err != nil {
		return nil, err
	}
	return struct {
		Policy xPolicy `xml:"Policy"`
	}{policyXML(p)}, nil
}

func iamGetPolicyVersion(q *queryCtx) (any, error) {
	p, err := q.managedPolicy("iam:GetPolicyVersion")
	if err != nil {
		return nil, err
	}
	if v := q.get("VersionId"); v != "v1" {
		return nil, errNoSuchEntity("Policy %s version %s does not exist.", p.ARN, v)
	}
	return struct {
		PolicyVersion struct {
			Document         string `xml:"Document"`
			VersionID        string `xml:"VersionId"`
			IsDefaultVersion bool   `xml:"IsDefaultVersion"`
			CreateDate       string `xml:"CreateDate"`
		} `xml:"PolicyVersion"`
	}{PolicyVersion: struct {
		Document         string `xml:"Document"`
		VersionID        string `xml:"VersionId"`
		IsDefaultVersion bool   `xml:"IsDefaultVersion"`
		CreateDate       string `xml:"CreateDate"`
	}{encodePolicy(p.Document), "v1", true, isoTime(p.CreatedAt)}}, nil
}

func iamListPolicies(q *queryCtx) (any, error) {
	st := q.rc.s.ident.store
	if err := q.allowed("iam:ListPolicies", iam.PolicyARN(q.p.Account, "/", "*")); err != nil {
		return nil, err
	}
	res := struct {
		Policies []xPolicy `xml:"Policies>member"`
		iamPage
	}{}
	scope := q.get("Scope")
	if scope == "" || scope == "All" || scope == "AWS" {
		for _, n := range iam.AWSManagedPolicyNames() {
			res.Policies = append(res.Policies, xPolicy{PolicyName: n, DefaultVersionID: "v1", PolicyID: "ANPAOUTPOSTAWSMANAGED", Path: "/",
				Arn: "arn:aws:iam::aws:policy/" + n, IsAttachable: true, CreateDate: isoTime(q.rc.s.now()), UpdateDate: isoTime(q.rc.s.now())})
		}
	}
	if scope == "" || scope == "All" || scope == "Local" {
		ps, err := st.ListManagedPolicies(q.rc.r.Context(), q.p.Account)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			res.Policies = append(res.Policies, policyXML(p))
		}
	}
	var err error
	res.Policies, res.iamPage, err = pageOf(q, res.Policies, func(p xPolicy) string { return p.Arn })
	if err != nil {
		return nil, err
	}
	return res, nil
}

func iamDeletePolicy(q *queryCtx) (any, error) {
	p, err := q.managedPolicy("iam:DeletePolicy")
	if err != nil {
		return nil, err
	}
	if p.Account == "aws" {
		return nil, qerr(403, "AccessDenied", "AWS managed policies cannot be deleted.")
	}
	return nil, q.rc.s.ident.store.DeleteManagedPolicy(q.rc.r.Context(), p.ARN)
}

func attach(k meta.EntityKind) queryHandler {
	return func(q *queryCtx) (any, error) {
		e, err := q.namedEntity(k, "iam:Attach"+actionKind(k)+"Policy")
		if err != nil {
			return nil, err
		}
		p, err := q.managedPolicy("iam:Attach" + actionKind(k) + "Policy")
		if err != nil {
			return nil, err
		}
		ctx := q.rc.r.Context()
		st := q.rc.s.ident.store
		cur, err := st.ListAttachedPolicies(ctx, e.Account, k, e.Name)
		if err != nil {
			return nil, err
		}
		if len(cur) >= iam.MaxManagedPerEntity && !contains(cur, p.ARN) {
			return nil, errLimitExceeded("Cannot exceed quota for PoliciesPerUser: %d", iam.MaxManagedPerEntity)
		}
		return nil, st.AttachPolicy(ctx, e.Account, k, e.Name, p.ARN)
	}
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func detach(k meta.EntityKind) queryHandler {
	return func(q *queryCtx) (any, error) {
		name, err := q.required(paramFor(k))
		if err != nil {
			return nil, err
		}
		a, err := q.required("PolicyArn")
		if err != nil {
			return nil, err
		}
		e, err := q.entity(k, name, "iam:Detach"+actionKind(k)+"Policy")
		if err != nil {
			return nil, err
		}
		err = q.rc.s.ident.store.DetachPolicy(q.rc.r.Context(), e.Account, k, e.Name, a)
		if errors.Is(err, meta.ErrNotFound) {
			return nil, errNoSuchEntity("Policy %s was not found.", a)
		}
		return nil, err
	}
}

func listAttached(k meta.EntityKind) queryHandler {
	return func(q *queryCtx) (any, error) {
		e, err := q.namedEntity(k, "iam:ListAttached"+actionKind(k)+"Policies")
		if err != nil {
			return nil, err
		}
		arns, err := q.rc.s.ident.store.ListAttachedPolicies(q.rc.r.Context(), e.Account, k, e.Name)
		if err != nil {
			return nil, err
		}
		arns, page, err := pageOf(q, arns, func(a string) string { return a })
		if err != nil {
			return nil, err
		}
		res := struct {
			AttachedPolicies []xAttached `xml:"AttachedPolicies>member"`
			iamPage
		}{iamPage: page}
		for _, a := range arns {
			_, _, n, _ := iam.ParsePolicyARN(a)
			res.AttachedPolicies = append(res.AttachedPolicies, xAttached{PolicyName: n, PolicyArn: a})
		}
		return res, nil
	}
}
