// Package phonephoto makes JPEG files like those a phone takes: the
// sensor's picture stored sideways with an EXIF orientation saying how to
// turn it, the GPS position where it was taken, a comment, and a gain map
// after the picture. Tests upload them to check what the shop keeps.
package phonephoto

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
)

// Comment is the text of the photo's comment segment and gain map.
const Comment = "Taken at Holly Tree Farm"

// GPSLatitude is the GPS IFD's latitude as a phone writes it (51° 30'
// 26.34"), three big-endian rationals: bytes to look for in what is stored.
var GPSLatitude = []byte{0, 0, 0, 51, 0, 0, 0, 1, 0, 0, 0, 30, 0, 0, 0, 1, 0, 0, 0x0a, 0x4a, 0, 0, 0, 100}

// ExifSegment is a JPEG APP1 segment as a phone writes it: an Exif TIFF
// block (big-endian) whose IFD0 holds the orientation and a pointer to a
// GPS IFD with the latitude and longitude where the photo was taken.
func ExifSegment(orientation uint16) []byte {
	var tiff bytes.Buffer
	be := binary.BigEndian
	tiff.WriteString("MM\x00\x2a")
	binary.Write(&tiff, be, uint32(8)) // IFD0 right after the header
	entry := func(tag, typ uint16, count, value uint32) {
		binary.Write(&tiff, be, tag)
		binary.Write(&tiff, be, typ)
		binary.Write(&tiff, be, count)
		binary.Write(&tiff, be, value)
	}
	const ifd0 = 8
	const gpsIFD = ifd0 + 2 + 2*12 + 4
	const gpsData = gpsIFD + 2 + 4*12 + 4
	// IFD0: Orientation (SHORT, value left-justified) and GPSInfo.
	binary.Write(&tiff, be, uint16(2))
	entry(0x0112, 3, 1, uint32(orientation)<<16)
	entry(0x8825, 4, 1, gpsIFD)
	binary.Write(&tiff, be, uint32(0))
	// GPS IFD: latitude N, longitude W.
	binary.Write(&tiff, be, uint16(4))
	entry(0x0001, 2, 2, uint32('N')<<24)
	entry(0x0002, 5, 3, gpsData)
	entry(0x0003, 2, 2, uint32('W')<<24)
	entry(0x0004, 5, 3, gpsData+24)
	binary.Write(&tiff, be, uint32(0))
	tiff.Write(GPSLatitude)
	for _, v := range []uint32{0, 1, 7, 1, 3966, 100} { // 0° 7' 39.66"
		binary.Write(&tiff, be, v)
	}
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	return append(seg, payload...)
}

// JPEG is a JPEG of the sensor's picture (w x h, left half red,
// right half blue) with an Exif segment saying how to turn it, and a
// comment, inserted after the start-of-image marker, and a gain map after
// its end.
func JPEG(w, h int, orientation uint16) []byte {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	red, blue := color.RGBA{220, 20, 20, 255}, color.RGBA{20, 20, 220, 255}
	row := m.Pix[:m.Stride]
	for x := range w {
		c := red
		if x >= w/2 {
			c = blue
		}
		row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = c.R, c.G, c.B, c.A
	}
	for y := 1; y < h; y++ {
		copy(m.Pix[y*m.Stride:], row)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		panic(err) // cannot happen writing to a bytes.Buffer
	}
	comment := []byte(Comment)
	com := binary.BigEndian.AppendUint16([]byte{0xFF, 0xFE}, uint16(len(comment)+2))
	out := append([]byte{0xFF, 0xD8}, ExifSegment(orientation)...)
	out = append(out, append(com, comment...)...)
	out = append(out, b.Bytes()[2:]...)
	// What some phones append after the picture: a gain map, with its own XMP.
	return append(out, []byte("\xff\xd8\xff\xe1 http://ns.adobe.com/xap/1.0/ hdrgm:Version "+Comment)...)
}
