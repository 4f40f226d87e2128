// Package static embeds Shopfront's CSS, JavaScript and icons and gives
// each file a content-hashed URL, so browsers can cache them for a year and
// a deploy never serves a stale file under a fresh name.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

//go:embed css js img
var files embed.FS

// Prefix is where assets are served.
const Prefix = "/static/"

// Asset is one embedded file.
type Asset struct {
	Body        []byte
	ContentType string
	ETag        string // strong ETag: the content hash
	hashedName  string

	compressOnce sync.Once
	gzip, brotli []byte // nil when compressing does not make it smaller
}

// Encoding is a content coding an asset may be sent in.
type Encoding struct {
	Name string // "br", "gzip" or "" for none
	Body []byte
	ETag string // a strong ETag of this representation
}

// For picks the smallest representation the request's Accept-Encoding
// allows: brotli, gzip or the file itself. Each is compressed once per
// process, at the best level, and kept.
func (a *Asset) For(acceptEncoding string) Encoding {
	a.compress()
	if a.brotli != nil && Accepts(acceptEncoding, "br") {
		return Encoding{Name: "br", Body: a.brotli, ETag: a.ETag[:len(a.ETag)-1] + "-br\""}
	}
	if a.gzip != nil && Accepts(acceptEncoding, "gzip") {
		return Encoding{Name: "gzip", Body: a.gzip, ETag: a.ETag[:len(a.ETag)-1] + "-gz\""}
	}
	return Encoding{Body: a.Body, ETag: a.ETag}
}

func (a *Asset) compress() {
	a.compressOnce.Do(func() {
		if !strings.HasPrefix(a.ContentType, "text/") && !strings.Contains(a.ContentType, "javascript") &&
			!strings.Contains(a.ContentType, "svg") && !strings.Contains(a.ContentType, "json") {
			return // images are compressed already
		}
		var gz bytes.Buffer
		w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = w.Write(a.Body)
		_ = w.Close()
		if gz.Len() < len(a.Body) {
			a.gzip = gz.Bytes()
		}
		var br bytes.Buffer
		bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
		_, _ = bw.Write(a.Body)
		_ = bw.Close()
		if br.Len() < len(a.Body) && (a.gzip == nil || br.Len() < len(a.gzip)) {
			a.brotli = br.Bytes()
		}
	})
}

// Precompress compresses every asset now rather than on its first request.
func Precompress() {
	for _, a := range byName {
		a.compress()
	}
}

// Accepts reports whether an Accept-Encoding header value allows coding:
// named (or "*") without q=0.
func Accepts(acceptEncoding, coding string) bool {
	for part := range strings.SplitSeq(acceptEncoding, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		if !strings.EqualFold(name, coding) && name != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}

var (
	byName   = map[string]*Asset{} // "css/app.css"
	byHashed = map[string]*Asset{} // "css/app.0123456789.css"
)

func init() {
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(name)
		a := &Asset{
			Body:        body,
			ContentType: mime.TypeByExtension(ext),
			ETag:        `"` + hash + `"`,
			hashedName:  strings.TrimSuffix(name, ext) + "." + hash + ext,
		}
		if a.ContentType == "" {
			a.ContentType = "application/octet-stream"
		}
		byName[name] = a
		byHashed[a.hashedName] = a
		return nil
	})
	if err != nil {
		panic(err) // the files are embedded at build time
	}
}

// Path is the content-hashed URL of the named asset, e.g.
// Path("css/app.css") = "/static/css/app.1a2b3c4d5e6f.css".
func Path(name string) string {
	a, ok := byName[name]
	if !ok {
		panic("static: no asset named " + name)
	}
	return Prefix + a.hashedName
}

// Lookup finds the asset for a path below Prefix. current is false when the
// name carries another build's hash: during a rolling deploy a page from an
// old node may ask a new node for an old hash, and gets today's file rather
// than a 404, but must not cache it for long.
func Lookup(p string) (a *Asset, current bool, ok bool) {
	if a, ok := byHashed[p]; ok {
		return a, true, true
	}
	ext := path.Ext(p)
	base := strings.TrimSuffix(p, ext)
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		if a, ok := byName[base[:i]+ext]; ok {
			return a, false, true
		}
	}
	return nil, false, false
}
