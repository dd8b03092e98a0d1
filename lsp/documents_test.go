package lsp

import (
	"fmt"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

func TestDocumentsChange(t *testing.T) {
	d := NewDocuments()
	var trace []string
	d.Listen(Hooks{
		OnOpen: func(s *Snapshot) { trace = append(trace, fmt.Sprintf("open %s v%d %q", s.URI, s.Version, s.Text)) },
		OnChange: func(old, s *Snapshot, edits []ByteEdit) {
			trace = append(trace, fmt.Sprintf("change v%d->v%d %v %q", old.Version, s.Version, edits, s.Text))
		},
		OnSave:  func(s *Snapshot) { trace = append(trace, "save "+s.URI) },
		OnClose: func(uri string) { trace = append(trace, "close "+uri) },
	})
	const u = "file:///a"
	d.Open(u, "go", 1, []byte("ab\n😀c"))
	changes := []protocol.TextDocumentContentChangeEvent{
		// Applied in order: the second change's positions refer to the
		// text after the first.
		&protocol.TextDocumentContentChangePartial{Range: protocol.Range{Start: pos(0, 1), End: pos(0, 1)}, Text: "X"},
		&protocol.TextDocumentContentChangePartial{Range: protocol.Range{Start: pos(1, 2), End: pos(1, 3)}, Text: "d"},
	}
	if _, err := d.Change(u, 2, UTF16, changes); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Change(u, 3, UTF16, []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: "new"}}); err != nil {
		t.Fatal(err)
	}
	// A bad range changes nothing.
	bad := []protocol.TextDocumentContentChangeEvent{
		&protocol.TextDocumentContentChangePartial{Range: protocol.Range{Start: pos(0, 0), End: pos(0, 0)}, Text: "ok"},
		&protocol.TextDocumentContentChangePartial{Range: protocol.Range{Start: pos(0, 2), End: pos(0, 1)}, Text: "x"},
	}
	if _, err := d.Change(u, 4, UTF16, bad); err == nil || !strings.Contains(err.Error(), "precedes") {
		t.Errorf("reversed range: err = %v", err)
	}
	if s, _ := d.Get(u); string(s.Text) != "new" || s.Version != 3 {
		t.Errorf("after failed change: %q v%d", s.Text, s.Version)
	}
	text := "saved"
	if err := d.Save(u, &text); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(u); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Change(u, 5, UTF16, nil); err == nil {
		t.Error("change of a closed document: no error")
	}
	if err := d.Close(u); err == nil {
		t.Error("double close: no error")
	}
	want := []string{
		`open file:///a v1 "ab\n😀c"`,
		`change v1->v2 [{1 1 [88]} {8 9 [100]}] "aXb\n😀d"`,
		`change v2->v3 [{0 9 [110 101 119]}] "new"`,
		`change v3->v3 [{0 3 [115 97 118 101 100]}] "saved"`,
		"save file:///a",
		"close file:///a",
	}
	if strings.Join(trace, "\n") != strings.Join(want, "\n") {
		t.Errorf("trace:\n%s\nwant:\n%s", strings.Join(trace, "\n"), strings.Join(want, "\n"))
	}
}

func TestDocumentsListenReplaysOpen(t *testing.T) {
	d := NewDocuments()
	d.Open("file:///x", "go", 7, []byte("x"))
	var got []string
	d.Listen(Hooks{OnOpen: func(s *Snapshot) { got = append(got, fmt.Sprintf("%s v%d", s.URI, s.Version)) }})
	if len(got) != 1 || got[0] != "file:///x v7" {
		t.Errorf("replayed = %v", got)
	}
	// Snapshots are immutable: an edit does not change an older snapshot.
	old, _ := d.Get("file:///x")
	if _, err := d.Edit("file:///x", 8, []ByteEdit{{Start: 0, End: 1, New: []byte("yz")}}); err != nil {
		t.Fatal(err)
	}
	cur, _ := d.Get("file:///x")
	if string(old.Text) != "x" || string(cur.Text) != "yz" {
		t.Errorf("old %q cur %q", old.Text, cur.Text)
	}
	if _, err := d.Edit("file:///x", 9, []ByteEdit{{Start: 1, End: 5}}); err == nil {
		t.Error("out-of-range byte edit: no error")
	}
}
