// Command image builds Shopfront's production container image without a
// Docker daemon: the static binary and three small files on an empty base
// ("scratch"), run as an unprivileged user. No shell, no package manager,
// nothing to patch but the binary itself.
//
//	go run ./cmd/image -o .data/shopfront-image.tar        a tarball for `docker load` or a registry tool
//	go run ./cmd/image -push registry.fly.io/APP:TAG       straight to a registry
//	go run ./cmd/image -rootfs DIR                         only the file tree (what the Dockerfile copies)
//
// The Dockerfile runs this same command with -rootfs and copies the tree onto
// scratch, so `fly deploy` (which builds the Dockerfile) and this command
// make the same files, user, ports and command. A test keeps the two in step.
package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// What the image is. The Dockerfile repeats the user, the ports and the
// command; TestDockerfileMatchesTheImage keeps them equal.
const (
	// binaryPath is where the binary lives in the image; fly.toml's
	// release_command and `fly ssh console -C` name it.
	binaryPath = "/shopfront"
	// imageUser is distroless's "nonroot", by number so that nothing needs
	// to look the name up.
	imageUser = "65532:65532"
	// mainPackage is what gets compiled, relative to the module root.
	mainPackage = "./cmd/shopfront"
)

var (
	// imageCmd runs the binary directly: no shell in between to swallow
	// SIGTERM. There is no ENTRYPOINT, so a command given to the machine
	// (fly.toml's release_command) replaces this one whole.
	imageCmd = []string{binaryPath, "serve"}
	// imagePorts are PORT and METRICS_PORT as fly.toml sets them.
	imagePorts = []string{"8080/tcp", "9091/tcp"}
	// buildFlags make a reproducible, stripped binary; CGO_ENABLED=0 makes it
	// static, so it needs no C library in the image.
	buildFlags = []string{"-trimpath", "-buildvcs=false", "-ldflags=-s -w"}
	// epoch stamps every file and the image itself, so the same binary always
	// gives the same image digest.
	epoch = time.Unix(0, 0).UTC()
)

// entry is one file or directory of the image's single layer.
type entry struct {
	name string // relative to /, directories end in "/"
	mode int64  // permission bits, plus 01000 for sticky
	data []byte
}

// rootFiles is the whole file tree of the image. Time zones and CA roots are
// compiled into the binary (time/tzdata and x509roots/fallback), so there is
// no /usr/share/zoneinfo and no /etc/ssl.
func rootFiles(binary []byte) []entry {
	return []entry{
		{name: "etc/", mode: 0o755},
		{name: "etc/group", mode: 0o644, data: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{name: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{name: strings.TrimPrefix(binaryPath, "/"), mode: 0o755, data: binary},
		{name: "tmp/", mode: 0o1777},
	}
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		out    = flag.String("o", "", "write the image as a tarball to this file (loads with `docker load`)")
		push   = flag.String("push", "", "push the image to this reference, e.g. registry.fly.io/APP:TAG")
		rootfs = flag.String("rootfs", "", "write only the image's file tree into this directory (the Dockerfile uses this)")
		tag    = flag.String("tag", "shopfront:latest", "the name the tarball gives the image")
		arch   = flag.String("arch", "amd64", "CPU architecture to build for (Fly machines are amd64)")
	)
	flag.Parse()
	if flag.NArg() > 0 || (*out == "" && *push == "" && *rootfs == "") {
		flag.Usage()
		return errors.New("say where the image goes: -o FILE, -push REF or -rootfs DIR")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	tmp, err := os.MkdirTemp("", "shopfront-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "shopfront")
	started := time.Now()
	if err := buildBinary(ctx, *arch, bin); err != nil {
		return err
	}
	binary, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	files := rootFiles(binary)

	if *rootfs != "" {
		if err := writeTree(*rootfs, files); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "image: file tree written to %s\n", *rootfs)
	}
	if *out == "" && *push == "" {
		return nil
	}
	img, err := buildImage(files, *arch)
	if err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	if *out != "" {
		ref, err := name.NewTag(*tag)
		if err != nil {
			return fmt.Errorf("-tag %q: %w", *tag, err)
		}
		if err := tarball.WriteToFile(*out, ref, img); err != nil {
			return fmt.Errorf("writing %s: %w", *out, err)
		}
		info, err := os.Stat(*out)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "image: %s written to %s (%.1f MB) in %s\n", digest, *out,
			float64(info.Size())/1e6, time.Since(started).Round(100*time.Millisecond))
	}
	if *push != "" {
		ref, err := name.ParseReference(*push)
		if err != nil {
			return fmt.Errorf("-push %q: %w", *push, err)
		}
		if err := remote.Write(ref, img, remote.WithContext(ctx), remote.WithAuthFromKeychain(keychain())); err != nil {
			return fmt.Errorf("pushing %s: %w", ref, err)
		}
		fmt.Fprintf(os.Stderr, "image: pushed %s@%s\n", ref, digest)
		fmt.Println(ref.Context().Digest(digest.String()).String())
	}
	return nil
}

// buildBinary compiles the shop for Linux with the production flags.
func buildBinary(ctx context.Context, arch, out string) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	args := append([]string{"build"}, buildFlags...)
	args = append(args, "-o", out, mainPackage)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	// GOFLAGS is cleared so that nothing from the caller's environment
	// (say -race or -tags) makes this binary differ from the Dockerfile's.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOFLAGS=")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// moduleRoot is the directory holding go.mod, wherever we were started.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run this inside the Shopfront module (go.mod not found)")
	}
	return filepath.Dir(gomod), nil
}

// layerTar is the image's one layer: every entry owned by root, stamped
// with the epoch, in a fixed order.
func layerTar(files []entry) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{
			Name:    f.name,
			Mode:    f.mode,
			ModTime: epoch,
			Format:  tar.FormatUSTAR,
		}
		if strings.HasSuffix(f.name, "/") {
			hdr.Typeflag = tar.TypeDir
		} else {
			hdr.Typeflag = tar.TypeReg
			hdr.Size = int64(len(f.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// buildImage puts the files on an empty base and sets the configuration:
// user, ports, command.
func buildImage(files []entry, arch string) (v1.Image, error) {
	layerBytes, err := layerTar(files)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerBytes)), nil
	})
	if err != nil {
		return nil, err
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "go run ./cmd/image", Comment: "static shopfront binary"},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Created = v1.Time{Time: epoch}
	ports := map[string]struct{}{}
	for _, p := range imagePorts {
		ports[p] = struct{}{}
	}
	cf.Config = v1.Config{
		Cmd:          imageCmd,
		User:         imageUser,
		ExposedPorts: ports,
		WorkingDir:   "/",
		Labels: map[string]string{
			"org.opencontainers.image.title":       "shopfront",
			"org.opencontainers.image.description": "Shopfront, an online shop for small independent businesses",
		},
	}
	return mutate.ConfigFile(img, cf)
}

// writeTree writes the files under dir, as the Dockerfile's final stage
// copies them.
func writeTree(dir string, files []entry) error {
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.name))
		mode := os.FileMode(f.mode & 0o777)
		if f.mode&0o1000 != 0 {
			mode |= os.ModeSticky
		}
		if strings.HasSuffix(f.name, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
		} else if err := os.WriteFile(path, f.data, 0o600); err != nil {
			return err
		}
		// Chmod after creating: the umask must not change the modes.
		if err := os.Chmod(path, mode); err != nil {
			return err
		}
	}
	return nil
}

// keychain finds registry credentials: Docker's config file (which
// `fly auth docker` fills in), or FLY_API_TOKEN for Fly's registry.
func keychain() authn.Keychain {
	return authn.NewMultiKeychain(flyToken{}, authn.DefaultKeychain)
}

// flyToken lets registry.fly.io in with the token in FLY_API_TOKEN, the
// way flyctl itself does (user "x", the token as password).
type flyToken struct{}

func (flyToken) Resolve(r authn.Resource) (authn.Authenticator, error) {
	token := os.Getenv("FLY_API_TOKEN")
	if r.RegistryStr() != "registry.fly.io" || token == "" {
		return authn.Anonymous, nil
	}
	return authn.FromConfig(authn.AuthConfig{Username: "x", Password: token}), nil
}
