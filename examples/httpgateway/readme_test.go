package main

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleDataMarker is the line before a ```json block of a Markdown file
// that holds a complete data file: TestSampleDataInDocsLoads loads every
// such block through the gateway's loader.
const sampleDataMarker = "<!-- sample-data -->"

// sampleDataBlocks returns the ```json blocks that follow a
// sampleDataMarker line in the Markdown file at path, with the line of
// each block's first line.
func sampleDataBlocks(t *testing.T, path string) (blocks []string, lines []int) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	state, n := 0, 0 // 0: text, 1: after the marker, 2: inside the block
	var b strings.Builder
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case state == 0 && strings.TrimSpace(line) == sampleDataMarker:
			state = 1
		case state == 1 && strings.TrimSpace(line) == "":
		case state == 1 && strings.TrimSpace(line) == "```json":
			state = 2
			b.Reset()
			lines = append(lines, n+1)
		case state == 1:
			t.Errorf("%s:%d: %s is not followed by a ```json block", path, n, sampleDataMarker)
			state = 0
		case state == 2 && strings.TrimSpace(line) == "```":
			blocks = append(blocks, b.String())
			state = 0
		case state == 2:
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if state != 0 {
		t.Errorf("%s: a %s block does not end", path, sampleDataMarker)
	}
	return blocks, lines
}

// TestSampleDataInDocsLoads: every data file shown in the repository's
// Markdown (a ```json block after a `<!-- sample-data -->` line, in any
// .md file: this README, the repository README, docs/) is loaded through
// parseData, the gateway's own loader, so a sample that breaks a rule
// fails here. This README must hold one.
func TestSampleDataInDocsLoads(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]int{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".md") {
			return nil
		}
		blocks, lines := sampleDataBlocks(t, path)
		rel, _ := filepath.Rel(root, path)
		for i, b := range blocks {
			found[rel]++
			if _, err := parseData([]byte(b)); err != nil {
				t.Errorf("%s: the sample data file at line %d does not load: %v", rel, lines[i], err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found[filepath.Join("examples", "httpgateway", "README.md")] == 0 {
		t.Errorf("examples/httpgateway/README.md has no %s block; found %v", sampleDataMarker, found)
	}
	t.Logf("sample data files checked: %v", found)
}
