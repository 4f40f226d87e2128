// Package static embeds Shopfront's CSS, JavaScript and icons and gives
// each file a content-hashed URL, so browsers can cache them for a year and
// a deploy never serves a stale file under a fresh name.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"
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
