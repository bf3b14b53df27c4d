package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// opFamily groups condition operators by how they compare values.
type opFamily uint8

const (
	famString opFamily = iota + 1
	famStringIgnoreCase
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

// cmp is the comparison of a numeric or date operator.
type cmp uint8

const (
	cmpEq cmp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type setQualifier uint8

const (
	setNone setQualifier = iota
	setAnyValue
	setAllValues
)

// opSpec is a parsed condition operator name.
type opSpec struct {
	family   opFamily
	cmp      cmp
	negated  bool // StringNotEquals, NotIpAddress, ArnNotLike, ...
	ifExists bool
	set      setQualifier
}

// baseOperators maps every operator name, without qualifier or IfExists,
// to its spec. The list is the complete one from the IAM reference.
var baseOperators = map[string]opSpec{
	"StringEquals":              {family: famString},
	"StringNotEquals":           {family: famString, negated: true},
	"StringEqualsIgnoreCase":    {family: famStringIgnoreCase},
	"StringNotEqualsIgnoreCase": {family: famStringIgnoreCase, negated: true},
	"StringLike":                {family: famStringLike},
	"StringNotLike":             {family: famStringLike, negated: true},
	"NumericEquals":             {family: famNumeric, cmp: cmpEq},
	"NumericNotEquals":          {family: famNumeric, cmp: cmpEq, negated: true},
	"NumericLessThan":           {family: famNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {family: famNumeric, cmp: cmpLe},
	"NumericGreaterThan":        {family: famNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {family: famNumeric, cmp: cmpGe},
	"DateEquals":                {family: famDate, cmp: cmpEq},
	"DateNotEquals":             {family: famDate, cmp: cmpEq, negated: true},
	"DateLessThan":              {family: famDate, cmp: cmpLt},
	"DateLessThanEquals":        {family: famDate, cmp: cmpLe},
	"DateGreaterThan":           {family: famDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {family: famDate, cmp: cmpGe},
	"Bool":                      {family: famBool},
	"BinaryEquals":              {family: famBinary},
	"IpAddress":                 {family: famIP},
	"NotIpAddress":              {family: famIP, negated: true},
	"ArnEquals":                 {family: famArn},
	"ArnNotEquals":              {family: famArn, negated: true},
	"ArnLike":                   {family: famArn},
	"ArnNotLike":                {family: famArn, negated: true},
	"Null":                      {family: famNull},
}

// parseOperator parses "[ForAnyValue:|ForAllValues:]Base[IfExists]".
// Operator names are case-sensitive in AWS.
func parseOperator(name string) (opSpec, bool) {
	set := setNone
	rest := name
	if r, ok := strings.CutPrefix(rest, "ForAnyValue:"); ok {
		set, rest = setAnyValue, r
	} else if r, ok := strings.CutPrefix(rest, "ForAllValues:"); ok {
		set, rest = setAllValues, r
	}
	ifExists := false
	if r, ok := strings.CutSuffix(rest, "IfExists"); ok && rest != "IfExists" {
		ifExists, rest = true, r
	}
	spec, ok := baseOperators[rest]
	if !ok || (ifExists && spec.family == famNull) {
		return opSpec{}, false
	}
	spec.ifExists, spec.set = ifExists, set
	return spec, true
}

// conditionValues decodes a condition value: a string, number or boolean,
// or an array of them. Numbers and booleans keep their JSON spelling.
func conditionValues(raw json.RawMessage) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	scalar := func(x any) (string, bool) {
		switch t := x.(type) {
		case string:
			return t, true
		case json.Number:
			return t.String(), true
		case bool:
			return strconv.FormatBool(t), true
		}
		return "", false
	}
	if arr, ok := v.([]any); ok {
		if len(arr) == 0 {
			return nil, false
		}
		out := make([]string, 0, len(arr))
		for _, x := range arr {
			s, ok := scalar(x)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := scalar(v)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}

func parseConditions(raw json.RawMessage, vars bool) ([]Condition, *Error) {
	ops, err := objectMembers(raw, "Condition")
	if err != nil {
		return nil, err.(*Error)
	}
	var out []Condition
	for _, o := range ops {
		spec, ok := parseOperator(o.name)
		if !ok {
			return nil, &Error{Message: "Invalid Condition type : " + o.name}
		}
		keys, err := objectMembers(o.value, "Condition "+o.name)
		if err != nil {
			return nil, err.(*Error)
		}
		if len(keys) == 0 {
			return nil, &Error{Message: "Condition " + o.name + " has no keys"}
		}
		// Sort keys for a deterministic order regardless of JSON map order.
		sort.SliceStable(keys, func(i, j int) bool { return keys[i].name < keys[j].name })
		for _, k := range keys {
			if k.name == "" {
				return nil, &Error{Message: "Policy has an invalid condition key: empty key"}
			}
			vals, ok := conditionValues(k.value)
			if !ok {
				return nil, &Error{Message: fmt.Sprintf("Invalid Condition value for %s %s: values must be strings, numbers or booleans", o.name, k.name)}
			}
			c := Condition{Operator: o.name, Key: k.name, Values: vals, op: spec}
			if e := validateValues(c, vars); e != nil {
				return nil, e
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// validateValues rejects values the operator can never match, so that a
// typo fails at PUT time instead of silently never matching.
func validateValues(c Condition, vars bool) *Error {
	bad := func(v, want string) *Error {
		return &Error{Message: fmt.Sprintf("Invalid Condition value %q for %s on %s: %s", v, c.Operator, c.Key, want)}
	}
	for _, v := range c.Values {
		if vars && strings.Contains(v, "${") && (c.op.family == famString || c.op.family == famStringIgnoreCase || c.op.family == famStringLike || c.op.family == famArn) {
			if _, ok := checkVariables(v); !ok {
				return bad(v, "unterminated policy variable")
			}
			continue
		}
		switch c.op.family {
		case famNumeric:
			if _, ok := parseNumber(v); !ok {
				return bad(v, "expected a number")
			}
		case famDate:
			if _, ok := parseDate(v); !ok {
				return bad(v, "expected an ISO 8601 date or epoch seconds")
			}
		case famBool, famNull:
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return bad(v, "expected true or false")
			}
		case famBinary:
			if _, err := base64.StdEncoding.DecodeString(v); err != nil {
				return bad(v, "expected base64")
			}
		case famIP:
			if _, ok := parseCIDR(v); !ok {
				return bad(v, "expected an IPv4 or IPv6 address or CIDR block")
			}
		}
	}
	return nil
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

// dateLayouts are the ISO 8601 forms AWS accepts in Date conditions
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date).
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z",
}

// parseDate parses an ISO 8601 date-time (UTC when no zone is given) or a
// POSIX epoch in seconds.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eE") {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseCIDR(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

func parseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// ConditionResult explains how one condition was evaluated.
type ConditionResult struct {
	Operator      string
	Key           string
	Values        []string // policy values after variable substitution
	RequestValues []string // nil when the key is absent from the request
	Present       bool     // the key is in the request context
	Matched       bool
	Note          string // why, in words
}

// evalCondition evaluates c against the request. ok is false when a policy
// variable in a value could not be resolved; the statement then does not
// apply.
func evalCondition(c *Condition, r *Request, vars bool, explain bool) (res ConditionResult, ok bool) {
	reqVals, present := r.lookup(c.Key)
	res = ConditionResult{Operator: c.Operator, Key: c.Key, Present: present}
	if explain {
		res.RequestValues = reqVals
	}
	// Resolve policy values. Variables are substituted for String and ARN
	// operators only: AWS supports them nowhere else in conditions.
	// StringLike and Arn* values become wildcard patterns.
	vals := c.Values
	var pats [][]tok
	subst := vars && (c.op.family == famString || c.op.family == famStringIgnoreCase || c.op.family == famStringLike || c.op.family == famArn)
	if c.op.family == famStringLike || c.op.family == famArn {
		pats = make([][]tok, len(vals))
		var shown []string
		for i, v := range vals {
			p, ok := compile(v, r, subst, true)
			if !ok {
				res.Note = "policy variable in " + strconv.Quote(v) + " cannot be resolved"
				return res, false
			}
			pats[i] = p
			if explain {
				var b strings.Builder
				for _, t := range p {
					switch t.kind {
					case tStar:
						b.WriteByte('*')
					case tQuest:
						b.WriteByte('?')
					default:
						b.WriteString(t.s)
					}
				}
				shown = append(shown, b.String())
			}
		}
		if explain {
			res.Values = shown
		}
	} else {
		if subst {
			var sub []string
			for i, v := range c.Values {
				if !strings.Contains(v, "${") {
					if sub != nil {
						sub = append(sub, v)
					}
					continue
				}
				if sub == nil {
					sub = append(make([]string, 0, len(c.Values)), c.Values[:i]...)
				}
				s, ok := substitute(v, r)
				if !ok {
					res.Note = "policy variable in " + strconv.Quote(v) + " cannot be resolved"
					return res, false
				}
				sub = append(sub, s)
			}
			if sub != nil {
				vals = sub
			}
		}
		if explain {
			res.Values = vals
		}
	}

	if c.op.family == famNull {
		// Null: true means "the key is absent"; an empty set counts as absent.
		absent := !present || len(reqVals) == 0
		want := strings.EqualFold(vals[0], "true")
		res.Matched = absent == want
		if len(vals) > 1 {
			// Several values are OR'd like any other operator.
			res.Matched = false
			for _, v := range vals {
				if absent == strings.EqualFold(v, "true") {
					res.Matched = true
				}
			}
		}
		res.Note = fmt.Sprintf("key absent=%v", absent)
		return res, true
	}

	if !present || (c.op.set != setNone && len(reqVals) == 0) {
		switch {
		case c.op.ifExists:
			res.Matched, res.Note = true, "key absent; …IfExists is true"
		case c.op.set == setAllValues:
			// AWS: ForAllValues is true when the key is missing or its value set is empty.
			res.Matched, res.Note = true, "key absent or empty; ForAllValues is vacuously true"
		case c.op.set == setAnyValue:
			res.Matched, res.Note = false, "key absent or empty; ForAnyValue is false"
		case c.op.negated:
			res.Matched, res.Note = true, "key absent; negated operator is true"
		default:
			res.Matched, res.Note = false, "key absent"
		}
		return res, true
	}

	// one reports whether a single request value satisfies the operator,
	// including its negation: the positive form matches if any policy value
	// matches, the negated form if none does.
	one := func(rv string) bool {
		m := false
		for i := range vals {
			if positiveMatch(c.op, vals[i], pats, i, rv) {
				m = true
				break
			}
		}
		return m != c.op.negated
	}
	switch c.op.set {
	case setAnyValue:
		for _, rv := range reqVals {
			if one(rv) {
				res.Matched = true
				break
			}
		}
	case setAllValues:
		res.Matched = true
		for _, rv := range reqVals {
			if !one(rv) {
				res.Matched = false
				break
			}
		}
	default:
		// A single-valued operator on a multi-valued key: the positive form
		// is true if any request value matches any policy value; the negated
		// form is true only if no request value matches.
		any := false
		for _, rv := range reqVals {
			for i := range vals {
				if positiveMatch(c.op, vals[i], pats, i, rv) {
					any = true
					break
				}
			}
			if any {
				break
			}
		}
		res.Matched = any != c.op.negated
	}
	if res.Matched {
		res.Note = "matched"
	} else {
		res.Note = "did not match"
	}
	return res, true
}

// positiveMatch compares one policy value with one request value using the
// non-negated form of the operator.
// pats holds the compiled patterns for StringLike and Arn operators.
func positiveMatch(op opSpec, pv string, pats [][]tok, i int, rv string) bool {
	switch op.family {
	case famString:
		return pv == rv
	case famStringIgnoreCase:
		return strings.EqualFold(pv, rv)
	case famStringLike:
		return globTokens(pats[i], rv)
	case famNumeric:
		p, ok1 := parseNumber(pv)
		q, ok2 := parseNumber(rv)
		return ok1 && ok2 && compare(op.cmp, cmpFloat(q, p))
	case famDate:
		p, ok1 := parseDate(pv)
		q, ok2 := parseDate(rv)
		return ok1 && ok2 && compare(op.cmp, q.Compare(p))
	case famBool:
		return strings.EqualFold(pv, rv)
	case famBinary:
		p, err1 := base64.StdEncoding.DecodeString(pv)
		q, err2 := base64.StdEncoding.DecodeString(rv)
		return err1 == nil && err2 == nil && bytes.Equal(p, q)
	case famIP:
		p, ok1 := parseCIDR(pv)
		a, ok2 := parseIP(rv)
		return ok1 && ok2 && p.Contains(a)
	case famArn:
		return arnPatternMatch(pats[i], rv)
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare reports whether "request <cmp> policy" holds given c = sign(request - policy).
func compare(op cmp, c int) bool {
	switch op {
	case cmpEq:
		return c == 0
	case cmpLt:
		return c < 0
	case cmpLe:
		return c <= 0
	case cmpGt:
		return c > 0
	case cmpGe:
		return c >= 0
	}
	return false
}
