package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// productionBinary builds the binary once for this package's tests, exactly
// as the image command does.
var productionBinary = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "shopfront-image-test-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "shopfront")
	if err := buildBinary(context.Background(), runtime.GOARCH, bin); err != nil {
		return nil, err
	}
	return os.ReadFile(bin)
})

func binaryForTest(t *testing.T) []byte {
	t.Helper()
	started := time.Now()
	b, err := productionBinary()
	if err != nil {
		t.Fatalf("building the production binary: %v", err)
	}
	t.Logf("production binary: %.1f MB (built or cached in %s)", float64(len(b))/1e6, time.Since(started).Round(100*time.Millisecond))
	return b
}

// unpacked is an image as a runtime would see it: the configuration and
// its layers unpacked into one directory.
type unpacked struct {
	root   string
	config v1.Config
	names  []string
}

// writeAndUnpack writes img as the tarball `-o` makes, reads that file back
// and unpacks its layers, so the test checks the artefact itself.
func writeAndUnpack(t *testing.T, img v1.Image) unpacked {
	t.Helper()
	file := filepath.Join(t.TempDir(), "image.tar")
	if err := tarball.WriteToFile(file, name.MustParseReference("shopfront:test"), img); err != nil {
		t.Fatalf("writing the image tarball: %v", err)
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image tarball: %.1f MB", float64(info.Size())/1e6)

	loaded, err := tarball.ImageFromPath(file, nil)
	if err != nil {
		t.Fatalf("reading the image tarball back: %v", err)
	}
	cf, err := loaded.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	u := unpacked{root: filepath.Join(t.TempDir(), "root"), config: cf.Config}
	if err := os.Mkdir(u.root, 0o755); err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Fatalf("image platform %s/%s, want linux/%s", cf.OS, cf.Architecture, runtime.GOARCH)
	}
	rc := mutate.Extract(loaded)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading the image's layers: %v", err)
		}
		clean := path.Clean(hdr.Name)
		if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			t.Fatalf("layer entry %q points outside the image", hdr.Name)
		}
		target := filepath.Join(u.root, filepath.FromSlash(clean))
		mode := os.FileMode(hdr.Mode & 0o777)
		if hdr.Mode&0o1000 != 0 {
			mode |= os.ModeSticky
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			u.names = append(u.names, clean+"/")
			if err := os.MkdirAll(target, 0o755); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			u.names = append(u.names, clean)
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(f, tr); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("layer entry %q has type %q; the image should hold only plain files and directories", hdr.Name, hdr.Typeflag)
		}
		if err := os.Chmod(target, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(target, hdr.Uid, hdr.Gid); err != nil && os.Geteuid() == 0 {
			t.Fatal(err)
		}
	}
	slices.Sort(u.names)
	return u
}

func TestImageHoldsOnlyTheStaticBinary(t *testing.T) {
	binary := binaryForTest(t)
	img, err := buildImage(rootFiles(binary), runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	u := writeAndUnpack(t, img)

	want := []string{"etc/", "etc/group", "etc/passwd", "shopfront", "tmp/"}
	if !slices.Equal(u.names, want) {
		t.Fatalf("image files %v, want exactly %v", u.names, want)
	}
	for _, shell := range []string{"bin/sh", "bin/bash", "bin/busybox"} {
		if _, err := os.Stat(filepath.Join(u.root, shell)); err == nil {
			t.Fatalf("the image has a shell: /%s", shell)
		}
	}
	if info, err := os.Stat(filepath.Join(u.root, "tmp")); err != nil || info.Mode()&os.ModeSticky == 0 || info.Mode().Perm() != 0o777 {
		t.Fatalf("/tmp must be world-writable with the sticky bit: %v %v", info.Mode(), err)
	}

	if !slices.Equal(u.config.Cmd, []string{"/shopfront", "serve"}) || len(u.config.Entrypoint) != 0 {
		t.Fatalf("image runs %q %q, want no entrypoint and the command /shopfront serve", u.config.Entrypoint, u.config.Cmd)
	}
	if uid, gid := imageIDs(t, u.config.User); uid == 0 || gid == 0 {
		t.Fatalf("image runs as %q: root", u.config.User)
	}

	// The binary itself: static, stripped, the production flags, and the
	// CA roots compiled in (the image has no /etc/ssl).
	info, err := buildinfo.ReadFile(filepath.Join(u.root, "shopfront"))
	if err != nil {
		t.Fatalf("reading the binary's build information: %v", err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	for key, want := range map[string]string{"CGO_ENABLED": "0", "GOOS": "linux", "-trimpath": "true"} {
		if settings[key] != want {
			t.Errorf("binary built with %s=%q, want %q", key, settings[key], want)
		}
	}
	// Go does not record -ldflags next to -trimpath; look for their effect.
	exe, err := elf.Open(filepath.Join(u.root, "shopfront"))
	if err != nil {
		t.Fatal(err)
	}
	defer exe.Close()
	for _, section := range []string{".symtab", ".debug_info"} {
		if exe.Section(section) != nil {
			t.Errorf("the binary has a %s section: it was not built with -ldflags=\"-s -w\"", section)
		}
	}
	if exe.Section(".interp") != nil {
		t.Error("the binary asks for a dynamic loader: it is not static")
	}
	if info.Path != "shopfront/cmd/shopfront" {
		t.Errorf("the image's binary is %s, want shopfront/cmd/shopfront", info.Path)
	}
	if !slices.ContainsFunc(info.Deps, func(m *debug.Module) bool { return m.Path == "golang.org/x/crypto/x509roots/fallback" }) {
		t.Error("the binary carries no CA roots (golang.org/x/crypto/x509roots/fallback): TLS to the mail server would fail in the image")
	}
	if _, err := os.Stat(filepath.Join(u.root, "usr/share/zoneinfo")); err == nil {
		t.Error("the image has /usr/share/zoneinfo; time zones are compiled into the binary")
	}
}

func TestImageIsReproducible(t *testing.T) {
	binary := binaryForTest(t)
	digest := func(b []byte) v1.Hash {
		img, err := buildImage(rootFiles(b), runtime.GOARCH)
		if err != nil {
			t.Fatal(err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	first, second := digest(binary), digest(slices.Clone(binary))
	if first != second {
		t.Fatalf("the same binary gave two image digests: %s and %s", first, second)
	}
	changed := append(slices.Clone(binary), 0)
	if digest(changed) == first {
		t.Fatal("a different binary gave the same image digest")
	}
	t.Logf("image digest %s", first)
}

// imageIDs parses the image's "uid:gid" user.
func imageIDs(t *testing.T, user string) (uint32, uint32) {
	t.Helper()
	u, g, ok := strings.Cut(user, ":")
	uid, err1 := strconv.ParseUint(u, 10, 32)
	gid, err2 := strconv.ParseUint(g, 10, 32)
	if !ok || err1 != nil || err2 != nil {
		t.Fatalf("image user %q is not numeric uid:gid", user)
	}
	return uint32(uid), uint32(gid)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

type response struct {
	status int
	body   string
}

func get(url string) response {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, string(b)}
}

func jsonLineWithMessage(logs, msg string) bool {
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line struct {
			Msg string `json:"msg"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == msg {
			return true
		}
	}
	return false
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
