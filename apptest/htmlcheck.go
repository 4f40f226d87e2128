package apptest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const missingValidator = "the Nu Html Checker is missing: run 'make validator' (make test provides it), or set VNU_JAR to a vnu.jar"

// CheckHTML validates each document with the Nu Html Checker (vnu.jar from
// the npm package vnu-jar, run with Java) and returns its errors, keyed by
// the documents' names; a valid document has no entry. All documents are
// checked in one run, as the checker's start-up is slow. Without the
// checker the test is skipped, or fails when the environment variable CI
// is set.
func CheckHTML(t testing.TB, docs map[string]string) map[string][]string {
	t.Helper()
	jar, java := findValidator()
	if jar == "" || java == "" {
		if os.Getenv("CI") != "" {
			t.Fatal(missingValidator)
		}
		t.Skip(missingValidator)
	}
	dir := t.TempDir()
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	sort.Strings(names)
	byFile := map[string]string{}
	args := []string{"-jar", jar, "--errors-only", "--format", "json", "--exit-zero-always"}
	for i, name := range names {
		file := filepath.Join(dir, fmt.Sprintf("page-%03d.html", i))
		if err := os.WriteFile(file, []byte(docs[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		byFile[file] = name
		args = append(args, file)
	}
	cmd := exec.Command(java, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("running the Nu Html Checker: %v\n%s", err, stderr.String())
	}
	var report struct {
		Messages []struct {
			Type, URL, Message, Extract string
			LastLine                    int
			SubType                     string
		}
	}
	if err := json.Unmarshal([]byte(stderr.String()), &report); err != nil {
		t.Fatalf("reading the Nu Html Checker's report: %v\n%s", err, stderr.String())
	}
	out := map[string][]string{}
	for _, m := range report.Messages {
		if m.Type != "error" && m.SubType != "fatal" {
			continue
		}
		name, ok := byFile[strings.TrimPrefix(m.URL, "file:")]
		if !ok {
			name = m.URL
		}
		out[name] = append(out[name], fmt.Sprintf("line %d: %s (%s)", m.LastLine, m.Message, strings.TrimSpace(m.Extract)))
	}
	return out
}

// findValidator finds vnu.jar (VNU_JAR, or where make validator puts it)
// and Java.
func findValidator() (jar, java string) {
	java, _ = exec.LookPath("java")
	if p := os.Getenv("VNU_JAR"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p, java
		}
		return "", java
	}
	dir, err := os.Getwd()
	for err == nil {
		if _, statErr := os.Stat(filepath.Join(dir, "go.mod")); statErr == nil {
			matches, _ := filepath.Glob(filepath.Join(dir, ".data", "tools", "vnu-jar-*", "package", "build", "dist", "vnu.jar"))
			if len(matches) > 0 {
				sort.Strings(matches)
				return matches[len(matches)-1], java
			}
			return "", java
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", java
}
