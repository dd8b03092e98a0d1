package gguf

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// Writer builds a GGUF v3 file: metadata in the order first set, then tensors
// in the order added, each aligned to the file's alignment.
type Writer struct {
	kv      []KV
	kvIndex map[string]int
	vals    map[string]any
	tensors []writerTensor
	names   map[string]bool
}

type writerTensor struct {
	info TensorInfo
	data []byte
}

// NewWriter returns an empty writer.
func NewWriter() *Writer {
	return &Writer{kvIndex: map[string]int{}, vals: map[string]any{}, names: map[string]bool{}}
}

// Set stores a metadata value, replacing an earlier one with the same key.
// Supported Go types: string, bool, uint8, int8, uint16, int16, uint32, int32,
// uint64, int64, int (stored as int32 when it fits, else int64), float32,
// float64, and slices of those ([]string, []int32, []uint32, []int64, []float32,
// []float64, []bool, []uint8, []int8), plus Value (copied from another file).
// Set panics on an unsupported type: that is a programming error.
func (w *Writer) Set(key string, v any) {
	if _, err := encodeValue(nil, v); err != nil {
		panic(fmt.Sprintf("gguf: Set(%q): %v", key, err))
	}
	if i, ok := w.kvIndex[key]; ok {
		w.kv[i].Key = key
	} else {
		w.kvIndex[key] = len(w.kv)
		w.kv = append(w.kv, KV{Key: key})
	}
	w.vals[key] = v
}

// Delete removes a metadata key.
func (w *Writer) Delete(key string) {
	i, ok := w.kvIndex[key]
	if !ok {
		return
	}
	w.kv = append(w.kv[:i], w.kv[i+1:]...)
	delete(w.vals, key)
	delete(w.kvIndex, key)
	for j := i; j < len(w.kv); j++ {
		w.kvIndex[w.kv[j].Key] = j
	}
}

// CopyKV copies every metadata entry of f whose key passes keep (nil keeps all).
func (w *Writer) CopyKV(f *File, keep func(key string) bool) {
	for _, kv := range f.KV {
		if keep == nil || keep(kv.Key) {
			w.Set(kv.Key, kv.Value)
		}
	}
}

// AddTensor adds a tensor; dims[0] is the row length. data must hold exactly
// the tensor's bytes for type t.
func (w *Writer) AddTensor(name string, t Type, dims []int, data []byte) error {
	if w.names[name] {
		return fmt.Errorf("gguf: tensor %q added twice", name)
	}
	if len(dims) == 0 || len(dims) > MaxDims {
		return fmt.Errorf("gguf: tensor %q: %d dims", name, len(dims))
	}
	rows := 1
	for _, d := range dims[1:] {
		rows *= d
	}
	rb, err := t.RowBytes(dims[0])
	if err != nil {
		return fmt.Errorf("gguf: tensor %q: %w", name, err)
	}
	if want := rb * rows; len(data) != want {
		return fmt.Errorf("gguf: tensor %q: %d bytes given, %s %v needs %d", name, len(data), t, dims, want)
	}
	w.names[name] = true
	w.tensors = append(w.tensors, writerTensor{info: TensorInfo{Name: name, Dims: append([]int(nil), dims...), Type: t, Size: int64(len(data))}, data: data})
	return nil
}

func (w *Writer) alignment() int {
	if v, ok := w.vals["general.alignment"]; ok {
		switch a := v.(type) {
		case uint32:
			return int(a)
		case int:
			return a
		case Value:
			if u, ok := a.Uint(); ok {
				return int(u)
			}
		}
	}
	return DefaultAlignment
}

// WriteTo writes the file.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	bw := bufio.NewWriterSize(out, 1<<20)
	cw := &countWriter{w: bw}
	align := w.alignment()
	var hdr []byte
	hdr = binary.LittleEndian.AppendUint32(hdr, Magic)
	hdr = binary.LittleEndian.AppendUint32(hdr, 3)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(w.tensors)))
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(w.kv)))
	for _, kv := range w.kv {
		hdr = appendString(hdr, kv.Key)
		var err error
		if hdr, err = encodeValue(hdr, w.vals[kv.Key]); err != nil {
			return 0, fmt.Errorf("gguf: %s: %w", kv.Key, err)
		}
	}
	var off int64
	for i := range w.tensors {
		t := &w.tensors[i].info
		t.Offset = off
		hdr = appendString(hdr, t.Name)
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(t.Dims)))
		for _, d := range t.Dims {
			hdr = binary.LittleEndian.AppendUint64(hdr, uint64(d))
		}
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(t.Type))
		hdr = binary.LittleEndian.AppendUint64(hdr, uint64(off))
		off += int64(alignUp(int(t.Size), align))
	}
	cw.Write(hdr)
	pad := make([]byte, align)
	cw.Write(pad[:alignUp(len(hdr), align)-len(hdr)])
	for _, t := range w.tensors {
		cw.Write(t.data)
		cw.Write(pad[:alignUp(len(t.data), align)-len(t.data)])
	}
	if cw.err == nil {
		cw.err = bw.Flush()
	}
	return cw.n, cw.err
}

// WriteFile writes the file at path (through a temporary file and rename, so a
// crash never leaves a half-written model behind).
func (w *Writer) WriteFile(path string) error {
	tmp := path + ".tmp"
	fd, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := w.WriteTo(fd); err != nil {
		fd.Close()
		os.Remove(tmp)
		return err
	}
	if err := fd.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// Bytes returns the encoded file.
func (w *Writer) Bytes() ([]byte, error) {
	var b bytesBuffer
	_, err := w.WriteTo(&b)
	return b, err
}

type bytesBuffer []byte

func (b *bytesBuffer) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) {
	if c.err != nil {
		return
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
}

func appendString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

func appendScalar(b []byte, t ValueType, u uint64) []byte {
	switch t.size() {
	case 1:
		return append(b, byte(u))
	case 2:
		return binary.LittleEndian.AppendUint16(b, uint16(u))
	case 4:
		return binary.LittleEndian.AppendUint32(b, uint32(u))
	default:
		return binary.LittleEndian.AppendUint64(b, u)
	}
}

// encodeValue appends the type tag and encoding of v.
func encodeValue(b []byte, v any) ([]byte, error) {
	tag := func(t ValueType) { b = binary.LittleEndian.AppendUint32(b, uint32(t)) }
	arr := func(et ValueType, n int) {
		tag(Array)
		b = binary.LittleEndian.AppendUint32(b, uint32(et))
		b = binary.LittleEndian.AppendUint64(b, uint64(n))
	}
	switch x := v.(type) {
	case string:
		tag(String)
		b = appendString(b, x)
	case bool:
		tag(Bool)
		if x {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	case uint8:
		tag(Uint8)
		b = append(b, x)
	case int8:
		tag(Int8)
		b = append(b, byte(x))
	case uint16:
		tag(Uint16)
		b = binary.LittleEndian.AppendUint16(b, x)
	case int16:
		tag(Int16)
		b = binary.LittleEndian.AppendUint16(b, uint16(x))
	case uint32:
		tag(Uint32)
		b = binary.LittleEndian.AppendUint32(b, x)
	case int32:
		tag(Int32)
		b = binary.LittleEndian.AppendUint32(b, uint32(x))
	case uint64:
		tag(Uint64)
		b = binary.LittleEndian.AppendUint64(b, x)
	case int64:
		tag(Int64)
		b = binary.LittleEndian.AppendUint64(b, uint64(x))
	case int:
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			tag(Int32)
			b = binary.LittleEndian.AppendUint32(b, uint32(int32(x)))
		} else {
			tag(Int64)
			b = binary.LittleEndian.AppendUint64(b, uint64(x))
		}
	case float32:
		tag(Float32)
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	case float64:
		tag(Float64)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	case []string:
		arr(String, len(x))
		for _, s := range x {
			b = appendString(b, s)
		}
	case []int32:
		arr(Int32, len(x))
		for _, n := range x {
			b = binary.LittleEndian.AppendUint32(b, uint32(n))
		}
	case []uint32:
		arr(Uint32, len(x))
		for _, n := range x {
			b = binary.LittleEndian.AppendUint32(b, n)
		}
	case []int64:
		arr(Int64, len(x))
		for _, n := range x {
			b = binary.LittleEndian.AppendUint64(b, uint64(n))
		}
	case []uint8:
		arr(Uint8, len(x))
		b = append(b, x...)
	case []int8:
		arr(Int8, len(x))
		for _, n := range x {
			b = append(b, byte(n))
		}
	case []bool:
		arr(Bool, len(x))
		for _, n := range x {
			if n {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		}
	case []float32:
		arr(Float32, len(x))
		for _, f := range x {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
		}
	case []float64:
		arr(Float64, len(x))
		for _, f := range x {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
		}
	case Value:
		tag(x.Type)
		switch x.Type {
		case String:
			b = appendString(b, x.s)
		case Array:
			b = binary.LittleEndian.AppendUint32(b, uint32(x.Elem))
			b = binary.LittleEndian.AppendUint64(b, uint64(x.Count))
			b = append(b, x.raw...)
		case Float32:
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(x.f)))
		case Float64:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x.f))
		case Int8, Int16, Int32, Int64:
			b = appendScalar(b, x.Type, uint64(x.i))
		default:
			b = appendScalar(b, x.Type, x.u)
		}
	default:
		return b, fmt.Errorf("unsupported metadata type %T", v)
	}
	return b, nil
}

// Keys returns the metadata keys of f in sorted order (for display).
func (f *File) Keys() []string {
	keys := make([]string, 0, len(f.KV))
	for _, kv := range f.KV {
		keys = append(keys, kv.Key)
	}
	sort.Strings(keys)
	return keys
}
