package catalogue

import (
	"slices"
	"testing"
)

func TestReorderMovesOnePlaceAndStopsAtTheEnds(t *testing.T) {
	ids := []int64{10, 20, 30}
	for _, tc := range []struct {
		id    int64
		dir   int
		want  []int64
		moved bool
	}{
		{30, Up, []int64{10, 30, 20}, true},
		{10, Down, []int64{20, 10, 30}, true},
		{10, Up, []int64{10, 20, 30}, false},
		{30, Down, []int64{10, 20, 30}, false},
		{40, Up, []int64{10, 20, 30}, false},
		{20, 2, []int64{10, 20, 30}, false},
	} {
		got, moved := Reorder(ids, tc.id, tc.dir)
		if !slices.Equal(got, tc.want) || moved != tc.moved {
			t.Errorf("Reorder(%v, %d, %d) = %v, %v; want %v, %v", ids, tc.id, tc.dir, got, moved, tc.want, tc.moved)
		}
	}
	if !slices.Equal(ids, []int64{10, 20, 30}) {
		t.Errorf("Reorder changed its argument: %v", ids)
	}
}
