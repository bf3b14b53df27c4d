package policy

import (
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tLit   tokKind = iota // literal text
	tStar                 // '*': any run of characters, possibly empty
	tQuest                // '?': exactly one character
)

// tok is one element of a compiled wildcard pattern. Text that came from a
// policy variable is always literal (fromVar), so a user name containing
// '*' cannot widen a Resource.
type tok struct {
	kind    tokKind
	s       string
	fromVar bool
}

// compile turns a policy string into a pattern. With vars, "${key}" is
// replaced by the request's value for key ("${*}", "${?}" and "${$}" stand
// for the literal characters, and "${key, 'default'}" supplies a default).
// With wild, '*' and '?' outside variables are wildcards; otherwise they
// are literal. ok is false if a variable cannot be resolved.
func compile(v string, r *Request, vars, wild bool) (pat []tok, ok bool) {
	lit := func(s string, fromVar bool) {
		if s == "" {
			return
		}
		if n := len(pat); n > 0 && pat[n-1].kind == tLit && pat[n-1].fromVar == fromVar {
			pat[n-1].s += s
			return
		}
		pat = append(pat, tok{kind: tLit, s: s, fromVar: fromVar})
	}
	start := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case vars && c == '$' && i+1 < len(v) && v[i+1] == '{':
			end := strings.IndexByte(v[i:], '}')
			if end < 0 {
				return nil, false
			}
			lit(v[start:i], false)
			val, ok := resolveVariable(v[i+2:i+end], r)
			if !ok {
				return nil, false
			}
			lit(val, true)
			i += end
			start = i + 1
		case wild && (c == '*' || c == '?'):
			lit(v[start:i], false)
			k := tStar
			if c == '?' {
				k = tQuest
			}
			pat = append(pat, tok{kind: k})
			start = i + 1
		}
	}
	lit(v[start:], false)
	return pat, true
}

// checkVariables reports whether every "${" in v is closed.
func checkVariables(v string) (int, bool) {
	n := 0
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			return n, true
		}
		j := strings.IndexByte(v[i:], '}')
		if j < 0 {
			return n, false
		}
		n++
		v = v[i+j+1:]
	}
}

// resolveVariable resolves the inside of "${...}".
// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html.
func resolveVariable(name string, r *Request) (string, bool) {
	switch name {
	case "*", "?", "$":
		return name, true
	}
	key, def, hasDef := strings.Cut(name, ",")
	key = strings.TrimSpace(key)
	if vals, ok := r.lookup(key); ok && len(vals) == 1 {
		return vals[0], true
	}
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
			return def[1 : len(def)-1], true
		}
	}
	// Unknown, multi-valued (AWS substitutes single-valued keys only) or
	// absent: the policy element cannot match.
	return "", false
}

// substitute resolves variables in v and returns plain text.
func substitute(v string, r *Request) (string, bool) {
	pat, ok := compile(v, r, true, false)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, t := range pat {
		b.WriteString(t.s)
	}
	return b.String(), true
}

// globTokens matches s against the pattern. With fold, literal text is
// compared case-insensitively (the caller lower-cases both sides).
func globTokens(p []tok, s string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for {
		if pi < len(p) {
			t := p[pi]
			switch t.kind {
			case tStar:
				starP, starS = pi, si
				pi++
				continue
			case tQuest:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					pi++
					continue
				}
			case tLit:
				if strings.HasPrefix(s[si:], t.s) {
					si += len(t.s)
					pi++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		// Mismatch: let the last star absorb one more character.
		if starP < 0 || starS >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		pi, si = starP+1, starS
	}
}

// wildcardMatch matches s against a pattern with '*' and '?' wildcards,
// optionally case-insensitively (for actions).
func wildcardMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == s
	}
	pat, _ := compile(pattern, nil, false, true)
	return globTokens(pat, s)
}

// splitARNPattern splits a pattern into the six colon-separated ARN
// segments, treating only ':' written in the policy (not inside a variable
// value) as a separator; the sixth segment keeps any further colons.
func splitARNPattern(p []tok) [][]tok {
	segs := make([][]tok, 1, 6)
	for _, t := range p {
		if t.kind != tLit || t.fromVar || len(segs) == 6 {
			segs[len(segs)-1] = append(segs[len(segs)-1], t)
			continue
		}
		s := t.s
		for len(segs) < 6 {
			i := strings.IndexByte(s, ':')
			if i < 0 {
				break
			}
			if i > 0 {
				segs[len(segs)-1] = append(segs[len(segs)-1], tok{kind: tLit, s: s[:i]})
			}
			segs = append(segs, nil)
			s = s[i+1:]
		}
		if s != "" {
			segs[len(segs)-1] = append(segs[len(segs)-1], tok{kind: tLit, s: s})
		}
	}
	return segs
}

// arnPatternMatch implements ArnLike/ArnEquals and Resource matching: each
// of the six colon-delimited components is matched separately, so a
// wildcard never spans components
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
// A pattern that is just "*" matches anything.
func arnPatternMatch(p []tok, s string) bool {
	if len(p) == 1 && p[0].kind == tStar {
		return true
	}
	segs := splitARNPattern(p)
	if len(segs) != 6 {
		// Fewer than six components can never match a six-component ARN.
		return false
	}
	var parts [6]string
	rest := s
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return false
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	parts[5] = rest
	for i, seg := range segs {
		if !globTokens(seg, parts[i]) {
			return false
		}
	}
	return true
}

// arnLike matches an ARN against a policy ARN pattern without variables.
func arnLike(pattern, s string) bool {
	pat, _ := compile(pattern, nil, false, true)
	return arnPatternMatch(pat, s)
}
