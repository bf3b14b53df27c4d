package server

import (
	"context"
	"encoding/hex"
)

func hexString(b []byte) string { return hex.EncodeToString(b) }

// detachedContext is for cleanup that must finish even when the request's
// context is cancelled (client gone).
func detachedContext() context.Context {
	return context.Background()
}
