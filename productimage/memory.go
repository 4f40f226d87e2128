package productimage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
)

// MaxDecodeMemory bounds what decoding one upload (and turning it upright)
// may take, estimated from its header before any pixel is decoded (see
// ProcessMemory). With one upload processed at a
// time per node, a node's memory stays page traffic plus this plus the
// display version's scaling (under 80 MB).
const MaxDecodeMemory = 200 << 20

// DecodeMemory estimates the bytes decoding data takes (the decoded pixels
// and the decoder's working buffers), from its format, its bit depth and
// its layout, as Go's decoders allocate them:
//
//   - JPEG: one byte per sample of each component at its own sampling
//     (1.5 bytes a pixel for 4:2:0 colour, 3 for 4:4:4, 1 for grey, 4 for
//     CMYK), plus 4 bytes per sample for a progressive file's coefficients.
//   - PNG: the decoded image at its colour type and bit depth (1 byte a
//     pixel for grey or palette, 2 for 16-bit grey, 4 for RGBA, 8 for
//     16-bit RGBA); an interlaced file twice that (it decodes each pass on
//     its own first).
//   - WebP: lossy 1.5 bytes a pixel; with an alpha channel 7 (the alpha
//     plane is itself a lossless picture, decoded to RGBA); lossless 5.
func DecodeMemory(contentType string, data []byte, cfg image.Config) int64 {
	px := int64(cfg.Width) * int64(cfg.Height)
	switch contentType {
	case "image/jpeg":
		samples, progressive := jpegSamples(data, px, cfg.ColorModel)
		if progressive {
			return samples * 5
		}
		return samples
	case "image/png":
		var perPixel int64
		switch cfg.ColorModel {
		case color.GrayModel:
			perPixel = 1
		case color.Gray16Model:
			perPixel = 2
		case color.RGBA64Model, color.NRGBA64Model:
			perPixel = 8
		case color.RGBAModel, color.NRGBAModel:
			perPixel = 4
		default: // palette
			perPixel = 1
		}
		if len(data) > 28 && data[28] == 1 { // IHDR interlace method: Adam7
			perPixel *= 2
		}
		return px * perPixel
	case "image/webp":
		switch webpKind(data) {
		case "VP8L":
			return px * 5
		case "VP8X+ALPH":
			return px * 7
		}
		return px * 3 / 2
	}
	return px * 8
}

// jpegSamples reads the frame header: the number of samples the decoder
// stores for all components, and whether the file is progressive. Without
// a readable frame header it assumes the worst that DecodeConfig allowed.
func jpegSamples(data []byte, px int64, model color.Model) (int64, bool) {
	worst := px * 3
	if model == color.CMYKModel {
		worst = px * 4
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return worst, true
		}
		marker := data[i+1]
		if marker == 0xFF {
			i++
			continue
		}
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		seg := data[i+4 : min(len(data), i+2+n)]
		switch marker {
		case 0xC0, 0xC1, 0xC2:
			if len(seg) < 6 {
				return worst, true
			}
			comps := int(seg[5])
			if len(seg) < 6+3*comps || comps == 0 {
				return worst, true
			}
			maxH, maxV := 1, 1
			for c := range comps {
				f := seg[6+3*c+1]
				maxH, maxV = max(maxH, int(f>>4)), max(maxV, int(f&0x0f))
			}
			var samples int64
			for c := range comps {
				f := seg[6+3*c+1]
				h, v := max(1, int(f>>4)), max(1, int(f&0x0f))
				samples += px * int64(h*v) / int64(maxH*maxV)
			}
			return samples, marker == 0xC2
		case 0xDA: // scan data before any frame header
			return worst, true
		}
		i += 2 + n
	}
	return worst, true
}

// webpKind tells lossy, lossy with alpha and lossless WebP files apart.
func webpKind(data []byte) string {
	if len(data) < 16 {
		return ""
	}
	switch string(data[12:16]) {
	case "VP8L":
		return "VP8L"
	case "VP8X":
		if bytes.Contains(data[16:min(len(data), 4096)], []byte("ALPH")) {
			return "VP8X+ALPH"
		}
		if bytes.Contains(data[16:min(len(data), 4096)], []byte("VP8L")) {
			return "VP8L"
		}
	}
	return "VP8"
}

// ProcessMemory is the most processing data holds at once: decoding it
// (DecodeMemory), or for a JPEG, whose EXIF orientation is known only as
// it is decoded, the decoded picture plus the turned copy (4 bytes a
// pixel) that a sideways phone photo needs.
func ProcessMemory(contentType string, data []byte, cfg image.Config) int64 {
	decode := DecodeMemory(contentType, data, cfg)
	if contentType != "image/jpeg" {
		return decode
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	samples, _ := jpegSamples(data, px, cfg.ColorModel)
	return max(decode, samples+4*px)
}

// tooMuchMemory says how large an image of this kind may be.
func tooMuchMemory(contentType string, data []byte, cfg image.Config) string {
	perMP := float64(ProcessMemory(contentType, data, cfg)) / (float64(cfg.Width) * float64(cfg.Height) / 1e6)
	allowed := int(float64(MaxDecodeMemory) / perMP)
	kind := map[string]string{"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}[contentType]
	return fmt.Sprintf("The image is too large for a %s of its kind: at most %d megapixels. Save it smaller, or as an ordinary (baseline, 8-bit) JPEG.", kind, allowed)
}
