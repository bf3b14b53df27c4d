package metafault

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/outpost-s3/outpost/internal/meta"
	"github.com/outpost-s3/outpost/internal/meta/metatest"
	"github.com/outpost-s3/outpost/internal/meta/sqlmeta"
)

// TestEveryMethodFailsWhileDown calls every meta.Store method (but Close),
// objects, IAM and S3 on Outposts parts alike, on a down wrapper around
// nothing: a method that reached the wrapped store would panic on the nil
// store. Each must fail with ErrUnavailable under its own name, the name
// SetDown selects it by.
func TestEveryMethodFailsWhileDown(t *testing.T) {
	s := New(nil)
	s.SetDown(true)
	v := reflect.ValueOf(s)
	it := reflect.TypeFor[meta.Store]()
	for i := 0; i < it.NumMethod(); i++ {
		name := it.Method(i).Name
		if name == "Close" {
			continue
		}
		m := v.MethodByName(name)
		args := make([]reflect.Value, m.Type().NumIn())
		for j := range args {
			args[j] = reflect.Zero(m.Type().In(j))
		}
		args[0] = reflect.ValueOf(context.Background())
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s is not overridden: it reached the wrapped store (%v)", name, r)
				}
			}()
			out := m.Call(args)
			err, _ := out[len(out)-1].Interface().(error)
			if !errors.Is(err, meta.ErrUnavailable) {
				t.Errorf("%s while down = %v, want ErrUnavailable", name, err)
			} else if !strings.Contains(err.Error(), " "+name+": ") {
				t.Errorf("%s while down fails as %q, not under its own name", name, err)
			}
		}()
	}
}

// TestNoMethodIsPromoted: the wrapper embeds nothing, so every meta.Store
// method is one it defines with its fault check; a method added to the
// interface and not to the wrapper breaks the build instead of bypassing
// the faults.
func TestNoMethodIsPromoted(t *testing.T) {
	st := reflect.TypeFor[Store]()
	for i := 0; i < st.NumField(); i++ {
		if f := st.Field(i); f.Anonymous {
			t.Errorf("Store embeds %s: its methods would reach the wrapped store around the faults", f.Type)
		}
	}
}

// TestOnlyNamedMethodsFail: SetDown with names fails those methods, IAM
// and S3 on Outposts ones included, and passes the others through.
func TestOnlyNamedMethodsFail(t *testing.T) {
	s := New(open(t))
	ctx := context.Background()
	s.SetDown(true, "IdentityPolicies", "GetNetwork")
	if _, _, err := s.IdentityPolicies(ctx, "111122223333", meta.KindUser, "alice", "AIDAEXAMPLE"); !errors.Is(err, meta.ErrUnavailable) {
		t.Errorf("IdentityPolicies while named down = %v, want ErrUnavailable", err)
	}
	if _, err := s.GetNetwork(ctx, "vpc-1"); !errors.Is(err, meta.ErrUnavailable) {
		t.Errorf("GetNetwork while named down = %v, want ErrUnavailable", err)
	}
	if _, err := s.GetIAMEntity(ctx, "111122223333", meta.KindUser, "alice"); !errors.Is(err, meta.ErrNotFound) {
		t.Errorf("GetIAMEntity, not named, = %v, want the store's ErrNotFound", err)
	}
	if got := s.Fails.Load(); got != 2 {
		t.Errorf("Fails = %d, want 2", got)
	}
	s.SetDown(false)
	if _, err := s.GetNetwork(ctx, "vpc-1"); !errors.Is(err, meta.ErrNoSuchNetwork) {
		t.Errorf("GetNetwork once up = %v, want the store's ErrNoSuchNetwork", err)
	}
}

// The wrapper, up, is the store it wraps: it passes the conformance
// suites of every part, which proves each method hands its arguments and
// results through unchanged.
func TestConformanceThroughWrapper(t *testing.T) {
	metatest.Run(t, func(t *testing.T) meta.Store { return New(open(t)) })
}

func TestIAMConformanceThroughWrapper(t *testing.T) {
	metatest.RunIAM(t, func(t *testing.T) meta.Store { return New(open(t)) })
}

func TestOutpostsConformanceThroughWrapper(t *testing.T) {
	metatest.RunOutposts(t, func(t *testing.T) meta.Store { return New(open(t)) })
}

func open(t *testing.T) meta.Store {
	t.Helper()
	s, err := sqlmeta.OpenSQLite(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
