package server

import (
	"context"
	"encoding/hex"
)

func hexString(b []byte) string { return hex.EncodeToString(b) }

// commitCtx is the context for committing a write whose body was received
// in full: a client that hangs up now does not undo an upload it finished
// sending.
func (rc *reqCtx) commitCtx() context.Context {
	return context.WithoutCancel(rc.r.Context())
}
