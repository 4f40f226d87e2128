package main

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// memoryLimitShare is the part of the machine's memory the Go runtime aims
// to stay under when GOMEMLIMIT is not set: it collects harder as the heap
// nears it, leaving the rest for the stack, the binary and the kernel.
const memoryLimitShare = 0.85

// setMemoryLimit sets the Go memory limit from the machine's memory (its
// cgroup limit, else the memory the kernel sees) unless GOMEMLIMIT is set,
// and returns the limit in bytes (0: none could be found).
func setMemoryLimit(getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1) // the runtime read it already
	}
	total := machineMemory()
	if total <= 0 {
		return 0
	}
	limit := int64(float64(total) * memoryLimitShare)
	debug.SetMemoryLimit(limit)
	return limit
}

// machineMemory is the memory this process may use, in bytes.
func machineMemory() int64 {
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 {
			if m := meminfoTotal(); m > 0 && m < n {
				return m
			}
			return n
		}
	}
	return meminfoTotal()
}

func meminfoTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
