package server

// sourceVpcID and sourceVpceID fill aws:SourceVpc and aws:SourceVpce: the
// network (VPC) and S3 on Outposts endpoint the request arrived from
// (network.go), "" when none.
func (rc *reqCtx) sourceVpcID() string  { return rc.sourceVpc() }
func (rc *reqCtx) sourceVpceID() string { return rc.sourceVpce() }
