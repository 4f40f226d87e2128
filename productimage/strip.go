package productimage

import (
	"bytes"
	"encoding/binary"
)

// pngKept are the PNG chunks an original keeps: the picture, its palette
// and transparency, and how its colours are meant (gamma, chromaticities,
// sRGB intent, ICC profile, significant bits). Text (tEXt, zTXt, iTXt,
// which hold XMP too), eXIf, tIME and anything else are dropped.
var pngKept = map[string]bool{
	"IHDR": true, "PLTE": true, "tRNS": true, "IDAT": true, "IEND": true,
	"gAMA": true, "cHRM": true, "sRGB": true, "iCCP": true, "sBIT": true,
}

// stripPNG returns data without the chunks pngKept leaves out. data has
// been decoded, so its chunk structure is sound; a chunk running past the
// end is dropped with what follows.
func stripPNG(data []byte) []byte {
	const sig = 8
	out := bytes.NewBuffer(make([]byte, 0, len(data)))
	out.Write(data[:sig])
	for i := sig; i+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		end := i + 12 + n // length, type, data, CRC
		if n < 0 || end > len(data) || end < i {
			break
		}
		if pngKept[string(data[i+4:i+8])] {
			out.Write(data[i:end])
		}
		i = end
	}
	return out.Bytes()
}

// webpKept are the RIFF chunks a WebP original keeps: the picture (lossy,
// lossless, its alpha plane, animation frames), the extended header and
// the ICC profile. EXIF and XMP chunks are dropped.
var webpKept = map[string]bool{
	"VP8 ": true, "VP8L": true, "VP8X": true, "ALPH": true, "ICCP": true, "ANIM": true, "ANMF": true,
}

// stripWebP returns data without the chunks webpKept leaves out, with the
// extended header's EXIF and XMP flags cleared and the RIFF size set to
// what remains.
func stripWebP(data []byte) []byte {
	const header = 12 // "RIFF", size, "WEBP"
	out := make([]byte, header, len(data))
	copy(out, data[:header])
	for i := header; i+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		end := i + 8 + n + n%2 // chunks are padded to an even length
		if n < 0 || end > len(data) || end < i {
			if i+8+n == len(data) { // the last chunk's padding missing
				end = len(data)
			} else {
				break
			}
		}
		fourCC := string(data[i : i+4])
		if webpKept[fourCC] {
			at := len(out)
			out = append(out, data[i:end]...)
			if fourCC == "VP8X" && n >= 1 {
				out[at+8] &^= 0x08 | 0x04 // EXIF and XMP present
			}
		}
		i = end
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

// stripJPEG returns data with only what decoding needs: the frame,
// tables, restart interval and scans, an ICC profile (APP2) and Adobe's
// colour transform (APP14). Every other application segment (EXIF with
// GPS and thumbnails in APP1, XMP, MPF, IPTC), comments, and anything
// after the end of the image (a phone's gain map or depth picture) is
// dropped. ok is false if the structure is not what a decoded JPEG has;
// the caller then encodes the picture anew instead.
func stripJPEG(data []byte) (out []byte, ok bool) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, false
	}
	out = make([]byte, 0, len(data))
	out = append(out, 0xFF, 0xD8)
	for i := 2; i+1 < len(data); {
		if data[i] != 0xFF {
			return nil, false
		}
		m := data[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0xD9:
			return append(out, 0xFF, 0xD9), true
		case m >= 0xD0 && m <= 0xD7 || m == 0x01: // no length
			out = append(out, 0xFF, m)
			i += 2
			continue
		}
		if i+4 > len(data) {
			return nil, false
		}
		end := i + 2 + int(binary.BigEndian.Uint16(data[i+2:]))
		if end > len(data) || end < i+4 {
			return nil, false
		}
		seg := data[i+4 : end]
		keep := m >= 0xC0 && m <= 0xCF || m == 0xDA || m == 0xDB || m == 0xDC || m == 0xDD ||
			m == 0xE2 && bytes.HasPrefix(seg, []byte("ICC_PROFILE\x00")) ||
			m == 0xEE && bytes.HasPrefix(seg, []byte("Adobe"))
		if keep {
			out = append(out, data[i:end]...)
		}
		i = end
		if m == 0xDA { // entropy-coded data up to the next marker
			j := i
			for j+1 < len(data) && (data[j] != 0xFF || data[j+1] == 0x00 || data[j+1] >= 0xD0 && data[j+1] <= 0xD7) {
				j++
			}
			out = append(out, data[i:j]...)
			i = j
		}
	}
	return nil, false
}
