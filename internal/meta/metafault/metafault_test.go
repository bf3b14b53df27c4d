package metafault

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/outpost-s3/outpost/internal/meta"
)

// TestEveryMethodFailsWhileDown calls every meta.Store method (but Close)
// on a down wrapper around nothing: a method the wrapper forgot to
// override would reach the nil store and panic.
func TestEveryMethodFailsWhileDown(t *testing.T) {
	s := New(nil)
	s.SetDown(true)
	v := reflect.ValueOf(s)
	it := reflect.TypeOf((*meta.Store)(nil)).Elem()
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
			}
		}()
	}
}
