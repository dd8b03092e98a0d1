package rules

import "strings"

// builtin writes a library operation in Java or C++; one the emitter does not map is reported.
func (e *cfEmit) builtin(x *Expr) string {
	a := func(i int) string { return e.expr(x.Args[i]) }
	p := func(i int) string { return e.paren(x.Args[i]) }
	t := func(i int) Type { return x.Args[i].T }
	n := len(x.Args)
	flt := func(i int) string { return e.conv(x.Args[i], tFloat) }
	fail := func() string {
		lang := "C++"
		if e.java {
			lang = "Java"
		}
		e.add(x.Line, "%s on %s in %s", x.Op, argTypes(x), lang)
		return "0"
	}
	mathF := func(f string) string {
		var as []string
		for i := range x.Args {
			as = append(as, flt(i))
		}
		if e.java {
			return "Math." + f + "(" + strings.Join(as, ", ") + ")"
		}
		return "std::" + f + "(" + strings.Join(as, ", ") + ")"
	}
	vecOK := func(i int) bool { return !(x.Args[i].K == EName && e.ptr[x.Args[i].Op]) }
	switch x.Op {
	case "len":
		switch t(0).K {
		case TList:
			if e.java {
				return p(0) + ".length"
			}
			if !vecOK(0) {
				return fail()
			}
			return "(long long) " + p(0) + ".size()"
		case TString:
			if e.java {
				return p(0) + ".length()"
			}
			return "(long long) " + p(0) + ".size()"
		case TMap, TSet:
			if e.java {
				return p(0) + ".size()"
			}
			return "(long long) " + p(0) + ".size()"
		}
		return fail()
	case "min", "max":
		if x.T.K == TString || x.T.K == TList || n < 2 {
			return fail()
		}
		var as []string
		for i := range x.Args {
			as = append(as, e.conv(x.Args[i], x.T))
		}
		s := as[0]
		for _, o := range as[1:] {
			if e.java {
				s = "Math." + x.Op + "(" + s + ", " + o + ")"
			} else {
				s = "std::" + x.Op + "<" + e.typ(x.T, x.Line) + ">(" + s + ", " + o + ")"
			}
		}
		return s
	case "minOf", "maxOf":
		el := t(0).elem()
		if t(0).K != TList || !(el.K == TInt || el.K == TFloat) || n != 1 {
			return fail()
		}
		op := strings.TrimSuffix(x.Op, "Of")
		if e.java {
			s := "java.util.Arrays.stream(" + a(0) + ")." + op + "()"
			if el.K == TFloat {
				return s + ".getAsDouble()"
			}
			if el.Bits == 32 {
				return s + ".getAsInt()"
			}
			return s + ".getAsLong()"
		}
		if !vecOK(0) {
			return fail()
		}
		f := "std::min_element"
		if op == "max" {
			f = "std::max_element"
		}
		// at(): an empty list raises, as Python's max([]) does.
		return p(0) + ".at(" + f + "(" + p(0) + ".begin(), " + p(0) + ".end()) - " + p(0) + ".begin())"
	case "abs":
		if x.T.K == TFloat || t(0).K == TFloat {
			return mathF("abs")
		}
		if e.java {
			return "Math.abs(" + e.conv(x.Args[0], x.T) + ")"
		}
		if x.T.Bits == 32 {
			return "std::abs(" + a(0) + ")"
		}
		return "std::llabs(" + a(0) + ")"
	case "fabs":
		return mathF("abs")
	case "sqrt", "log", "log10", "exp", "sin", "cos", "tan", "atan", "asin", "acos", "atan2", "hypot", "cbrt", "floor", "ceil":
		if x.Op == "log" && n == 2 {
			return "(" + logOf(e, flt(0)) + " / " + logOf(e, flt(1)) + ")"
		}
		return mathF(x.Op)
	case "log2":
		if e.java {
			return "(Math.log(" + flt(0) + ") / Math.log(2.0))"
		}
		return mathF("log2")
	case "fpow":
		return mathF("pow")
	case "ifloor", "iceil", "itrunc":
		f := map[string]string{"ifloor": "floor", "iceil": "ceil", "itrunc": ""}[x.Op]
		s := flt(0)
		if f != "" {
			s = mathF(f)
		}
		return "(" + e.typ(x.T, x.Line) + ") " + "(" + s + ")"
	case "jround":
		if e.java {
			return "Math.round(" + flt(0) + ")"
		}
		return "(long long) std::floor(" + flt(0) + " + 0.5)"
	case "round":
		if n != 1 {
			return fail()
		}
		if e.java {
			return "(long) Math.rint(" + flt(0) + ")"
		}
		return "(long long) std::nearbyint(" + flt(0) + ")" // rounds halves to even, as Python's round does
	case "pow":
		if n != 2 {
			return fail()
		}
		if x.T.K == TFloat {
			return mathF("pow")
		}
		if e.java {
			e.helpers["weftPow"] = true
			return "weftPow(" + a(0) + ", " + a(1) + ")"
		}
		e.helpers["weft_pow"] = true
		return "weft_pow(" + a(0) + ", " + a(1) + ")"
	case "gcd":
		if e.java {
			e.helpers["weftGcd"] = true
			return "weftGcd(" + a(0) + ", " + a(1) + ")"
		}
		e.helpers["weft_gcd"] = true
		return "weft_gcd(" + a(0) + ", " + a(1) + ")"
	case "floorMod", "floorDiv":
		if e.java {
			return "Math." + x.Op + "(" + a(0) + ", " + a(1) + ")"
		}
		h := "weft_mod"
		if x.Op == "floorDiv" {
			h = "weft_floordiv"
		}
		e.helpers[h] = true
		return h + "(" + a(0) + ", " + a(1) + ")"
	case "inf":
		if e.java {
			return "Double.POSITIVE_INFINITY"
		}
		return "HUGE_VAL"
	case "int":
		switch t(0).K {
		case TInt:
			return a(0)
		case TChar:
			return e.conv(x.Args[0], x.T)
		case TBool:
			return "(" + a(0) + " ? 1 : 0)"
		case TFloat:
			return "(" + e.typ(x.T, x.Line) + ") " + p(0)
		case TString:
			if n == 1 {
				if e.java {
					return "Long.parseLong(" + p(0) + ".trim())"
				}
				return "std::stoll(" + a(0) + ")"
			}
		}
		return fail()
	case "float":
		if t(0).K == TString {
			if e.java {
				return "Double.parseDouble(" + p(0) + ".trim())"
			}
			return "std::stod(" + a(0) + ")"
		}
		return flt(0)
	case "bool":
		return e.cond(x.Args[0])
	case "str":
		switch t(0).K {
		case TString:
			return a(0)
		case TChar:
			return e.charStr(a(0))
		case TInt:
			if e.java {
				return "String.valueOf(" + a(0) + ")"
			}
			return "std::to_string(" + a(0) + ")"
		case TBool:
			if e.pyStrings() {
				if e.java {
					e.helpers["weftStr"] = true
					return "weftStr(" + a(0) + ")"
				}
				return "std::string(" + p(0) + " ? \"True\" : \"False\")"
			}
		}
		return fail() // a float: every language writes it its own way
	case "ord":
		switch t(0).K {
		case TString:
			if e.java {
				return "(long) " + p(0) + ".charAt(0)"
			}
			return "(long long) (unsigned char) " + p(0) + ".at(0)"
		case TChar:
			return e.conv(x.Args[0], x.T)
		}
		return fail()
	case "chr":
		if e.java {
			return "String.valueOf((char) " + e.paren(x.Args[0]) + ")"
		}
		return "std::string(1, (char) " + e.paren(x.Args[0]) + ")"
	case "upper", "lower":
		if t(0).K == TString {
			if e.java {
				return p(0) + ".to" + strings.ToUpper(x.Op[:1]) + x.Op[1:] + "Case()"
			}
			e.helpers["weft_"+x.Op] = true
			return "weft_" + x.Op + "(" + a(0) + ")"
		}
		if t(0).K == TChar {
			if e.java {
				return "Character.to" + strings.ToUpper(x.Op[:1]) + x.Op[1:] + "Case(" + a(0) + ")"
			}
			return "(char) std::to" + x.Op + "((unsigned char) " + a(0) + ")"
		}
		return fail()
	case "isdigit", "isalpha", "isupper", "islower", "isalnum", "isspace":
		if t(0).K == TChar {
			if e.java {
				m := map[string]string{"isdigit": "isDigit", "isalpha": "isLetter", "isupper": "isUpperCase",
					"islower": "isLowerCase", "isalnum": "isLetterOrDigit", "isspace": "isWhitespace"}[x.Op]
				return "Character." + m + "(" + a(0) + ")"
			}
			return "(std::" + x.Op + "((unsigned char) " + a(0) + ") != 0)"
		}
		if t(0).K == TString && !(x.Args[0].K == EIndex && x.Args[0].Args[0].T.K == TString) {
			// Python's str predicates: every character, and not empty (isupper/islower: every cased one,
			// at least one).
			if e.java {
				m := map[string]string{"isdigit": "Character::isDigit", "isalpha": "Character::isLetter", "isupper": "Character::isUpperCase",
					"islower": "Character::isLowerCase", "isalnum": "Character::isLetterOrDigit", "isspace": "Character::isWhitespace"}[x.Op]
				if x.Op == "isupper" || x.Op == "islower" {
					other := "Character::isLowerCase"
					if x.Op == "islower" {
						other = "Character::isUpperCase"
					}
					return "(" + p(0) + ".chars().anyMatch(" + m + ") && " + p(0) + ".chars().noneMatch(" + other + "))"
				}
				return "(!" + p(0) + ".isEmpty() && " + p(0) + ".chars().allMatch(" + m + "))"
			}
			e.helpers["weft_strpred"] = true
			return "weft_strpred(" + a(0) + ", \"" + x.Op + "\")"
		}
		if t(0).K == TString && x.Args[0].K == EIndex && x.Args[0].Args[0].T.K == TString {
			// s[i].isdigit(): one character.
			c := x.Args[0]
			var ch string
			if e.java {
				ch = e.paren(c.Args[0]) + ".charAt(" + e.strIdx(c.Args[0], c.Args[1]) + ")"
				m := map[string]string{"isdigit": "isDigit", "isalpha": "isLetter", "isupper": "isUpperCase",
					"islower": "isLowerCase", "isalnum": "isLetterOrDigit", "isspace": "isWhitespace"}[x.Op]
				return "Character." + m + "(" + ch + ")"
			}
			ch = e.paren(c.Args[0]) + ".at(" + e.strIdx(c.Args[0], c.Args[1]) + ")"
			return "(std::" + x.Op + "((unsigned char) " + ch + ") != 0)"
		}
		return fail()
	case "charAt":
		if e.java {
			return p(0) + ".charAt(" + e.idx(x.Args[1]) + ")"
		}
		return p(0) + "[" + e.idx(x.Args[1]) + "]"
	case "substring":
		if e.java {
			if n == 2 {
				return p(0) + ".substring(" + e.idx(x.Args[1]) + ")"
			}
			return p(0) + ".substring(" + e.idx(x.Args[1]) + ", " + e.idx(x.Args[2]) + ")"
		}
		if n == 2 {
			return p(0) + ".substr(" + a(1) + ")"
		}
		return p(0) + ".substr(" + a(1) + ", " + e.paren(x.Args[2]) + " - " + e.paren(x.Args[1]) + ")"
	case "equals":
		if e.java {
			return p(0) + ".equals(" + a(1) + ")"
		}
		return "(" + a(0) + " == " + a(1) + ")"
	case "find":
		if n != 2 || t(0).K != TString {
			return fail()
		}
		if e.java {
			return p(0) + ".indexOf(" + a(1) + ")"
		}
		return "(long long) " + p(0) + ".find(" + a(1) + ")" // npos is -1 as a signed number
	case "startswith", "endswith":
		if n != 2 {
			return fail()
		}
		if e.java {
			return p(0) + "." + strings.Replace(strings.Replace(x.Op, "with", "With", 1), "swith", "sWith", 1) + "(" + a(1) + ")"
		}
		if x.Op == "startswith" {
			return "(" + p(0) + ".rfind(" + a(1) + ", 0) == 0)"
		}
		return "(" + p(0) + ".size() >= " + p(1) + ".size() && " + p(0) + ".compare(" + p(0) + ".size() - " + p(1) + ".size(), std::string::npos, " + a(1) + ") == 0)"
	case "contains", "containsKey":
		in := &Expr{K: EBin, Op: "in", Args: []*Expr{x.Args[1], x.Args[0]}, T: tBool, Line: x.Line}
		return e.binary(in)
	case "mapget":
		if t(0).K != TMap {
			return fail()
		}
		if n == 2 && e.src == "java" {
			// Java's m.get(k): null for a missing key, which the source can only unbox (an exception),
			// as at() throws.
			if e.java {
				return p(0) + ".get(" + e.conv(x.Args[1], t(0).key()) + ")"
			}
			return p(0) + ".at(" + e.conv(x.Args[1], t(0).key()) + ")"
		}
		if n == 3 {
			if e.java {
				return p(0) + ".getOrDefault(" + e.conv(x.Args[1], t(0).key()) + ", " + e.conv(x.Args[2], t(0).elem()) + ")"
			}
			k := e.conv(x.Args[1], t(0).key())
			return "(" + p(0) + ".count(" + k + ") ? " + p(0) + ".at(" + k + ") : " + e.conv(x.Args[2], t(0).elem()) + ")"
		}
		return fail()
	case "isEmpty":
		switch t(0).K {
		case TList:
			if e.java {
				return p(0) + ".length == 0"
			}
			return p(0) + ".empty()"
		case TString, TMap, TSet:
			if e.java {
				return p(0) + ".isEmpty()"
			}
			return p(0) + ".empty()"
		}
		return fail()
	case "sorted":
		if n != 1 || t(0).K != TList || t(0).elem().K == TList {
			return fail()
		}
		if e.java {
			if el := t(0).elem().K; el != TInt && el != TFloat {
				return fail()
			}
			return "java.util.Arrays.stream(" + a(0) + ").sorted().toArray()"
		}
		if !vecOK(0) {
			return fail()
		}
		return "[&]() { auto _s = " + a(0) + "; std::sort(_s.begin(), _s.end()); return _s; }()"
	case "sum":
		if t(0).K != TList || n != 1 {
			return fail()
		}
		el := t(0).elem()
		if e.java {
			if el.K == TInt && el.Bits != 32 || el.K == TFloat {
				return "java.util.Arrays.stream(" + a(0) + ").sum()"
			}
			if el.K == TInt {
				return "java.util.Arrays.stream(" + a(0) + ").asLongStream().sum()"
			}
			return fail()
		}
		if !vecOK(0) {
			return fail()
		}
		z := "0LL"
		if el.K == TFloat {
			z = "0.0"
		}
		return "std::accumulate(" + p(0) + ".begin(), " + p(0) + ".end(), " + z + ")"
	case "rangeLen":
		switch t(0).K {
		case TInt:
			return a(0)
		case TList, TString:
			l := &Expr{K: EBuiltin, Op: "len", Args: x.Args, T: x.T, Line: x.Line}
			return e.builtin(l)
		}
		return fail()
	case "fill":
		v := x.Args[1]
		if v.T.K == TList || v.T.K == TMap || v.T.K == TSet {
			return fail()
		}
		if e.java {
			if isZero(v) {
				return "new " + strings.Replace(e.typ(x.T, x.Line), "[]", "["+e.idx(x.Args[0])+"]", 1)
			}
			e.tmp++
			r := "_f" + itoa(e.tmp)
			if e.lazy > 0 {
				return fail()
			}
			e.pre = append(e.pre, e.typ(x.T, x.Line)+" "+r+" = new "+strings.Replace(e.typ(x.T, x.Line), "[]", "["+e.idx(x.Args[0])+"]", 1)+";\n"+
				"java.util.Arrays.fill("+r+", "+e.conv(v, x.T.elem())+");")
			return r
		}
		return e.typ(x.T, x.Line) + "(std::max<long long>(0, " + a(0) + "), " + e.conv(v, x.T.elem()) + ")"
	case "set":
		if n == 0 {
			if e.java {
				return "new " + e.typ(x.T, x.Line) + "()"
			}
			return e.typ(x.T, x.Line) + "()"
		}
		if !e.java && t(0).K == TList && vecOK(0) {
			return e.typ(x.T, x.Line) + "(" + p(0) + ".begin(), " + p(0) + ".end())"
		}
		return fail()
	}
	return fail()
}

func logOf(e *cfEmit, s string) string {
	if e.java {
		return "Math.log(" + s + ")"
	}
	return "std::log(" + s + ")"
}
