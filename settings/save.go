package settings

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"shopfront/db"
	"shopfront/productimage"
	"shopfront/shop"
)

// StaleError means another owner saved the settings after this form was
// loaded: nothing was saved, and the form shows the current values.
type StaleError struct{}

func (e *StaleError) Error() string { return "the settings changed since this page was loaded" }

// Change is one owner saving one section of the settings.
type Change struct {
	StaffID int64 // 0 from the command line or a seed
	Version int32 // the version the form was loaded at
	Now     time.Time
}

// Save saves one section of the settings that another package checks and
// writes (the calendar's ordering rules), as the sections here are saved.
func Save(ctx context.Context, pool *pgxpool.Pool, ch Change, section string, fn func(q *db.Queries, before *Settings) (string, error)) error {
	return save(ctx, pool, ch, section, fn)
}

// save runs fn in one transaction after checking the version, records what
// changed, opens the shop if it now has what it needs, and tells every
// node to drop its cached settings.
func save(ctx context.Context, pool *pgxpool.Pool, ch Change, section string, fn func(q *db.Queries, before *Settings) (string, error)) error {
	return db.InTx(ctx, pool, func(q *db.Queries, _ pgx.Tx) error {
		before, err := Load(ctx, q)
		if err != nil {
			return err
		}
		n, err := q.BumpSettingsVersion(ctx, db.BumpSettingsVersionParams{At: ch.Now, Version: ch.Version,
			StaffID: pgtype.Int8{Int64: ch.StaffID, Valid: ch.StaffID != 0}})
		if err != nil {
			return fmt.Errorf("saving the settings: %w", err)
		}
		if n == 0 {
			return &StaleError{}
		}
		summary, err := fn(q, before)
		if err != nil {
			return err
		}
		if summary == "" {
			summary = "No change."
		}
		if err := q.InsertSettingsChange(ctx, db.InsertSettingsChangeParams{Section: section, Summary: clip(summary, 2000),
			StaffID: pgtype.Int8{Int64: ch.StaffID, Valid: ch.StaffID != 0}, At: ch.Now}); err != nil {
			return fmt.Errorf("recording the change: %w", err)
		}
		if err := q.MarkConfigured(ctx, ch.Now); err != nil {
			return err
		}
		return q.NotifySettings(ctx)
	})
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n-1], "") + "…"
}

// diff describes what changed, field by field.
type diff []string

func (d *diff) add(field, was, now string) {
	if was != now {
		short := func(s string) string {
			if s == "" {
				return "none"
			}
			return "“" + clip(strings.ReplaceAll(s, "\n", " "), 60) + "”"
		}
		*d = append(*d, field+": "+short(was)+" → "+short(now))
	}
}

func (d diff) String() string { return strings.Join(d, "; ") }

func tooLong(field, label string, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return &shop.InputError{Field: field, Message: fmt.Sprintf("%s must be at most %d characters.", label, max)}
	}
	return nil
}

// Identity is who the shop is.
type Identity struct {
	Name, Description, Accent string
}

var hexColour = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// CheckIdentity cleans and checks the identity section.
func CheckIdentity(in Identity) (Identity, error) {
	in.Name, in.Description = shop.CleanText(in.Name), shop.CleanText(in.Description)
	in.Accent = strings.ToLower(strings.TrimSpace(in.Accent))
	if in.Name == "" {
		return in, &shop.InputError{Field: "name", Message: "Give the shop its name, as customers know it."}
	}
	if err := tooLong("name", "The name", in.Name, MaxName); err != nil {
		return in, err
	}
	if err := tooLong("description", "The description", in.Description, MaxDescription); err != nil {
		return in, err
	}
	if in.Accent != "" {
		if !hexColour.MatchString(in.Accent) {
			return in, &shop.InputError{Field: "accent", Message: "Give the colour as # and six hex digits, like #7a3e00."}
		}
		// Buttons put white text on the colour, and links use it as text on
		// the page's light background (#fbf8f3).
		if c := min(Contrast(in.Accent, "#ffffff"), Contrast(in.Accent, PageBackground)); c < MinContrast {
			return in, &shop.InputError{Field: "accent", Message: fmt.Sprintf(
				"White text on %s has a contrast of only %.1f:1; buttons and links need at least %.1f:1 to be readable. Choose a darker colour.", in.Accent, c, MinContrast)}
		}
	}
	return in, nil
}

// SaveIdentity saves the shop's name, description and accent colour.
func SaveIdentity(ctx context.Context, pool *pgxpool.Pool, ch Change, in Identity) error {
	in, err := CheckIdentity(in)
	if err != nil {
		return err
	}
	return save(ctx, pool, ch, "Identity", func(q *db.Queries, before *Settings) (string, error) {
		var d diff
		d.add("Name", before.Name, in.Name)
		d.add("Description", before.Description, in.Description)
		d.add("Accent colour", before.Accent, in.Accent)
		return d.String(), q.UpdateIdentity(ctx, db.UpdateIdentityParams{Name: in.Name, Description: in.Description, Accent: in.Accent})
	})
}

// SaveLogo stores a logo (its display version, checked and scaled like a
// product photo) and the square icon made from it; empty images remove
// the logo.
func SaveLogo(ctx context.Context, pool *pgxpool.Pool, ch Change, logo, icon productimage.Image) error {
	return save(ctx, pool, ch, "Identity", func(q *db.Queries, before *Settings) (string, error) {
		if len(logo.Data) == 0 {
			return "Logo: removed", q.SetSettingsImages(ctx, db.SetSettingsImagesParams{})
		}
		ids := make([]int64, 2)
		for i, img := range []productimage.Image{logo, icon} {
			id, err := q.InsertImage(ctx, db.InsertImageParams{
				Sha256: img.SHA256[:], ContentType: img.ContentType, ByteSize: int32(len(img.Data)),
				Width: int32(img.Width), Height: int32(img.Height), Data: img.Data,
			})
			if err != nil {
				return "", fmt.Errorf("storing the logo: %w", err)
			}
			ids[i] = id
		}
		return fmt.Sprintf("Logo: a new image, %d×%d", logo.Width, logo.Height), q.SetSettingsImages(ctx, db.SetSettingsImagesParams{
			LogoID: pgtype.Int8{Int64: ids[0], Valid: true}, IconID: pgtype.Int8{Int64: ids[1], Valid: true}})
	})
}

// Contact is how to reach the shop and how pickup works.
type Contact struct {
	Phone, Email  string
	PickupEnabled bool
}

var phonePattern = regexp.MustCompile(`^\+?[0-9 ()\-]{6,25}$`)

// CheckContact cleans and checks the contact section.
func CheckContact(in Contact) (Contact, error) {
	in.Phone, in.Email = shop.CleanText(in.Phone), shop.CleanText(in.Email)
	if in.Phone != "" && !phonePattern.MatchString(in.Phone) {
		return in, &shop.InputError{Field: "phone", Message: "Enter a phone number of 6 to 25 digits, like 0117 496 0000."}
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
			return in, &shop.InputError{Field: "email", Message: "Enter an email address like hello@shop.example."}
		}
	}
	return in, nil
}

// SaveContact saves the phone, email and how pickup works.
func SaveContact(ctx context.Context, pool *pgxpool.Pool, ch Change, in Contact) error {
	in, err := CheckContact(in)
	if err != nil {
		return err
	}
	return save(ctx, pool, ch, "Where and when", func(q *db.Queries, before *Settings) (string, error) {
		var d diff
		d.add("Phone", before.Phone, in.Phone)
		d.add("Contact email", before.Email, in.Email)
		d.add("Pickup", onOff(before.PickupEnabled), onOff(in.PickupEnabled))
		return d.String(), q.UpdateContact(ctx, db.UpdateContactParams{Phone: in.Phone, Email: in.Email,
			PickupEnabled: in.PickupEnabled})
	})
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// CheckHours checks a week of opening ranges: each ends after it starts,
// and a day's ranges do not overlap.
func CheckHours(week [7][]Range) ([7][]Range, error) {
	for d := range week {
		if len(week[d]) > MaxRanges {
			return week, &shop.InputError{Field: "hours-" + strconv.Itoa(d), Message: fmt.Sprintf("%s has more than %d opening ranges.", time.Weekday(d), MaxRanges)}
		}
		slices.SortFunc(week[d], func(a, b Range) int { return int(a.Opens - b.Opens) })
		for i, r := range week[d] {
			if r.Closes <= r.Opens {
				return week, &shop.InputError{Field: "hours-" + strconv.Itoa(d), Message: fmt.Sprintf("On %s, %s ends before it starts: the closing time must be after the opening time.", time.Weekday(d), r)}
			}
			if i > 0 && r.Opens < week[d][i-1].Closes {
				return week, &shop.InputError{Field: "hours-" + strconv.Itoa(d), Message: fmt.Sprintf("On %s, %s overlaps %s.", time.Weekday(d), r, week[d][i-1])}
			}
		}
	}
	return week, nil
}

// SaveHours replaces the opening hours.
func SaveHours(ctx context.Context, pool *pgxpool.Pool, ch Change, week [7][]Range) error {
	week, err := CheckHours(week)
	if err != nil {
		return err
	}
	return save(ctx, pool, ch, "Opening hours", func(q *db.Queries, before *Settings) (string, error) {
		if err := q.DeleteOpeningHours(ctx); err != nil {
			return "", err
		}
		var d diff
		after := &Settings{Hours: week}
		for wd, ranges := range week {
			d.add(time.Weekday(wd).String(), before.OpenOn(time.Weekday(wd)), after.OpenOn(time.Weekday(wd)))
			for _, r := range ranges {
				if err := q.InsertOpeningHour(ctx, db.InsertOpeningHourParams{Weekday: int32(wd), Opens: TimeOf(r.Opens), Closes: TimeOf(r.Closes)}); err != nil {
					return "", err
				}
			}
		}
		return d.String(), nil
	})
}

// CheckPoint cleans and checks a pickup point.
func CheckPoint(p PickupPoint) (PickupPoint, error) {
	p.Name, p.Instructions = shop.CleanText(p.Name), shop.CleanText(p.Instructions)
	p.Address = cleanLines(p.Address)
	switch {
	case p.Name == "":
		return p, &shop.InputError{Field: "point_name", Message: "Name the pickup point, like “The bakery”."}
	case p.Address == "":
		return p, &shop.InputError{Field: "point_address", Message: "Give the pickup point's address."}
	}
	for _, err := range []error{
		tooLong("point_name", "The name", p.Name, MaxName),
		tooLong("point_address", "The address", p.Address, MaxAddress),
		tooLong("point_instructions", "The instructions", p.Instructions, MaxInstructions),
	} {
		if err != nil {
			return p, err
		}
	}
	return p, nil
}

// cleanLines cleans each line of a multi-line text and drops empty ones.
func cleanLines(s string) string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = shop.CleanText(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// ErrNotFound means there is no such pickup point or zone.
var ErrNotFound = errors.New("no such pickup point or zone")

// SavePoint adds a pickup point (ID 0) or changes one; archiving keeps it
// for the orders and slots that name it.
func SavePoint(ctx context.Context, pool *pgxpool.Pool, ch Change, p PickupPoint) error {
	p, err := CheckPoint(p)
	if err != nil {
		return err
	}
	return save(ctx, pool, ch, "Pickup points", func(q *db.Queries, before *Settings) (string, error) {
		if p.ID == 0 {
			_, err := q.InsertPickupPoint(ctx, db.InsertPickupPointParams{Name: p.Name, Address: p.Address, Instructions: p.Instructions})
			return "Added “" + p.Name + "”", err
		}
		old, ok := before.Point(p.ID)
		if !ok {
			return "", ErrNotFound
		}
		n, err := q.UpdatePickupPoint(ctx, db.UpdatePickupPointParams{ID: p.ID, Name: p.Name, Address: p.Address, Instructions: p.Instructions, Active: p.Active})
		if err == nil && n == 0 {
			err = ErrNotFound
		}
		var d diff
		d.add(old.Name+": name", old.Name, p.Name)
		d.add(old.Name+": address", old.Address, p.Address)
		d.add(old.Name+": instructions", old.Instructions, p.Instructions)
		d.add(old.Name, activeLabel(old.Active), activeLabel(p.Active))
		return d.String(), err
	})
}

func activeLabel(b bool) string {
	if b {
		return "in use"
	}
	return "archived"
}

// CheckZone cleans and checks a delivery zone against the others.
func CheckZone(z shop.DeliveryZone, others []shop.DeliveryZone) (shop.DeliveryZone, error) {
	z.Name = shop.CleanText(z.Name)
	if z.Name == "" {
		return z, &shop.InputError{Field: "zone_name", Message: "Name the zone, like “Central”."}
	}
	if err := tooLong("zone_name", "The name", z.Name, MaxName); err != nil {
		return z, err
	}
	var prefixes []string
	for _, p := range z.Prefixes {
		p = strings.ToUpper(strings.Join(strings.Fields(p), " "))
		if p == "" {
			continue
		}
		if !zonePrefix.MatchString(p) {
			return z, &shop.InputError{Field: "zone_prefixes", Message: fmt.Sprintf("%q is not a postcode prefix: use outward codes like BS6, areas like BS, or other prefixes of letters and digits.", p)}
		}
		if !slices.Contains(prefixes, p) {
			prefixes = append(prefixes, p)
		}
	}
	if len(prefixes) == 0 {
		return z, &shop.InputError{Field: "zone_prefixes", Message: "List the postcode areas the zone covers, like BS6, BS7."}
	}
	if len(prefixes) > MaxZonePrefixes {
		return z, &shop.InputError{Field: "zone_prefixes", Message: fmt.Sprintf("A zone takes at most %d prefixes.", MaxZonePrefixes)}
	}
	for _, o := range others {
		if o.ID == z.ID {
			continue
		}
		for _, p := range prefixes {
			if slices.Contains(o.Prefixes, p) {
				return z, &shop.InputError{Field: "zone_prefixes", Message: fmt.Sprintf("%s is already in the zone “%s”: a postcode area belongs to one zone.", p, o.Name)}
			}
		}
	}
	if z.Fee < 0 || z.Minimum < 0 || (z.HasFreeOver && z.FreeOver < 0) {
		return z, &shop.InputError{Field: "zone_fee", Message: "Fees and amounts cannot be negative."}
	}
	if z.Fee > math.MaxInt32 || z.Minimum > math.MaxInt32 || z.FreeOver > math.MaxInt32 {
		return z, &shop.InputError{Field: "zone_fee", Message: "That amount is too large."}
	}
	z.Prefixes = prefixes
	return z, nil
}

var zonePrefix = regexp.MustCompile(`^[A-Z0-9][A-Z0-9 -]{0,11}$`)

// SaveZone adds a delivery zone (ID 0) or changes one.
func SaveZone(ctx context.Context, pool *pgxpool.Pool, ch Change, z shop.DeliveryZone) error {
	return save(ctx, pool, ch, "Delivery zones", func(q *db.Queries, before *Settings) (string, error) {
		z, err := CheckZone(z, before.Zones)
		if err != nil {
			return "", err
		}
		free := pgtype.Int8{Int64: z.FreeOver, Valid: z.HasFreeOver}
		summary := "Added “" + z.Name + "”"
		if z.ID == 0 {
			if z.ID, err = q.InsertDeliveryZone(ctx, db.InsertDeliveryZoneParams{Name: z.Name, FeeMinor: z.Fee, MinimumMinor: z.Minimum, FreeOverMinor: free}); err != nil {
				return "", err
			}
		} else {
			i := slices.IndexFunc(before.Zones, func(o shop.DeliveryZone) bool { return o.ID == z.ID })
			if i < 0 {
				return "", ErrNotFound
			}
			old := before.Zones[i]
			var d diff
			d.add(old.Name+": name", old.Name, z.Name)
			d.add(old.Name+": areas", strings.Join(old.Prefixes, ", "), strings.Join(z.Prefixes, ", "))
			d.add(old.Name+": fee", fmt.Sprint(old.Fee), fmt.Sprint(z.Fee))
			d.add(old.Name+": minimum", fmt.Sprint(old.Minimum), fmt.Sprint(z.Minimum))
			d.add(old.Name+": free over", freeOver(old), freeOver(z))
			summary = d.String()
			if _, err := q.UpdateDeliveryZone(ctx, db.UpdateDeliveryZoneParams{ID: z.ID, Name: z.Name, FeeMinor: z.Fee, MinimumMinor: z.Minimum, FreeOverMinor: free}); err != nil {
				return "", err
			}
			if err := q.DeleteZonePrefixes(ctx, z.ID); err != nil {
				return "", err
			}
		}
		for _, p := range z.Prefixes {
			if err := q.InsertZonePrefix(ctx, db.InsertZonePrefixParams{ZoneID: z.ID, Prefix: p}); err != nil {
				return "", err
			}
		}
		return summary, nil
	})
}

func freeOver(z shop.DeliveryZone) string {
	if !z.HasFreeOver {
		return ""
	}
	return fmt.Sprint(z.FreeOver)
}

// DeleteZone removes a delivery zone; orders keep its name.
func DeleteZone(ctx context.Context, pool *pgxpool.Pool, ch Change, id int64) error {
	return save(ctx, pool, ch, "Delivery zones", func(q *db.Queries, before *Settings) (string, error) {
		i := slices.IndexFunc(before.Zones, func(o shop.DeliveryZone) bool { return o.ID == id })
		if i < 0 {
			return "", ErrNotFound
		}
		_, err := q.DeleteDeliveryZone(ctx, id)
		return "Removed “" + before.Zones[i].Name + "”", err
	})
}

// SaveDeliveryEnabled turns delivery on or off.
func SaveDeliveryEnabled(ctx context.Context, pool *pgxpool.Pool, ch Change, on bool) error {
	return save(ctx, pool, ch, "Delivery zones", func(q *db.Queries, before *Settings) (string, error) {
		var d diff
		d.add("Delivery", onOff(before.DeliveryEnabled), onOff(on))
		return d.String(), q.UpdateDeliveryEnabled(ctx, on)
	})
}

// Policies are the texts customers are shown, and how long their details
// are kept.
type Policies struct {
	Privacy, Terms, Allergens string
	RetentionMonths           int
}

// CheckPolicies checks the policy texts' lengths and the retention period.
func CheckPolicies(in Policies) (Policies, error) {
	clean := func(s string) string {
		return strings.TrimSpace(strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), ""))
	}
	in.Privacy, in.Terms, in.Allergens = clean(in.Privacy), clean(in.Terms), clean(in.Allergens)
	for _, err := range []error{
		tooLong("privacy", "The privacy notice", in.Privacy, MaxPolicy),
		tooLong("terms", "The terms of sale", in.Terms, MaxPolicy),
		tooLong("allergens", "The allergy statement", in.Allergens, MaxAllergens),
	} {
		if err != nil {
			return in, err
		}
	}
	if in.RetentionMonths < 1 || in.RetentionMonths > MaxRetention {
		return in, &shop.InputError{Field: "retention_months", Message: fmt.Sprintf("Keep customers' details for 1 to %d months.", MaxRetention)}
	}
	return in, nil
}

// SavePolicies saves the policy texts and the retention period.
func SavePolicies(ctx context.Context, pool *pgxpool.Pool, ch Change, in Policies) error {
	in, err := CheckPolicies(in)
	if err != nil {
		return err
	}
	return save(ctx, pool, ch, "Policies", func(q *db.Queries, before *Settings) (string, error) {
		var d diff
		d.add("Privacy notice", before.Privacy, in.Privacy)
		d.add("Terms of sale", before.Terms, in.Terms)
		d.add("Allergy statement", before.Allergens, in.Allergens)
		d.add("Details kept for (months)", fmt.Sprint(before.RetentionMonths), fmt.Sprint(in.RetentionMonths))
		return d.String(), q.UpdatePolicies(ctx, db.UpdatePoliciesParams{Privacy: in.Privacy, Terms: in.Terms, Allergens: in.Allergens,
			RetentionMonths: int32(in.RetentionMonths)})
	})
}

// CheckNotify checks the addresses that get new-order alerts.
func CheckNotify(list string) ([]string, error) {
	var out []string
	for _, a := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if addr, err := mail.ParseAddress(a); err != nil || addr.Address != a || len(a) > 254 {
			return nil, &shop.InputError{Field: "notify", Message: fmt.Sprintf("%q is not an email address like orders@shop.example.", a)}
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if len(out) > MaxNotify {
		return nil, &shop.InputError{Field: "notify", Message: fmt.Sprintf("List at most %d addresses.", MaxNotify)}
	}
	return out, nil
}

// SaveNotify saves who gets new-order alerts (none: every active owner).
func SaveNotify(ctx context.Context, pool *pgxpool.Pool, ch Change, list string) error {
	emails, err := CheckNotify(list)
	if err != nil {
		return err
	}
	return save(ctx, pool, ch, "Notifications", func(q *db.Queries, before *Settings) (string, error) {
		var d diff
		d.add("New-order alerts to", strings.Join(before.Notify, ", "), strings.Join(emails, ", "))
		return d.String(), q.UpdateNotifications(ctx, emails)
	})
}
