package server

import "github.com/outpost-s3/outpost/internal/meta"

// viaAccessPoint is the access point a data request came through
// (accesspoint.go), nil when it addressed the bucket directly.
func (rc *reqCtx) viaAccessPoint() *meta.AccessPoint { return rc.ap }

// sourceVpcID and sourceVpceID fill aws:SourceVpc and aws:SourceVpce: the
// network (VPC) and S3 on Outposts endpoint the request arrived from
// (network.go), "" when none.
func (rc *reqCtx) sourceVpcID() string  { return rc.sourceVpc() }
func (rc *reqCtx) sourceVpceID() string { return rc.sourceVpce() }
