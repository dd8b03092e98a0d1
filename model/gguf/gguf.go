// Package gguf reads and writes GGUF files, the model format of llama.cpp.
//
// A GGUF file is a header, a list of typed key/value metadata, a list of tensor
// descriptions, and an aligned data section holding the tensors. Open maps the
// file into memory so that weights are never copied into the Go heap: tensor
// data is handed out as slices of the mapping, and the pages a model touches
// are the only ones that become resident.
//
// Every count, length and offset read from the file is checked against the
// bytes that remain before it is used, so a truncated or hostile file yields an
// error naming the field instead of a panic or a huge allocation.
package gguf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
)

// Magic is the first four bytes of every GGUF file ("GGUF" little-endian).
const Magic = 0x46554747

// DefaultAlignment is the data alignment used when general.alignment is absent.
const DefaultAlignment = 32

// MaxDims is the largest tensor rank ggml supports (GGML_MAX_DIMS).
const MaxDims = 4

// ValueType is the type tag of a metadata value.
type ValueType uint32

// Metadata value types, numbered as in the GGUF specification.
const (
	Uint8 ValueType = iota
	Int8
	Uint16
	Int16
	Uint32
	Int32
	Float32
	Bool
	String
	Array
	Uint64
	Int64
	Float64
)

var valueTypeNames = [...]string{"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64", "int64", "float64"}

func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("valuetype(%d)", uint32(t))
}

// size returns the encoded size of a fixed-size value type, or 0 for string and array.
func (t ValueType) size() int {
	switch t {
	case Uint8, Int8, Bool:
		return 1
	case Uint16, Int16:
		return 2
	case Uint32, Int32, Float32:
		return 4
	case Uint64, Int64, Float64:
		return 8
	}
	return 0
}

// Value is one metadata value. Scalars are decoded at parse time; arrays keep
// their encoded bytes and are decoded by the accessor that asks for them, so a
// 150k-entry vocabulary costs nothing until the tokenizer reads it.
type Value struct {
	Type  ValueType
	Elem  ValueType // element type when Type == Array
	Count int       // element count when Type == Array

	u   uint64 // unsigned and bool values
	i   int64  // signed values
	f   float64
	s   string
	raw []byte // the array's encoded elements
}

// KV is a metadata entry.
type KV struct {
	Key   string
	Value Value
}

// TensorInfo describes one tensor of the file.
type TensorInfo struct {
	Name   string
	Dims   []int // Dims[0] is the row length (ggml's ne[0])
	Type   Type
	Offset int64 // from the start of the data section
	Size   int64 // bytes
}

// Elems returns the number of elements of the tensor.
func (t *TensorInfo) Elems() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		n *= int64(d)
	}
	return n
}

// File is a parsed GGUF file.
type File struct {
	Version    uint32
	KV         []KV
	Tensors    []TensorInfo
	Alignment  int
	DataOffset int64 // where the data section starts in the file

	data    []byte // the whole file
	index   map[string]int
	tindex  map[string]int
	release func() error
}

// Open maps the file at path and parses it. Close releases the mapping; tensor
// data slices must not be used after Close.
func Open(path string) (*File, error) {
	// A FIFO or a device would block the open or the read forever: refuse
	// anything but a regular file before opening it, and again after.
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("gguf: %s is not a regular file (%v)", path, st.Mode().Type())
	}
	fd, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fd.Close()
	st, err := fd.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("gguf: %s is not a regular file (%v)", path, st.Mode().Type())
	}
	if st.Size() == 0 {
		return nil, fmt.Errorf("gguf: %s: empty file", path)
	}
	data, release, err := mapFile(fd, st.Size())
	if err != nil {
		return nil, fmt.Errorf("gguf: %s: %w", path, err)
	}
	f, err := Parse(data)
	if err != nil {
		release()
		return nil, fmt.Errorf("gguf: %s: %w", path, err)
	}
	f.release = release
	return f, nil
}

// Close releases the file's mapping, if it has one.
func (f *File) Close() error {
	if f.release == nil {
		return nil
	}
	err := f.release()
	f.release = nil
	f.data = nil
	return err
}

// reader decodes little-endian fields and names the field on failure.
type reader struct {
	b   []byte
	off int
}

var errTrunc = errors.New("unexpected end of file")

func (r *reader) need(n int, field string) error {
	if n < 0 || n > len(r.b)-r.off {
		return fmt.Errorf("%s at offset %d: %w (need %d bytes, %d left)", field, r.off, errTrunc, n, len(r.b)-r.off)
	}
	return nil
}

func (r *reader) u32(field string) (uint32, error) {
	if err := r.need(4, field); err != nil {
		return 0, err
	}
	v := binary.LittleEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v, nil
}

func (r *reader) u64(field string) (uint64, error) {
	if err := r.need(8, field); err != nil {
		return 0, err
	}
	v := binary.LittleEndian.Uint64(r.b[r.off:])
	r.off += 8
	return v, nil
}

func (r *reader) str(field string) (string, error) {
	n, err := r.u64(field + " length")
	if err != nil {
		return "", err
	}
	if n > uint64(len(r.b)-r.off) {
		return "", fmt.Errorf("%s at offset %d: length %d exceeds the %d bytes left", field, r.off-8, n, len(r.b)-r.off)
	}
	s := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	return s, nil
}

// Parse parses a GGUF file held in memory. The File keeps referencing data.
func Parse(data []byte) (*File, error) {
	r := &reader{b: data}
	magic, err := r.u32("magic")
	if err != nil {
		return nil, err
	}
	if magic != Magic {
		return nil, fmt.Errorf("not a GGUF file (magic %#x)", magic)
	}
	f := &File{data: data, index: map[string]int{}, tindex: map[string]int{}, Alignment: DefaultAlignment}
	if f.Version, err = r.u32("version"); err != nil {
		return nil, err
	}
	if f.Version < 2 || f.Version > 3 {
		return nil, fmt.Errorf("unsupported GGUF version %d (weft reads versions 2 and 3)", f.Version)
	}
	nTensors, err := r.u64("tensor_count")
	if err != nil {
		return nil, err
	}
	nKV, err := r.u64("metadata_kv_count")
	if err != nil {
		return nil, err
	}
	// Each KV takes at least 8+4+1 bytes and each tensor info at least 8+4+8+4+8.
	left := uint64(len(data) - r.off)
	if nKV > left/13 {
		return nil, fmt.Errorf("metadata_kv_count %d is impossible for a %d-byte file", nKV, len(data))
	}
	if nTensors > left/32 {
		return nil, fmt.Errorf("tensor_count %d is impossible for a %d-byte file", nTensors, len(data))
	}
	f.KV = make([]KV, 0, nKV)
	for i := uint64(0); i < nKV; i++ {
		key, err := r.str(fmt.Sprintf("metadata[%d].key", i))
		if err != nil {
			return nil, err
		}
		v, err := r.value(key, 0)
		if err != nil {
			return nil, err
		}
		if _, dup := f.index[key]; dup {
			return nil, fmt.Errorf("metadata key %q appears twice", key)
		}
		f.index[key] = len(f.KV)
		f.KV = append(f.KV, KV{Key: key, Value: v})
	}
	if a, ok := f.Uint("general.alignment"); ok {
		if a == 0 || a > 1<<20 || a&(a-1) != 0 {
			return nil, fmt.Errorf("general.alignment %d is not a power of two up to 1 MiB", a)
		}
		f.Alignment = int(a)
	}
	f.Tensors = make([]TensorInfo, 0, nTensors)
	for i := uint64(0); i < nTensors; i++ {
		t, err := r.tensorInfo(i)
		if err != nil {
			return nil, err
		}
		if _, dup := f.tindex[t.Name]; dup {
			return nil, fmt.Errorf("tensor %q appears twice", t.Name)
		}
		f.tindex[t.Name] = len(f.Tensors)
		f.Tensors = append(f.Tensors, t)
	}
	f.DataOffset = int64(alignUp(r.off, f.Alignment))
	if nTensors > 0 && f.DataOffset > int64(len(data)) {
		return nil, fmt.Errorf("data section at offset %d is past the end of the %d-byte file", f.DataOffset, len(data))
	}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		if t.Offset%int64(f.Alignment) != 0 {
			return nil, fmt.Errorf("tensor %q: offset %d is not aligned to %d", t.Name, t.Offset, f.Alignment)
		}
		end := f.DataOffset + t.Offset + t.Size
		if t.Offset > int64(len(data)) || end > int64(len(data)) || end < 0 {
			return nil, fmt.Errorf("tensor %q: data [%d, %d) lies past the end of the %d-byte file (truncated?)", t.Name, f.DataOffset+t.Offset, end, len(data))
		}
	}
	return f, nil
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }

// value reads a value of the tag that follows; depth guards nested arrays.
func (r *reader) value(key string, depth int) (Value, error) {
	tag, err := r.u32(key + " type")
	if err != nil {
		return Value{}, err
	}
	return r.valueOf(key, ValueType(tag), depth)
}

func (r *reader) valueOf(key string, t ValueType, depth int) (Value, error) {
	v := Value{Type: t}
	switch t {
	case Uint8, Int8, Uint16, Int16, Uint32, Int32, Float32, Bool, Uint64, Int64, Float64:
		n := t.size()
		if err := r.need(n, key); err != nil {
			return v, err
		}
		b := r.b[r.off : r.off+n]
		r.off += n
		v.u, v.i, v.f = decodeScalar(t, b)
		if t == Bool && v.u > 1 {
			return v, fmt.Errorf("%s: bool value %d is neither 0 nor 1", key, v.u)
		}
	case String:
		s, err := r.str(key)
		if err != nil {
			return v, err
		}
		v.s = s
	case Array:
		if depth > 4 {
			return v, fmt.Errorf("%s: arrays nested deeper than 4 levels", key)
		}
		et, err := r.u32(key + " array type")
		if err != nil {
			return v, err
		}
		n, err := r.u64(key + " array length")
		if err != nil {
			return v, err
		}
		v.Elem = ValueType(et)
		left := uint64(len(r.b) - r.off)
		start := r.off
		if sz := v.Elem.size(); sz > 0 {
			if n > left/uint64(sz) {
				return v, fmt.Errorf("%s: array of %d %s needs %d bytes, %d left", key, n, v.Elem, n*uint64(sz), left)
			}
			r.off += int(n) * sz
		} else {
			switch v.Elem {
			case String:
				if n > left/8 {
					return v, fmt.Errorf("%s: array of %d strings cannot fit in the %d bytes left", key, n, left)
				}
				for i := uint64(0); i < n; i++ {
					l, err := r.u64(key + " string length")
					if err != nil {
						return v, err
					}
					if l > uint64(len(r.b)-r.off) {
						return v, fmt.Errorf("%s[%d]: string length %d exceeds the %d bytes left", key, i, l, len(r.b)-r.off)
					}
					r.off += int(l)
				}
			case Array:
				if n > left/12 {
					return v, fmt.Errorf("%s: array of %d arrays cannot fit in the %d bytes left", key, n, left)
				}
				for i := uint64(0); i < n; i++ {
					if _, err := r.value(fmt.Sprintf("%s[%d]", key, i), depth+1); err != nil {
						return v, err
					}
				}
			default:
				return v, fmt.Errorf("%s: unknown array element type %d", key, et)
			}
		}
		v.Count = int(n)
		v.raw = r.b[start:r.off]
	default:
		return v, fmt.Errorf("%s: unknown value type %d", key, uint32(t))
	}
	return v, nil
}

func decodeScalar(t ValueType, b []byte) (u uint64, i int64, f float64) {
	switch t {
	case Uint8, Bool:
		u = uint64(b[0])
		i, f = int64(u), float64(u)
	case Int8:
		i = int64(int8(b[0]))
	case Uint16:
		u = uint64(binary.LittleEndian.Uint16(b))
		i, f = int64(u), float64(u)
	case Int16:
		i = int64(int16(binary.LittleEndian.Uint16(b)))
	case Uint32:
		u = uint64(binary.LittleEndian.Uint32(b))
		i, f = int64(u), float64(u)
	case Int32:
		i = int64(int32(binary.LittleEndian.Uint32(b)))
	case Uint64:
		u = binary.LittleEndian.Uint64(b)
		i, f = int64(u), float64(u)
	case Int64:
		i = int64(binary.LittleEndian.Uint64(b))
	case Float32:
		f = float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
	case Float64:
		f = math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	switch t {
	case Int8, Int16, Int32, Int64:
		f = float64(i)
		if i >= 0 {
			u = uint64(i)
		}
	}
	return
}

func (r *reader) tensorInfo(i uint64) (TensorInfo, error) {
	field := fmt.Sprintf("tensor[%d]", i)
	name, err := r.str(field + ".name")
	if err != nil {
		return TensorInfo{}, err
	}
	field = fmt.Sprintf("tensor %q", name)
	nd, err := r.u32(field + " n_dims")
	if err != nil {
		return TensorInfo{}, err
	}
	if nd == 0 || nd > MaxDims {
		return TensorInfo{}, fmt.Errorf("%s: n_dims %d is outside 1..%d", field, nd, MaxDims)
	}
	t := TensorInfo{Name: name, Dims: make([]int, nd)}
	elems := uint64(1)
	for d := range t.Dims {
		n, err := r.u64(fmt.Sprintf("%s dim %d", field, d))
		if err != nil {
			return t, err
		}
		if n == 0 || n > 1<<40 || elems > (1<<50)/n {
			return t, fmt.Errorf("%s: dimension %d = %d is out of range", field, d, n)
		}
		elems *= n
		t.Dims[d] = int(n)
	}
	typ, err := r.u32(field + " type")
	if err != nil {
		return t, err
	}
	t.Type = Type(typ)
	if !t.Type.Known() {
		return t, fmt.Errorf("%s: %s", field, unknownType(typ))
	}
	rowBytes, err := t.Type.RowBytes(t.Dims[0])
	if err != nil {
		return t, fmt.Errorf("%s: rows of %d elements: %w", field, t.Dims[0], err)
	}
	t.Size = int64(rowBytes) * int64(elems/uint64(t.Dims[0]))
	off, err := r.u64(field + " offset")
	if err != nil {
		return t, err
	}
	if off > 1<<50 {
		return t, fmt.Errorf("%s: offset %d is out of range", field, off)
	}
	t.Offset = int64(off)
	return t, nil
}

// Get returns the value stored under key.
func (f *File) Get(key string) (Value, bool) {
	i, ok := f.index[key]
	if !ok {
		return Value{}, false
	}
	return f.KV[i].Value, true
}

// Has reports whether key is present.
func (f *File) Has(key string) bool { _, ok := f.index[key]; return ok }

// String returns a string value.
func (f *File) String(key string) (string, bool) {
	v, ok := f.Get(key)
	if !ok || v.Type != String {
		return "", false
	}
	return v.s, true
}

// Uint returns an integer value that is not negative, whatever its width.
func (f *File) Uint(key string) (uint64, bool) {
	v, ok := f.Get(key)
	if !ok {
		return 0, false
	}
	return v.Uint()
}

// Int returns an integer value, whatever its width.
func (f *File) Int(key string) (int64, bool) {
	v, ok := f.Get(key)
	if !ok {
		return 0, false
	}
	return v.Int()
}

// Float returns a float or integer value as float64.
func (f *File) Float(key string) (float64, bool) {
	v, ok := f.Get(key)
	if !ok {
		return 0, false
	}
	switch v.Type {
	case Float32, Float64, Uint8, Int8, Uint16, Int16, Uint32, Int32, Uint64, Int64:
		return v.f, true
	}
	return 0, false
}

// Bool returns a bool value.
func (f *File) Bool(key string) (bool, bool) {
	v, ok := f.Get(key)
	if !ok || v.Type != Bool {
		return false, false
	}
	return v.u == 1, true
}

// Strings returns an array of strings.
func (f *File) Strings(key string) ([]string, bool) {
	v, ok := f.Get(key)
	if !ok {
		return nil, false
	}
	return v.Strings()
}

// Int32s returns an array of integers of any width as int32 values.
func (f *File) Int32s(key string) ([]int32, bool) {
	v, ok := f.Get(key)
	if !ok {
		return nil, false
	}
	return v.Int32s()
}

// Float32s returns an array of float32 or float64 values as float32.
func (f *File) Float32s(key string) ([]float32, bool) {
	v, ok := f.Get(key)
	if !ok {
		return nil, false
	}
	return v.Float32s()
}

// Uint returns the value as uint64 when it is a non-negative integer.
func (v Value) Uint() (uint64, bool) {
	switch v.Type {
	case Uint8, Uint16, Uint32, Uint64:
		return v.u, true
	case Int8, Int16, Int32, Int64:
		if v.i >= 0 {
			return uint64(v.i), true
		}
	}
	return 0, false
}

// Int returns the value as int64 when it is an integer that fits.
func (v Value) Int() (int64, bool) {
	switch v.Type {
	case Int8, Int16, Int32, Int64, Uint8, Uint16, Uint32:
		return v.i, true
	case Uint64:
		if v.u <= math.MaxInt64 {
			return int64(v.u), true
		}
	}
	return 0, false
}

// Str returns a string value.
func (v Value) Str() (string, bool) { return v.s, v.Type == String }

// Float returns a numeric value as float64.
func (v Value) Float() (float64, bool) {
	if v.Type == String || v.Type == Array || v.Type == Bool {
		return 0, false
	}
	return v.f, true
}

// Strings decodes an array of strings.
func (v Value) Strings() ([]string, bool) {
	if v.Type != Array || v.Elem != String {
		return nil, false
	}
	out := make([]string, v.Count)
	off := 0
	for i := range out {
		n := int(binary.LittleEndian.Uint64(v.raw[off:]))
		off += 8
		out[i] = string(v.raw[off : off+n])
		off += n
	}
	return out, true
}

// Int32s decodes an array of integers as int32 values.
func (v Value) Int32s() ([]int32, bool) {
	if v.Type != Array {
		return nil, false
	}
	sz := v.Elem.size()
	switch v.Elem {
	case Uint8, Int8, Uint16, Int16, Uint32, Int32, Uint64, Int64, Bool:
	default:
		return nil, false
	}
	out := make([]int32, v.Count)
	for i := range out {
		_, n, _ := decodeScalar(v.Elem, v.raw[i*sz:])
		out[i] = int32(n)
	}
	return out, true
}

// Float32s decodes an array of floats as float32 values.
func (v Value) Float32s() ([]float32, bool) {
	if v.Type != Array || (v.Elem != Float32 && v.Elem != Float64) {
		return nil, false
	}
	sz := v.Elem.size()
	out := make([]float32, v.Count)
	for i := range out {
		_, _, f := decodeScalar(v.Elem, v.raw[i*sz:])
		out[i] = float32(f)
	}
	return out, true
}

// Values decodes an array into its elements (used for nested arrays).
func (v Value) Values() ([]Value, bool) {
	if v.Type != Array {
		return nil, false
	}
	r := &reader{b: v.raw}
	out := make([]Value, v.Count)
	for i := range out {
		var err error
		if v.Elem == Array {
			out[i], err = r.value("element", 1)
		} else {
			out[i], err = r.valueOf("element", v.Elem, 1)
		}
		if err != nil {
			return nil, false
		}
	}
	return out, true
}

// Interface returns the value as a plain Go value: uint64/int64/float64/bool/
// string for scalars, and a slice for arrays. Meant for display and copying.
func (v Value) Interface() any {
	switch v.Type {
	case Uint8, Uint16, Uint32, Uint64:
		return v.u
	case Int8, Int16, Int32, Int64:
		return v.i
	case Float32, Float64:
		return v.f
	case Bool:
		return v.u == 1
	case String:
		return v.s
	case Array:
		switch v.Elem {
		case String:
			s, _ := v.Strings()
			return s
		case Float32, Float64:
			s, _ := v.Float32s()
			return s
		case Array:
			s, _ := v.Values()
			out := make([]any, len(s))
			for i := range s {
				out[i] = s[i].Interface()
			}
			return out
		default:
			s, _ := v.Int32s()
			return s
		}
	}
	return nil
}

// Tensor returns the description of the named tensor.
func (f *File) Tensor(name string) (*TensorInfo, bool) {
	i, ok := f.tindex[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

// TensorData returns the tensor's bytes inside the file's memory.
func (f *File) TensorData(t *TensorInfo) []byte {
	start := f.DataOffset + t.Offset
	return f.data[start : start+t.Size : start+t.Size]
}

// Evict tells the system that t's bytes will rarely be read again, because
// the caller keeps its own copy of them (repacked weights): for a memory-
// mapped file (Open) their pages leave the process's resident set, so that
// memory holds each weight once; the bytes stay readable, from the page
// cache. It does nothing for a File made by Parse from the caller's bytes.
func (f *File) Evict(t *TensorInfo) {
	if f.release == nil || f.data == nil {
		return
	}
	evictPages(f.TensorData(t))
}

// Bytes returns the whole file's bytes (the mapping for Open).
func (f *File) Bytes() []byte { return f.data }
