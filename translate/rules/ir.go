// Package rules is weft's syntax-directed translator: a front-end maps a tree-sitter tree of one
// language to a small typed IR (this file), type inference fills in what the source leaves implicit
// (Python and JavaScript), and an emitter writes the IR in the target language. Arithmetic keeps the
// source's semantics: the IR has distinct operators for truncating and flooring division and modulo,
// and integers carry their width (Java's int is 32 bits, Python's is unbounded), so each emitter can
// write helpers where the target's operator means something else.
//
// Translation is all or nothing: a construct no front-end or emitter covers is reported with its line
// (Uncovered), and no partial translation is returned.
package rules

import (
	"fmt"
	"sort"
	"strings"
)

// Kind is the shape of a type.
type Kind uint8

const (
	TUnknown Kind = iota
	TInt
	TFloat
	TBool
	TString
	TChar // one character: Java/C char, Go byte or rune; Python and JavaScript have none (1-char strings)
	TList // arrays, lists and slices
	TMap
	TSet
	TVoid
	TTuple // several results of a Python function (return a, b): Elems
)

// Type is an IR type. Bits is the width of an integer: 32 (Java/C int), 64 (long, Go int), 0 for
// unbounded (Python).
type Type struct {
	K        Kind
	Bits     int
	Unsigned bool   // C and C++ unsigned integers (Go's uint in a Go translation)
	Elem     *Type  // TList, TSet: element; TMap: value
	Key      *Type  // TMap
	Elems    []Type // TTuple
}

func tupleOf(ts ...Type) Type { return Type{K: TTuple, Elems: ts} }

var (
	tUnknown = Type{}
	tInt     = Type{K: TInt}
	tFloat   = Type{K: TFloat}
	tBool    = Type{K: TBool}
	tString  = Type{K: TString}
	tChar    = Type{K: TChar}
	tVoid    = Type{K: TVoid}
)

func listOf(t Type) Type   { return Type{K: TList, Elem: &t} }
func setOf(t Type) Type    { return Type{K: TSet, Elem: &t} }
func mapOf(k, v Type) Type { return Type{K: TMap, Key: &k, Elem: &v} }

func (t Type) elem() Type {
	if t.Elem == nil {
		return tUnknown
	}
	return *t.Elem
}

func (t Type) key() Type {
	if t.Key == nil {
		return tUnknown
	}
	return *t.Key
}

// complete reports whether t has no unknown part.
func (t Type) complete() bool {
	switch t.K {
	case TUnknown:
		return false
	case TList, TSet:
		return t.elem().complete()
	case TMap:
		return t.key().complete() && t.elem().complete()
	case TTuple:
		for _, e := range t.Elems {
			if !e.complete() {
				return false
			}
		}
	}
	return true
}

func (t Type) String() string {
	switch t.K {
	case TInt:
		if t.Bits != 0 {
			return fmt.Sprintf("int%d", t.Bits)
		}
		return "int"
	case TFloat:
		return "float"
	case TBool:
		return "bool"
	case TString:
		return "string"
	case TChar:
		return "char"
	case TList:
		return "list[" + t.elem().String() + "]"
	case TSet:
		return "set[" + t.elem().String() + "]"
	case TMap:
		return "map[" + t.key().String() + "]" + t.elem().String()
	case TVoid:
		return "void"
	case TTuple:
		var es []string
		for _, e := range t.Elems {
			es = append(es, e.String())
		}
		return "tuple[" + strings.Join(es, ", ") + "]"
	}
	return "?"
}

func (t Type) numeric() bool { return t.K == TInt || t.K == TFloat || t.K == TChar || t.K == TBool }

// EK is the kind of an expression.
type EK uint8

const (
	ELit     EK = iota // Op: the value (decimal integer, float text, string value unescaped, "true"/"false"); T says which
	EName              // Op: the name
	EBin               // Op: an operator (see below); Args: left, right
	EUn                // Op: "-", "!", "~", "+"; Args: operand
	ECall              // Op: a function of the file; Args: arguments
	EBuiltin           // Op: a library operation (see builtins.go); Args: operands (receiver first for methods)
	EIndex             // Args: container, index
	ESlice             // Args: container, low (nil), high (nil)
	EList              // Args: elements; T: the list type
	EMap               // Args: key, value, key, value ...
	ECond              // Args: cond, then, else
	ECast              // T: target type; Args: operand
	ENew               // a new list of Args[0] elements of T.Elem's zero value (nested for more dims); T: the list type
	ESetLit            // Args: elements
	EComp              // [elem for Op in iterable if cond]: Args elem, iterable, cond (nil); T: the list type
	ETuple             // a, b: the value of a return of several results, or the target of their unpacking
)

// Binary operators in the IR. Arithmetic operators name their semantics, not their spelling:
//
//   - - * & | ^ << >>   as in every language (on ints of the expression's width)
//     /    integer division truncating toward zero (C, Java, Go); on floats, float division
//     //   integer division flooring (Python)
//     %    remainder with the dividend's sign (C, Java, Go)
//     %%   modulo with the divisor's sign (Python)
//     /.   true division: float result whatever the operands (Python /)
//     **   power
//     == != < <= > >= && ||   comparisons and logic; "in" and "not in" membership
const (
	OpTruncDiv = "/"
	OpFloorDiv = "//"
	OpRem      = "%"
	OpMod      = "%%"
	OpTrueDiv  = "/."
)

// Expr is an IR expression. T is filled by the front-end where the source says it and by inference
// otherwise.
type Expr struct {
	K    EK
	Op   string
	Args []*Expr
	T    Type
	Line int
}

// SK is the kind of a statement.
type SK uint8

const (
	SAssign  SK = iota // Target = Value; Decl: declares Target (a name) with type T
	SAugment           // Target Op= Value
	SExpr              // Value
	SIf                // if Cond Body else Else
	SWhile             // while Cond Body
	SFor               // C-style: Init; Cond; Post; Body (Init and Post are statement lists)
	SRange             // for Var in range(Start, Stop, Step) Body; Step nil means 1
	SForEach           // for Var in Value Body (list, string, set or map keys)
	SReturn            // return Value (nil for none)
	SBreak
	SContinue
	SDoWhile // do Body while Cond
)

// Stmt is an IR statement.
type Stmt struct {
	K                 SK
	Target, Value     *Expr
	Op                string
	Decl              bool
	T                 Type // declared type (Decl), or the loop variable's type
	Var               string
	Cond              *Expr
	Start, Stop, Step *Expr
	Init, Post        []*Stmt
	Body, Else        []*Stmt
	Line              int
}

// Param is a function parameter.
type Param struct {
	Name string
	T    Type
	Decl string // the declaration as written, for typed sources ("int arr[]", "List<Integer> xs")
}

// Func is a translated function.
type Func struct {
	Name   string
	Params []Param
	Result Type
	Body   []*Stmt
	Line   int
	vars   map[string]Type // local variable types after inference (not parameters)
}

// Program is the IR of a unit: its functions in source order.
type Program struct {
	Funcs []*Func
}

func (p *Program) fn(name string) *Func {
	for _, f := range p.Funcs {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Uncovered is the error of a translation that does not cover every construct of the source: each
// entry is a line number and what is not covered there.
type Uncovered struct {
	Items []UncoveredItem
}

// UncoveredItem is one construct the translator does not cover.
type UncoveredItem struct {
	Line int // 1-based
	What string
}

func (u *Uncovered) Error() string {
	var b strings.Builder
	b.WriteString("not covered by the rules translator: ")
	for i, it := range u.Items {
		if i > 0 {
			b.WriteString("; ")
		}
		if i == 8 {
			fmt.Fprintf(&b, "and %d more", len(u.Items)-i)
			break
		}
		fmt.Fprintf(&b, "line %d: %s", it.Line, it.What)
	}
	return b.String()
}

// gaps collects uncovered constructs; a front-end or emitter keeps going after one, to report them all.
type gaps struct {
	items []UncoveredItem
	seen  map[UncoveredItem]bool
}

func (g *gaps) add(line int, format string, args ...any) {
	it := UncoveredItem{Line: line, What: fmt.Sprintf(format, args...)}
	if g.seen == nil {
		g.seen = map[UncoveredItem]bool{}
	}
	if g.seen[it] {
		return
	}
	g.seen[it] = true
	g.items = append(g.items, it)
}

func (g *gaps) err() error {
	if len(g.items) == 0 {
		return nil
	}
	sort.SliceStable(g.items, func(i, j int) bool { return g.items[i].Line < g.items[j].Line })
	return &Uncovered{Items: g.items}
}

// walkExprs calls f on every expression of the statements, outer before inner.
func walkExprs(ss []*Stmt, f func(*Expr)) {
	var ex func(e *Expr)
	ex = func(e *Expr) {
		if e == nil {
			return
		}
		f(e)
		for _, a := range e.Args {
			ex(a)
		}
	}
	walkStmts(ss, func(s *Stmt) {
		for _, e := range []*Expr{s.Target, s.Value, s.Cond, s.Start, s.Stop, s.Step} {
			ex(e)
		}
	})
}

// walkStmts calls f on every statement, nested ones included.
func walkStmts(ss []*Stmt, f func(*Stmt)) {
	for _, s := range ss {
		if s == nil {
			continue
		}
		f(s)
		walkStmts(s.Init, f)
		walkStmts(s.Post, f)
		walkStmts(s.Body, f)
		walkStmts(s.Else, f)
	}
}

// isNull reports Java's null, an ELit whose type inference leaves to its context.
func isNull(e *Expr) bool {
	return e != nil && e.K == ELit && e.Op == "null" && e.T.K != TString && e.T.K != TChar
}

func lit(t Type, v string, line int) *Expr { return &Expr{K: ELit, Op: v, T: t, Line: line} }
func name(n string, line int) *Expr        { return &Expr{K: EName, Op: n, Line: line} }
func bin(op string, l, r *Expr) *Expr {
	return &Expr{K: EBin, Op: op, Args: []*Expr{l, r}, Line: l.Line}
}
func bi(op string, line int, args ...*Expr) *Expr {
	return &Expr{K: EBuiltin, Op: op, Args: args, Line: line}
}
