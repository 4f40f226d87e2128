package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The machine size must leave room over the peak RSS docs/operations.md
// reports from the load test (by a quarter), and GOMEMLIMIT must sit
// between that peak and the machine's memory.
func TestFlyTomlMemoryCoversMeasuredPeak(t *testing.T) {
	fly := loadFlyToml(t)
	if len(fly.VM) != 1 {
		t.Fatalf("fly.toml has %d [[vm]] sections, want 1", len(fly.VM))
	}
	vmMB := megabytes(t, "[[vm]] memory", fly.VM[0].Memory)
	ops, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`[Pp]eak RSS[^0-9\n]*([0-9]+) MB`).FindSubmatch(ops)
	if m == nil {
		t.Fatal("docs/operations.md does not report the measured peak RSS (\"peak RSS … N MB\")")
	}
	peak, _ := strconv.Atoi(string(m[1]))
	if vmMB < peak*5/4 {
		t.Errorf("[[vm]] memory %d MB leaves less than a quarter over the measured peak RSS of %d MB", vmMB, peak)
	}
	if limit, ok := fly.Env["GOMEMLIMIT"]; ok {
		limitMB := megabytes(t, "GOMEMLIMIT", limit)
		if limitMB <= peak || limitMB >= vmMB {
			t.Errorf("GOMEMLIMIT %s should sit between the peak RSS (%d MB) and the machine's memory (%d MB)", limit, peak, vmMB)
		}
	}
}

// megabytes reads "512mb", "1gb" (fly.toml) or "400MiB" (GOMEMLIMIT).
func megabytes(t *testing.T, what, s string) int {
	t.Helper()
	m := regexp.MustCompile(`^([0-9]+)\s*(?i:(mb|mib|gb|gib))$`).FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		t.Fatalf("%s %q is not a size like 512mb", what, s)
	}
	n, _ := strconv.Atoi(m[1])
	if u := strings.ToLower(m[2]); u == "gb" || u == "gib" {
		n *= 1024
	}
	return n
}
