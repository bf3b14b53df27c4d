package policy

import (
	"bytes"
	"encoding/json"
)

// MarshalJSON writes p as a policy document with elements in the canonical
// order (Version, Id, Statement; Sid, Effect, Principal, Action, Resource,
// Condition). Lists are always written as arrays and condition values as
// strings, so parsing the output yields an equivalent policy.
func (p *Policy) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	field := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(&b, name)
		b.WriteByte(':')
	}
	if p.Version != "" {
		field("Version")
		writeString(&b, p.Version)
	}
	if p.ID != "" {
		field("Id")
		writeString(&b, p.ID)
	}
	field("Statement")
	b.WriteByte('[')
	for i := range p.Statements {
		if i > 0 {
			b.WriteByte(',')
		}
		p.Statements[i].marshal(&b)
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

func (s *Statement) marshal(b *bytes.Buffer) {
	b.WriteByte('{')
	first := true
	field := func(name string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, name)
		b.WriteByte(':')
	}
	if s.Sid != "" {
		field("Sid")
		writeString(b, s.Sid)
	}
	field("Effect")
	writeString(b, string(s.Effect))
	if s.Principal != nil {
		field("Principal")
		s.Principal.marshal(b)
	}
	if s.NotPrincipal != nil {
		field("NotPrincipal")
		s.NotPrincipal.marshal(b)
	}
	for _, l := range []struct {
		name string
		vals []string
	}{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}} {
		if l.vals != nil {
			field(l.name)
			writeList(b, l.vals)
		}
	}
	if len(s.Conditions) > 0 {
		field("Condition")
		b.WriteByte('{')
		for i := 0; i < len(s.Conditions); {
			op := s.Conditions[i].Operator
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, op)
			b.WriteString(":{")
			for j := i; j < len(s.Conditions) && s.Conditions[j].Operator == op; j++ {
				if j > i {
					b.WriteByte(',')
				}
				writeString(b, s.Conditions[j].Key)
				b.WriteByte(':')
				writeList(b, s.Conditions[j].Values)
				i = j
			}
			i++
			b.WriteByte('}')
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
}

func (p *Principals) marshal(b *bytes.Buffer) {
	if p.star {
		b.WriteString(`"*"`)
		return
	}
	b.WriteByte('{')
	first := true
	for _, l := range []struct {
		name string
		vals []string
	}{{"AWS", p.AWS}, {"Service", p.Service}, {"CanonicalUser", p.CanonicalUser}, {"Federated", p.Federated}} {
		if l.vals == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, l.name)
		b.WriteByte(':')
		writeList(b, l.vals)
	}
	b.WriteByte('}')
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}

func writeList(b *bytes.Buffer, vals []string) {
	b.WriteByte('[')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, v)
	}
	b.WriteByte(']')
}
