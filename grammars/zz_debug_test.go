package grammars

import (
	"fmt"
	"os"
	"testing"
)

func TestDebugDump(t *testing.T) {
	id := os.Getenv("DBG_LANG")
	if id == "" {
		t.Skip()
	}
	src, _ := os.ReadFile(os.Getenv("DBG_FILE"))
	l, ok := Lookup(id)
	if !ok {
		t.Fatal("lang")
	}
	d, err := NewDocument(l, src)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if os.Getenv("DBG_SEXP") != "" {
		fmt.Println(d.Root().ToSexp())
	}
	fmt.Println("errors:", d.ErrorCount())
	for _, s := range Imports(d) {
		fmt.Printf("import %q\n", s.Text)
	}
	for _, s := range Comments(d) {
		fmt.Printf("%s %q\n", s.Kind, s.Text)
	}
	for _, s := range Definitions(d) {
		fmt.Printf("def %s %s [%s] %q\n", s.Kind, s.Name, s.Container, s.Signature)
	}
	for _, s := range Functions(d) {
		fmt.Printf("func %s %s [%s] %q calls=%v\n", s.Kind, s.Name, s.Container, s.Signature, s.Calls)
	}
	for _, s := range Blocks(d) {
		fmt.Printf("block %s %d-%d\n", s.Kind, s.StartByte, s.EndByte)
	}
}
